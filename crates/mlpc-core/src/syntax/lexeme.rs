//! Lexical building blocks (grammar/mlpc.ebnf, "Lexical"): white space and comments,
//! identifiers, numbers, durations, dates and string literals with interpolation.

use nom::bytes::complete::{take_while, take_while1};
use nom::character::complete::{char as ch, digit1, one_of};
use nom::combinator::{opt, recognize};
use nom::sequence::{pair, preceded};
use nom::{IResult, Parser as _};

use super::ast::{ExprKind, StrPart};
use super::error::ParseError;
use super::Parser;
use crate::diagnostics::Code;
use crate::number::Unrepresentable;
use crate::source::{Span, Spanned};

pub type PResult<'s, T> = Result<(&'s str, T), ParseError>;

/// ident := [A-Za-z_] [A-Za-z0-9_]*
pub fn ident_text(i: &str) -> IResult<&str, &str> {
    recognize(pair(
        take_while1(|c: char| c.is_ascii_alphabetic() || c == '_'),
        take_while(|c: char| c.is_ascii_alphanumeric() || c == '_'),
    ))
    .parse(i)
}

pub fn is_ident_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// The error for a `"""` at `start` that is never closed.
pub fn unterminated_triple(start: usize) -> ParseError {
    ParseError::custom(Code::UnterminatedString, Span::new(start, start + 3), "unterminated multi-line string")
        .with_label("this `\"\"\"` is never closed")
        .with_help("close the string with `\"\"\"`: everything after it is read as the string")
}

/// Skips spaces, tabs and comments, but not line breaks.
pub fn skip_inline(mut i: &str) -> &str {
    loop {
        let trimmed = i.trim_start_matches([' ', '\t', '\u{feff}']);
        if let Some(comment) = trimmed.strip_prefix('#') {
            i = comment.find('\n').map_or("", |n| comment.get(n..).unwrap_or(""));
        } else {
            return trimmed;
        }
    }
}

/// Skips white space, line breaks and comments. Returns the rest and whether a line
/// break was crossed.
pub fn skip_all(mut i: &str) -> (&str, bool) {
    let mut newline = false;
    loop {
        i = skip_inline(i);
        if let Some(rest) = i.strip_prefix('\n').or_else(|| i.strip_prefix("\r\n")) {
            newline = true;
            i = rest;
        } else if let Some(rest) = i.strip_prefix('\r') {
            i = rest;
        } else {
            return (i, newline);
        }
    }
}

/// number := "-"? digits ("." digits)? (("e"|"E") ("+"|"-")? digits)?
fn number_text(i: &str) -> IResult<&str, &str> {
    recognize((opt(ch('-')), digit1, opt(pair(ch('.'), digit1)), opt((one_of("eE"), opt(one_of("+-")), digit1))))
        .parse(i)
}

/// date := digit{4} "-" digit{2} "-" digit{2}
fn date_text(i: &str) -> IResult<&str, &str> {
    let digits = |n: usize| take_while_m_n_digits(n);
    recognize((digits(4), preceded(ch('-'), digits(2)), preceded(ch('-'), digits(2)))).parse(i)
}

fn take_while_m_n_digits(n: usize) -> impl Fn(&str) -> IResult<&str, &str> {
    move |i: &str| nom::bytes::complete::take_while_m_n(n, n, |c: char| c.is_ascii_digit())(i)
}

