//! `mlpc fmt`: one canonical layout for `.mlp` files (grammar/README.md, "Layout").
//!
//! The printer works from the syntax tree and the source text: names and operators
//! are printed from the tree, while strings, numbers, durations and dates are copied
//! from the source as written, so an escape or `1e3` is never rewritten. Comments are
//! not in the tree; `comments.rs` finds them and the printer puts each back beside
//! the item it was written with.
//!
//! Formatting must never change what a file means. Like black's safety check, every
//! result is parsed again and its tree compared with the original's, spans aside
//! (`same.rs`); a difference is an internal error and the file is left alone.

mod comments;
mod layout;
mod same;

use crate::diagnostics::Diagnostic;
use crate::syntax;

/// Why a file was not formatted.
#[derive(Debug)]
pub enum FormatError {
    /// The file does not parse: formatting would have to guess, so it is refused
    /// with the syntax errors, and left unchanged.
    Syntax(Vec<Diagnostic>),
    /// A bug in the formatter: its output would not parse, would mean something
    /// else, or lost a comment.
    Internal(String),
}

/// The file in the canonical layout. Idempotent: formatting the result changes
/// nothing.
///
/// Line breaks are LF, or CR LF when the file's first line break is one (a checkout on
/// Windows), so that `mlpc fmt --check` does not flag every file there. The layout is
/// computed on the text with LF line breaks: in a file that parses, a CR LF is a line
/// break wherever it stands (a one-line string ends at its line, a `"""` string drops
/// carriage returns), so the change means nothing, and the check below compares the
/// result with the tree of the file as it was.
pub fn format(text: &str) -> Result<String, FormatError> {
    let text = crate::source::cr_line_breaks(text);
    let original = syntax::parse(&text);
    if !original.errors.is_empty() {
        return Err(FormatError::Syntax(original.errors));
    }
    let crlf = text.find('\n').is_some_and(|n| text.get(..n).is_some_and(|line| line.ends_with('\r')));
    // Only a text with CR LF is parsed again, as LF: its spans are not the original's.
    let lf = text.contains("\r\n").then(|| {
        let lf = text.replace("\r\n", "\n");
        let parsed = syntax::parse(&lf);
        (lf, parsed)
    });
    let (text, file) = match &lf {
        Some((lf, parsed)) => (lf.as_str(), &parsed.file),
        None => (&*text, &original.file),
    };
    let comments = comments::find(text, file);
    let formatted = layout::print(text, file, &comments);

    let reparsed = syntax::parse(&formatted);
    if let Some(first) = reparsed.errors.first() {
        return Err(FormatError::Internal(format!(
            "the formatted text does not parse ({}: {})",
            first.code.as_str(),
            first.message
        )));
    }
    if !same::same_file(&original.file, &reparsed.file) {
        return Err(FormatError::Internal("the formatted text would mean something else".into()));
    }
    let mut before: Vec<&str> = comments.iter().map(|c| c.text).collect();
    let after_comments = comments::find(&formatted, &reparsed.file);
    let mut after: Vec<&str> = after_comments.iter().map(|c| c.text).collect();
    before.sort_unstable();
    after.sort_unstable();
    if before != after {
        return Err(FormatError::Internal("the formatted text lost or duplicated a comment".into()));
    }
    Ok(if crlf { formatted.replace('\n', "\r\n") } else { formatted })
}
