//! The front end: source text to syntax tree. Parsing never stops at the first
//! error: bodies recover at the next item and every error becomes a diagnostic.

pub mod ast;
mod error;
mod lexeme;
mod parser;

pub use error::ParseError;
pub use parser::MAX_DEPTH;

use crate::diagnostics::{Code, Diagnostic};
use crate::source::{Span, Spanned};
use lexeme::{skip_all, skip_inline, PResult};

/// Whether `text` is one name as the grammar reads it (`ident`), nothing before or after.
pub fn is_name(text: &str) -> bool {
    lexeme::ident_text(text).is_ok_and(|(rest, _)| rest.is_empty())
}

/// The text a string literal (`"…"` or `"""…"""`) stands for; `None` when `literal` is
/// not exactly one string without interpolations.
pub fn string_value(literal: &str) -> Option<String> {
    let mut parser = Parser {
        src: literal,
        depth: 0,
        errors: Vec::new(),
        broken: Vec::new(),
        ran_off_end: false,
        repeats: 0,
        furthest: 0,
    };
    let (rest, parts) = parser.parse_string(literal, false).ok()?;
    let plain = parts.iter().all(|p| matches!(p, ast::StrPart::Text(_)));
    (rest.is_empty() && plain && parser.errors.is_empty()).then(|| ast::plain_text(&parts))
}

/// The result of parsing: a tree (possibly partial) and every syntax error found.
#[derive(Debug)]
pub struct Parsed {
    pub file: ast::File,
    pub errors: Vec<Diagnostic>,
}

/// Parses a whole `.mlp` file.
pub fn parse(src: &str) -> Parsed {
    let src = &*crate::source::cr_line_breaks(src);
    let mut parser =
        Parser { src, depth: 0, errors: Vec::new(), broken: Vec::new(), ran_off_end: false, repeats: 0, furthest: 0 };
    let mut pipelines = Vec::new();
    let mut i = skip_all(src).0;
    while !i.is_empty() {
        let before = i.len();
        let reported = parser.errors.len();
        match parser.expect_pipeline(i) {
            Ok((rest, pipeline)) => {
                pipelines.push(pipeline);
                i = rest;
            }
            Err(err) => {
                parser.report(err);
                parser.record_broken(i);
                i = parser.resume_after(i, reported);
                if i.starts_with(['}', ']', ')']) {
                    i = i.get(1..).unwrap_or("");
                }
            }
        }
        i = skip_all(i).0;
        debug_assert!(i.len() < before, "the top-level loop must consume input");
    }
    let broken = parser.broken;
    let mut errors = parser.errors;
    if pipelines.is_empty() && errors.is_empty() {
        let end = src.len();
        errors.push(
            Diagnostic::new(Code::MissingPipeline, Span::new(0, end.min(1)), "this file defines no pipeline")
                .label("expected `pipeline NAME { ... }`")
                .help("every .mlp file holds exactly one `pipeline NAME { ... }` block"),
        );
    }
    if let [first, rest @ ..] = pipelines.as_slice() {
        for extra in rest {
            errors.push(
                Diagnostic::new(
                    Code::ExtraPipeline,
                    extra.name.span,
                    format!("a second pipeline `{}` in one file", extra.name.node),
                )
                .label("second pipeline")
                .secondary(first.name.span, "the file's pipeline")
                .help("put each pipeline in its own .mlp file"),
            );
        }
    }
    Parsed { file: ast::File { pipelines, broken, span: Span::new(0, src.len()) }, errors }
}

/// Parser state: the whole source (for offsets), the nesting depth, and the errors
/// recovered from so far.
pub struct Parser<'s> {
    src: &'s str,
    depth: usize,
    errors: Vec<Diagnostic>,
    broken: Vec<Spanned<String>>,
    /// A body ran to the end of the input without its closer, and that is reported.
    /// Everything after its start was read by it: an enclosing body that resumed
    /// inside would read it again, once per enclosing level (exponentially often).
    ran_off_end: bool,
    /// How many errors the last one stands for beyond itself (see `report`).
    repeats: usize,
    /// The furthest place an error was reported: recovery never resumes before it.
    furthest: usize,
}