impl<'s> Parser<'s> {
    pub fn expect_ident(&self, i: &'s str, what: &'static str) -> PResult<'s, Spanned<String>> {
        match ident_text(i) {
            Ok((rest, name)) => Ok((rest, Spanned::new(name.to_string(), self.span(i, rest)))),
            Err(_) => Err(ParseError::expected(self.offset(i), what)),
        }
    }

    /// Consumes `c` or fails with "expected `c`".
    pub fn expect_char(&self, i: &'s str, c: char, what: &'static str) -> PResult<'s, ()> {
        match i.strip_prefix(c) {
            Some(rest) => Ok((rest, ())),
            None => Err(ParseError::expected(self.offset(i), what)),
        }
    }

    /// number | duration | date
    pub fn parse_numeric(&self, i: &'s str) -> PResult<'s, ExprKind> {
        if let Ok((rest, text)) = date_text(i) {
            if !rest.starts_with(is_ident_char) {
                return Ok((rest, ExprKind::Date(text.to_string())));
            }
        }
        let Ok((rest, text)) = number_text(i) else {
            return Err(ParseError::expected(self.offset(i), "a value"));
        };
        let span = self.span(i, rest);
        let suffix: &str = rest.split(|c: char| !is_ident_char(c)).next().unwrap_or("");
        if !suffix.is_empty() {
            let unit = match suffix {
                "s" => Some(1u64),
                "m" => Some(60),
                "h" => Some(3600),
                "d" => Some(86_400),
                _ => None,
            };
            let whole = Span::new(span.start as usize, span.end as usize + suffix.len());
            let after = rest.get(suffix.len()..).unwrap_or("");
            let Some(unit) = unit.filter(|_| text.bytes().all(|b| b.is_ascii_digit())) else {
                return Err(ParseError::custom(
                    Code::SyntaxError,
                    whole,
                    format!("`{text}{suffix}` is neither a number nor a duration"),
                )
                .with_label("invalid literal")
                .with_help("durations are a whole number followed by s, m, h or d, e.g. `90s`, `30m`, `2h`, `7d`"));
            };
            let seconds = text.parse::<u64>().ok().and_then(|n| n.checked_mul(unit));
            return match seconds {
                Some(s) => Ok((after, ExprKind::Duration(s))),
                None => Err(ParseError::custom(
                    Code::NumberOutOfRange,
                    whole,
                    format!("duration `{text}{suffix}` is too large"),
                )
                .with_label("out of range")),
            };
        }
        match crate::number::parse(text) {
            Ok(crate::number::Number::Int(n)) => Ok((rest, ExprKind::Int(n))),
            Ok(crate::number::Number::Float(f)) => Ok((rest, ExprKind::Float(f))),
            Err(why) => {
                Err(ParseError::custom(Code::NumberOutOfRange, span, format!("`{text}` is {}", why.describe()))
                    .with_label("cannot be represented")
                    .with_help(match why {
                        Unrepresentable::IntegerRange => "write a smaller integer, or a string if it is an identifier",
                        Unrepresentable::FloatOverflow | Unrepresentable::FloatUnderflow => {
                            "write a value a 64-bit float holds (or 0.0 for zero)"
                        }
                        Unrepresentable::Malformed => "write digits, with `.` or an exponent for a float",
                    }))
            }
        }
    }

    /// string := '"' char* '"' | '"""' char* '"""'; `plain` forbids interpolation.
    pub fn parse_string(&mut self, i: &'s str, plain: bool) -> PResult<'s, Vec<StrPart>> {
        let start = self.offset(i);
        if let Some(body) = i.strip_prefix("\"\"\"") {
            let Some(close) = find_triple_close(body) else {
                return Err(unterminated_triple(start));
            };
            let content = body.get(..close).unwrap_or("");
            let rest = body.get(close + 3..).unwrap_or("");
            let layout = Dedent::of(content);
            let content_start = self.offset(body) + layout.skip_first;
            let text = content.get(layout.skip_first..layout.end).unwrap_or("");
            let parts = self.string_content(text, content_start, Some(&layout.indent), plain)?;
            return Ok((rest, parts));
        }
        let Some(body) = i.strip_prefix('"') else {
            return Err(ParseError::expected(start, "a string"));
        };
        let end = find_single_close(body);
        match end {
            Some(close) => {
                let content = body.get(..close).unwrap_or("");
                let parts = self.string_content(content, start + 1, None, plain)?;
                Ok((body.get(close + 1..).unwrap_or(""), parts))
            }
            None => {
                Err(ParseError::custom(Code::UnterminatedString, Span::new(start, start + 1), "unterminated string")
                    .with_label("this string is never closed on its line")
                    .with_help("close it with `\"`; for text over several lines use `\"\"\"...\"\"\"`"))
            }
        }
    }

    /// Decodes escapes and interpolations. With `indent`, every line of the raw text
    /// loses that prefix and blank lines become empty (multi-line strings).
    fn string_content(
        &mut self,
        text: &'s str,
        base: usize,
        indent: Option<&str>,
        plain: bool,
    ) -> Result<Vec<StrPart>, ParseError> {
        let mut parts = Vec::new();
        let mut buf = String::new();
        let mut rest = text;
        let mut line_start = indent.is_some();
        while !rest.is_empty() {
            if line_start {
                line_start = false;
                if let Some(prefix) = indent {
                    let line = rest.split('\n').next().unwrap_or("");
                    if line.trim().is_empty() {
                        rest = rest.get(line.len()..).unwrap_or("");
                        continue;
                    }
                    rest = rest.strip_prefix(prefix).unwrap_or(rest);
                    continue;
                }
            }
            let here = base + (text.len() - rest.len());
            if let Some(after) = rest.strip_prefix("$${") {
                buf.push_str("${");
                rest = after;
            } else if let Some(after) = rest.strip_prefix("${") {
                if plain {
                    return Err(ParseError::custom(
                        Code::SyntaxError,
                        Span::new(here, here + 2),
                        "interpolation is not allowed in this string",
                    )
                    .with_label("`${` here")
                    .with_help("write `$${` for a literal `${`"));
                }
                // Parse from the whole source so that spans are absolute offsets.
                let from = self.src.get(here + 2..).unwrap_or("");
                let (parsed_rest, path) = self.interpolation(from)?;
                let consumed = from.len() - parsed_rest.len();
                let after = after.get(consumed..).unwrap_or("");
                if !buf.is_empty() {
                    parts.push(StrPart::Text(std::mem::take(&mut buf)));
                }
                parts.push(StrPart::Interpolation(path));
                rest = after;
            } else if let Some(after) = rest.strip_prefix('\\') {
                let (after, c) = decode_escape(after, here)?;
                buf.push(c);
                rest = after;
            } else if let Some(c) = rest.chars().next() {
                if c == '\n' && indent.is_some() {
                    line_start = true;
                }
                if c != '\r' || indent.is_none() {
                    buf.push(c);
                }
                rest = rest.get(c.len_utf8()..).unwrap_or("");
            }
        }
        if !buf.is_empty() || parts.is_empty() {
            parts.push(StrPart::Text(buf));
        }
        Ok(parts)
    }

    /// interpolation := "${" path "}"
    fn interpolation(&mut self, i: &'s str) -> PResult<'s, super::ast::Path> {
        let i = skip_inline(i);
        let (i, path) = self.expect_path(i)?;
        let i = skip_inline(i);
        let (i, ()) = self.expect_char(i, '}', "`}` closing the interpolation")?;
        Ok((i, path))
    }
}

fn decode_escape(after: &str, here: usize) -> Result<(&str, char), ParseError> {
    let mut chars = after.chars();
    let simple = match chars.next() {
        Some('"') => Some('"'),
        Some('\\') => Some('\\'),
        Some('n') => Some('\n'),
        Some('t') => Some('\t'),
        Some('r') => Some('\r'),
        Some('$') => Some('$'),
        _ => None,
    };
    if let Some(c) = simple {
        return Ok((after.get(1..).unwrap_or(""), c));
    }
    if let Some(hex_and_rest) = after.strip_prefix("u{") {
        if let Some(close) = hex_and_rest.find('}') {
            let hex = hex_and_rest.get(..close).unwrap_or("");
            let decoded = (1..=6)
                .contains(&hex.len())
                .then(|| u32::from_str_radix(hex, 16).ok())
                .flatten()
                .and_then(char::from_u32);
            if let Some(c) = decoded {
                return Ok((hex_and_rest.get(close + 1..).unwrap_or(""), c));
            }
            let span = Span::new(here, here + 3 + close + 1);
            return Err(ParseError::custom(
                Code::InvalidEscape,
                span,
                format!("`\\u{{{hex}}}` is not a Unicode scalar value"),
            )
            .with_label("invalid code point")
            .with_help("use 1 to 6 hex digits naming a code point outside the surrogate range, e.g. `\\u{e9}`"));
        }
    }
    let shown: String = after.chars().next().map(String::from).unwrap_or_default();
    let len = 1 + shown.len();
    Err(ParseError::custom(
        Code::InvalidEscape,
        Span::new(here, here + len),
        format!("unknown escape `\\{}`", shown.escape_debug()),
    )
    .with_label("unknown escape")
    .with_help("the escapes are \\\" \\\\ \\n \\t \\r \\$ and \\u{...}; write `\\\\` for a backslash"))
}

/// Index of the `"` closing a one-line string, honouring escapes; `None` at a line
/// break or the end of input.
fn find_single_close(body: &str) -> Option<usize> {
    let mut escaped = false;
    // Inside `${ ... }` a quote belongs to a bracketed key (`config.a["k"]`), not the end.
    let mut in_interpolation = false;
    let mut in_key = false;
    let mut prev = '\0';
    for (idx, c) in body.char_indices() {
        match c {
            '\n' => return None,
            _ if escaped => {
                // An escaped `$` starts no interpolation: `"\${"` is a literal `${`.
                escaped = false;
                prev = '\0';
                continue;
            }
            '\\' => escaped = true,
            '"' if in_interpolation => in_key = !in_key,
            '"' => return Some(idx),
            '{' if prev == '$'
                && !in_interpolation
                && !body.get(..idx.saturating_sub(1)).is_some_and(|b| b.ends_with('$')) =>
            {
                in_interpolation = true;
            }
            '}' if in_interpolation && !in_key => in_interpolation = false,
            _ => {}
        }
        prev = c;
    }
    None
}

/// Index of the `"""` closing a multi-line string, honouring escapes.
pub fn find_triple_close(body: &str) -> Option<usize> {
    let mut escaped = false;
    for (idx, c) in body.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '"' if body.get(idx..).is_some_and(|r| r.starts_with("\"\"\"")) => return Some(idx),
            _ => {}
        }
    }
    None
}

