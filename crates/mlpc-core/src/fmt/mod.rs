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
pub fn format(text: &str) -> Result<String, FormatError> {
    let text = crate::source::cr_line_breaks(text);
    let parsed = syntax::parse(&text);
    if !parsed.errors.is_empty() {
        return Err(FormatError::Syntax(parsed.errors));
    }
    let comments = comments::find(&text, &parsed.file);
    let formatted = layout::print(&text, &parsed.file, &comments);

    let reparsed = syntax::parse(&formatted);
    if let Some(first) = reparsed.errors.first() {
        return Err(FormatError::Internal(format!(
            "the formatted text does not parse ({}: {})",
            first.code.as_str(),
            first.message
        )));
    }
    if !same::same_file(&parsed.file, &reparsed.file) {
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
    Ok(formatted)
}
