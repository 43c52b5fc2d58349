//! Source text, byte spans and the line index used only when rendering.

use std::ops::Range;

/// A byte range in the source text. Every syntax node and IR node carries one.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Span {
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Span {
        Span { start: to_u32(start), end: to_u32(end.max(start)) }
    }

    /// The smallest span covering both.
    pub fn to(self, other: Span) -> Span {
        Span { start: self.start.min(other.start), end: self.end.max(other.end) }
    }

    pub fn range(self) -> Range<usize> {
        self.start as usize..self.end as usize
    }

    pub fn len(self) -> usize {
        (self.end - self.start) as usize
    }

    pub fn is_empty(self) -> bool {
        self.start == self.end
    }
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

impl From<Span> for miette::SourceSpan {
    fn from(span: Span) -> Self {
        miette::SourceSpan::new((span.start as usize).into(), span.len())
    }
}

/// A name or value together with where it was written.
#[derive(Clone, Debug, PartialEq)]
pub struct Spanned<T> {
    pub node: T,
    pub span: Span,
}

impl<T> Spanned<T> {
    pub fn new(node: T, span: Span) -> Self {
        Spanned { node, span }
    }
}

/// One input file: its display name and its text.
#[derive(Clone, Debug)]
pub struct SourceFile {
    pub name: String,
    pub text: String,
}

impl SourceFile {
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Self {
        let text = text.into();
        let text = match cr_line_breaks(&text) {
            std::borrow::Cow::Owned(lf) => lf,
            std::borrow::Cow::Borrowed(_) => text,
        };
        SourceFile { name: name.into(), text }
    }
}

/// A file whose lines end in a lone CR (classic Mac OS), with LF instead: the same
/// length, so every offset stays, and lines are lines for the parser and in messages.
/// A file with any LF is left alone: there a CR is CRLF's or part of a value.
pub fn cr_line_breaks(text: &str) -> std::borrow::Cow<'_, str> {
    if text.contains('\r') && !text.contains('\n') {
        std::borrow::Cow::Owned(text.replace('\r', "\n"))
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

/// Maps byte offsets to 1-based line and column (columns count characters).
pub struct LineIndex<'a> {
    text: &'a str,
    line_starts: Vec<usize>,
    /// Per line, whether it is all ASCII: there a column is a byte count, found
    /// without walking the line (an error storm on one long line has a diagnostic per
    /// byte, and walking made the columns quadratic).
    ascii: Vec<bool>,
}

impl<'a> LineIndex<'a> {
    pub fn new(text: &'a str) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        let ascii = line_starts
            .iter()
            .enumerate()
            .map(|(i, &start)| {
                let end = line_starts.get(i + 1).copied().unwrap_or(text.len());
                text.as_bytes().get(start..end).is_some_and(<[u8]>::is_ascii)
            })
            .collect();
        LineIndex { text, line_starts, ascii }
    }

    /// 1-based (line, column) of a byte offset; offsets past the end clamp to the end.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = self.line_starts.partition_point(|&s| s <= offset).max(1);
        let start = self.line_starts.get(line - 1).copied().unwrap_or(0);
        let column = if self.ascii.get(line - 1).copied().unwrap_or(false) {
            offset - start
        } else {
            self.text.get(start..offset).map_or(offset - start, |s| s.chars().count())
        };
        (line, column + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::LineIndex;

    #[test]
    fn columns_count_characters_on_any_line() {
        let text = "ab\nçé x\n\nlast";
        let index = LineIndex::new(text);
        assert_eq!(index.line_col(0), (1, 1));
        assert_eq!(index.line_col(2), (1, 3));
        assert_eq!(index.line_col(3), (2, 1));
        // `x` is byte 8 of the text, the fourth character of its line.
        assert_eq!(index.line_col(text.find('x').unwrap_or(0)), (2, 4));
        assert_eq!(index.line_col(text.find("last").unwrap_or(0) + 2), (4, 3));
        assert_eq!(index.line_col(10_000), (4, 5));
    }
}