impl<'s> Parser<'s> {
    /// Records a syntax error. One that repeats the previous error right after it
    /// (only white space between: a run of stray `]`) widens that error instead, so a
    /// storm of 10,000 is one diagnostic that says how many, not 10,000.
    fn report(&mut self, err: ParseError) {
        let d = err.into_diagnostic(self.src);
        self.furthest = self.furthest.max(d.primary.span.start as usize);
        if let Some(prev) = self.errors.last_mut() {
            let (end, start) = (prev.primary.span.end as usize, d.primary.span.start as usize);
            let between = self.src.get(end..start);
            if prev.message == d.message && between.is_some_and(|b| b.trim().is_empty()) {
                prev.primary.span = Span::new(prev.primary.span.start as usize, d.primary.span.end as usize);
                self.repeats = self.repeats.saturating_add(1);
                prev.primary.text = format!("this and {} more like it", self.repeats);
                return;
            }
        }
        self.repeats = 0;
        self.errors.push(d);
    }

    /// Where to go on after the item at `i` failed, `reported` being the number of
    /// errors before it: past it (`skip_item`), but, when bodies inside it recovered
    /// from errors of their own, never back into what it read. Those lines would be
    /// read again as items of this body, and their nested bodies' lines again inside
    /// that, once per level (exponentially often). With no inner errors, reading on
    /// at the next item start inside it gives the better message (`param` after an
    /// unclosed list).
    fn resume_after(&self, i: &'s str, reported: usize) -> &'s str {
        if self.ran_off_end {
            return "";
        }
        let next = skip_item(i);
        if self.errors.len() <= reported.saturating_add(1) {
            return next;
        }
        match self.src.get(self.furthest..) {
            // Resuming right at the furthest error is fine: the token an inner item
            // stopped at (`param` after an unclosed list) may start the next item.
            Some(rest) if self.offset(skip_all(next).0) < self.furthest && self.furthest > self.offset(i) => {
                skip_item(rest)
            }
            _ => next,
        }
    }

    /// Remembers the names a broken item declares: its first word (a key) and, after
    /// an item keyword, the name that follows (`step NAME`).
    fn record_broken(&mut self, i: &'s str) {
        let Ok((rest, first)) = lexeme::ident_text(i) else { return };
        self.broken.push(Spanned::new(first.to_string(), self.span(i, rest)));
        if ["param", "image", "step", "in", "out", "pipeline"].contains(&first) {
            let after = skip_inline(rest);
            if let Ok((end, name)) = lexeme::ident_text(after) {
                self.broken.push(Spanned::new(name.to_string(), self.span(after, end)));
            }
        }
    }

    fn offset(&self, i: &'s str) -> usize {
        self.src.len() - i.len()
    }

    fn span(&self, from: &'s str, to: &'s str) -> Span {
        Span::new(self.offset(from), self.offset(to))
    }

    /// body := "{" (item sep)* "}". An item that fails to parse is reported and
    /// skipped up to the next line or `,` at the same nesting, so parsing goes on.
    fn expect_body<T>(
        &mut self,
        i: &'s str,
        mut item: impl FnMut(&mut Self, &'s str) -> PResult<'s, T>,
    ) -> PResult<'s, Vec<T>> {
        let open = self.offset(i);
        let (mut i, ()) = self.expect_char(i, '{', "`{`")?;
        let mut items = Vec::new();
        loop {
            i = skip_all(i).0;
            if let Some(rest) = i.strip_prefix('}') {
                // Bodies are kept for the whole run; the doubling slack would be a
                // fifth of a large pipeline's syntax tree.
                items.shrink_to_fit();
                return Ok((rest, items));
            }
            if i.is_empty() {
                // A `"""` left open swallowed the rest of the file: it, not this `{`, is
                // the error, and the only one worth showing from here on.
                if let Some(at) = unclosed_triple_quote(self.src.get(open..).unwrap_or("")) {
                    let at = open + at;
                    if !self
                        .errors
                        .iter()
                        .any(|e| e.code == Code::UnterminatedString && e.primary.span.start as usize == at)
                    {
                        self.errors.push(lexeme::unterminated_triple(at).into_diagnostic(self.src));
                    }
                    return Ok((i, items));
                }
                self.ran_off_end = true;
                return Err(ParseError::custom(
                    Code::SyntaxError,
                    Span::new(open, open + 1),
                    "this `{` is never closed",
                )
                .with_label("unclosed `{`")
                .with_help("add the matching `}`"));
            }
            let before = i.len();
            let reported = self.errors.len();
            let parsed = item(self, i).and_then(|(rest, value)| {
                let rest = self.expect_separator(rest, '}', "`}`")?;
                Ok((rest, value))
            });
            match parsed {
                Ok((rest, value)) => {
                    items.push(value);
                    i = rest;
                }
                Err(err) => {
                    self.report(err);
                    self.record_broken(i);
                    i = self.resume_after(i, reported);
                    if i.len() == before {
                        // A stray closer of another kind: step over it so the loop progresses.
                        i = i.get(i.chars().next().map_or(0, char::len_utf8)..).unwrap_or("");
                    }
                }
            }
        }
    }
}

/// Skips the rest of a broken item: up to and including the next line break or `,`
/// outside brackets and strings, or up to (not including) a closing bracket that
/// ends the enclosing body.
fn skip_item(mut i: &str) -> &str {
    let mut depth = 0usize;
    loop {
        let Some(c) = i.chars().next() else { return i };
        match skip_string_or_comment(i) {
            Some(Ok(rest)) => {
                i = rest;
                continue;
            }
            Some(Err(Unclosed)) => return "",
            None => {}
        }
        match c {
            '{' | '[' | '(' => depth += 1,
            '}' | ']' | ')' if depth == 0 => return i,
            '}' | ']' | ')' => depth -= 1,
            '\n' | ',' if depth == 0 => return i.get(1..).unwrap_or(""),
            '\n' if starts_item(i.get(1..).unwrap_or("")) => return i.get(1..).unwrap_or(""),
            _ => {}
        }
        i = i.get(c.len_utf8()..).unwrap_or("");
    }
}

/// Where in `text` a `"""` opens that is never closed (strings and comments skipped).
fn unclosed_triple_quote(text: &str) -> Option<usize> {
    let mut i = text;
    loop {
        let c = i.chars().next()?;
        i = match skip_string_or_comment(i) {
            Some(Ok(rest)) => rest,
            Some(Err(Unclosed)) => return Some(text.len() - i.len()),
            None => i.get(c.len_utf8()..).unwrap_or(""),
        };
    }
}

/// A `"""` that runs to the end of the input.
struct Unclosed;

/// The rest after the string or comment `i` starts with; `None` when it starts with
/// neither. Recovery skips these whole, so that brackets and line breaks in them
/// count for nothing.
fn skip_string_or_comment(i: &str) -> Option<Result<&str, Unclosed>> {
    if let Some(body) = i.strip_prefix("\"\"\"") {
        return Some(lexeme::find_triple_close(body).map(|n| body.get(n + 3..).unwrap_or("")).ok_or(Unclosed));
    }
    if let Some(body) = i.strip_prefix('"') {
        return Some(Ok(skip_one_line_string(body)));
    }
    i.starts_with('#').then(|| Ok(skip_inline(i)))
}

fn skip_one_line_string(body: &str) -> &str {
    let mut escaped = false;
    for (idx, c) in body.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '"' => return body.get(idx + 1..).unwrap_or(""),
            '\n' => return body.get(idx..).unwrap_or(""),
            _ => {}
        }
    }
    ""
}

/// Whether a line starts with an item keyword followed by a name (`step x`), where
/// recovery may resume even inside an unclosed bracket.
fn starts_item(line: &str) -> bool {
    let line = skip_inline(line);
    ["pipeline", "step", "param", "image", "in", "out"].iter().any(|kw| {
        line.strip_prefix(kw).is_some_and(|rest| {
            let name = skip_inline(rest);
            name.len() < rest.len() && name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        })
    })
}
