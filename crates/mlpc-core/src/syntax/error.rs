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
        Diagnostic::new(self.code, span, message).label(label).maybe_help(self.help)
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
    format!("`{c}`")
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
