//! Parse errors as data: where, what was expected, and what was found there.

use crate::diagnostics::{Code, Diagnostic};
use crate::source::Span;

/// A parse failure. `offset` is a byte offset into the whole source.
#[derive(Clone, Debug, PartialEq)]
pub struct ParseError {
    pub code: Code,
    pub span: Span,
    pub expected: Vec<&'static str>,
    pub message: Option<String>,
    pub label: Option<String>,
    pub help: Option<String>,
}

impl ParseError {
    /// "expected X" at `offset`; the message names what was found there.
    pub fn expected(offset: usize, expected: &'static str) -> Self {
        ParseError {
            code: Code::SyntaxError,
            span: Span::new(offset, offset),
            expected: vec![expected],
            message: None,
            label: None,
            help: None,
        }
    }

    pub fn custom(code: Code, span: Span, message: impl Into<String>) -> Self {
        ParseError { code, span, expected: Vec::new(), message: Some(message.into()), label: None, help: None }
    }

    pub fn with_label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Builds the diagnostic; `src` is the whole source, used to say what was found.
    pub fn into_diagnostic(self, src: &str) -> Diagnostic {
        let start = self.span.start as usize;
        let found = describe_found(src, start);
        let span = if self.span.is_empty() { Span::new(start, start + found_len(src, start)) } else { self.span };
        let expected = join_expected(&self.expected);
        let message = self.message.unwrap_or_else(|| format!("expected {expected}, found {found}"));
        let label =
            self.label.unwrap_or_else(
                || {
                    if expected.is_empty() {
                        String::new()
                    } else {
                        format!("expected {expected}")
                    }
                },
            );
        let help = self.help.or_else(|| non_ascii_in_name(src, start));
        Diagnostic::new(self.code, span, message).label(label).maybe_help(help)
    }
}

fn join_expected(expected: &[&str]) -> String {
    let mut items: Vec<&str> = expected.to_vec();
    items.dedup();
    match items.as_slice() {
        [] => String::new(),
        [one] => (*one).to_string(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

/// What the source holds at `offset`, for "found ..." in messages.
fn describe_found(src: &str, offset: usize) -> String {
    let rest = src.get(offset..).unwrap_or("");
    let Some(c) = rest.chars().next() else {
        return "end of file".to_string();
    };
    if c == '\n' || c == '\r' {
        return "end of line".to_string();
    }
    let word: String = rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
    if !word.is_empty() {
        return format!("`{word}`");
    }
    if c.is_control() {
        return format!("control character {:?}", c);
    }
    if is_invisible(c) {
        return format!("the invisible character U+{:04X}", c as u32);
    }
    if !c.is_ascii() {
        return format!("`{c}` (U+{:04X})", c as u32);
    }
    format!("`{c}`")
}

/// Characters that show as nothing (zero-width spaces and joiners, direction marks,
/// the byte order mark, soft hyphen): a message must name them by code point.
fn is_invisible(c: char) -> bool {
    matches!(c as u32, 0xad | 0x180e | 0x200b..=0x200f | 0x2028..=0x202e | 0x2060..=0x206f | 0xfeff)
}

/// A non-ASCII character next to a name: names are ASCII, say which character it is.
fn non_ascii_in_name(src: &str, offset: usize) -> Option<String> {
    let c = src.get(offset..)?.chars().next().filter(|c| !c.is_ascii())?;
    let before = src.get(..offset)?.chars().next_back();
    let after = src.get(offset + c.len_utf8()..)?.chars().next();
    let touches_name = [before, after].into_iter().flatten().any(|n| n.is_ascii_alphanumeric() || n == '_');
    touches_name.then(|| format!("names are ASCII letters, digits and `_`: remove U+{:04X} or replace it", c as u32))
}

fn found_len(src: &str, offset: usize) -> usize {
    let rest = src.get(offset..).unwrap_or("");
    let word = rest
        .char_indices()
        .take_while(|(_, c)| c.is_ascii_alphanumeric() || *c == '_')
        .last()
        .map(|(i, c)| i + c.len_utf8());
    match word {
        Some(n) => n,
        None => rest.chars().next().map_or(0, |c| if c == '\n' { 0 } else { c.len_utf8() }),
    }
}