/// The layout of a multi-line string: a line break right after the opening quotes
/// is dropped, so is a last line holding only the closing quotes' indentation, and
/// the remaining lines lose their common leading white space (like
/// Python's `textwrap.dedent`).
struct Dedent {
    skip_first: usize,
    end: usize,
    indent: String,
}

impl Dedent {
    fn of(content: &str) -> Dedent {
        // The rest of the opening line, when it is blank, is not part of the text.
        let skip_first = match content.find('\n') {
            Some(nl) if content.get(..nl).is_some_and(|l| l.trim().is_empty()) => nl + 1,
            _ => 0,
        };
        let mut end = content.len();
        if let Some(last_nl) = content.rfind('\n') {
            let last = content.get(last_nl + 1..).unwrap_or("");
            if last.trim().is_empty() && last_nl >= skip_first {
                end = last_nl;
                if content.get(..end).is_some_and(|s| s.ends_with('\r')) {
                    end -= 1;
                }
            }
        } else if content.trim().is_empty() {
            end = skip_first;
        }
        let body = content.get(skip_first..end.max(skip_first)).unwrap_or("");
        let mut indent: Option<&str> = None;
        for line in body.split('\n') {
            if line.trim().is_empty() {
                continue;
            }
            let lead_len = line.len() - line.trim_start_matches([' ', '\t']).len();
            let lead = line.get(..lead_len).unwrap_or("");
            indent = Some(match indent {
                None => lead,
                Some(cur) => common_prefix(cur, lead),
            });
        }
        Dedent { skip_first, end: end.max(skip_first), indent: indent.unwrap_or("").to_string() }
    }
}

fn common_prefix<'a>(a: &'a str, b: &str) -> &'a str {
    let n = a.bytes().zip(b.bytes()).take_while(|(x, y)| x == y).count();
    a.get(..n).unwrap_or("")
}
