//! Turns diagnostics into text for people (miette's graphical reports) or JSON for
//! tools. Rendering is deterministic: no colour unless asked, a fixed width.

use std::fmt;

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource};
use serde_json::{json, Value};

use super::{Diagnostic, Severity};
use crate::source::{LineIndex, SourceFile};

/// How human-readable output looks.
#[derive(Clone, Copy, Debug)]
pub struct Style {
    pub color: bool,
    pub width: usize,
}

impl Default for Style {
    fn default() -> Self {
        Style { color: false, width: 100 }
    }
}

/// Renders every diagnostic as a miette report, in order, separated by blank lines.
pub fn human(diagnostics: &[Diagnostic], file: &SourceFile, style: Style) -> String {
    if diagnostics.is_empty() {
        return String::new();
    }
    let theme = if style.color { GraphicalTheme::unicode() } else { GraphicalTheme::unicode_nocolor() };
    let handler = GraphicalReportHandler::new_themed(theme).with_width(style.width).with_links(false);
    let source = NamedSource::new(printable(&file.name), inert(&file.text)).with_language("mlp");
    let index = LineIndex::new(&file.text);
    let mut out = String::new();
    for diagnostic in diagnostics.iter().take(MAX_SHOWN) {
        if !out.is_empty() {
            out.push('\n');
        }
        if let Some(width) = too_wide(diagnostic, &file.text) {
            out.push_str(&without_snippet(&shown(diagnostic), file, &index, width));
            continue;
        }
        let shown = shown(diagnostic);
        let report = Report { diagnostic: &shown, source: &source };
        if handler.render_report(&mut out, &report).is_err() {
            out.push_str(&format!("{}[{}]: {}\n", diagnostic.severity.as_str(), diagnostic.code, diagnostic.message));
        }
    }
    if let Some(more) = diagnostics.len().checked_sub(MAX_SHOWN).filter(|n| *n > 0) {
        out.push_str(&format!(
            "\n… and {more} more (the first {MAX_SHOWN} are shown; `--format json` lists every one)\n"
        ));
    }
    out
}

/// Diagnostics shown per file in the human format: a storm of thousands (a file of
/// stray brackets, a generated file gone wrong) is summarised, not printed; the JSON
/// format keeps them all.
pub const MAX_SHOWN: usize = 100;

/// A source's text as it may reach a terminal: every control character other than tab
/// and line breaks (ESC, NUL, a lone CR, DEL, C1 controls) and every bidirectional
/// override becomes `?`, once per byte, so that spans still fall where they did.
fn inert(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        let keep = match c {
            '\t' | '\n' => true,
            '\r' => chars.peek() == Some(&'\n'),
            c => !dangerous(c),
        };
        if keep {
            out.push(c);
        } else {
            out.extend(std::iter::repeat_n('?', c.len_utf8()));
        }
    }
    out
}

/// Control characters and the bidirectional controls that reorder what a terminal shows.
fn dangerous(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}')
}

/// A message as it may reach a terminal: dangerous characters escaped (`\u{1b}`).
pub fn printable(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(|c| dangerous(c) && c != '\n') {
        return std::borrow::Cow::Borrowed(text);
    }
    std::borrow::Cow::Owned(
        text.chars()
            .map(|c| if dangerous(c) && c != '\n' { c.escape_unicode().to_string() } else { c.to_string() })
            .collect(),
    )
}

/// The diagnostic with its texts made printable.
fn shown(d: &Diagnostic) -> Diagnostic {
    let mut out = d.clone();
    out.message = printable(&d.message).into_owned();
    out.primary.text = printable(&d.primary.text).into_owned();
    for label in &mut out.secondary {
        label.text = printable(&label.text).into_owned();
    }
    out.help = d.help.as_deref().map(|h| printable(h).into_owned());
    out
}

/// Longest source line shown under a diagnostic. Past it the snippet would be
/// unreadable anyway, and miette cannot pad columns beyond 65,535.
const MAX_SNIPPET_LINE: usize = 4096;

/// The length of the longest line a label of `diagnostic` is on, when over the limit.
fn too_wide(diagnostic: &Diagnostic, text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let line_len = |offset: u32| {
        let offset = (offset as usize).min(bytes.len());
        let (before, after) = bytes.split_at(offset);
        let start = before.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        let end = after.iter().position(|&b| b == b'\n').map_or(bytes.len(), |i| offset + i);
        end - start
    };
    std::iter::once(&diagnostic.primary)
        .chain(&diagnostic.secondary)
        .flat_map(|l| [line_len(l.span.start), line_len(l.span.end)])
        .max()
        .filter(|&n| n > MAX_SNIPPET_LINE)
}

/// A diagnostic whose line is too long to show: its place as `file:line:column`.
fn without_snippet(diagnostic: &Diagnostic, file: &SourceFile, index: &LineIndex, width: usize) -> String {
    let (line, column) = index.line_col(diagnostic.primary.span.start as usize);
    let mut out = format!(
        "{}({})\n\n  × {}\n   at {}:{line}:{column}",
        diagnostic.code,
        diagnostic.code.name(),
        diagnostic.message,
        printable(&file.name)
    );
    if !diagnostic.primary.text.is_empty() {
        out.push_str(&format!(": {}", diagnostic.primary.text));
    }
    out.push_str(&format!(" (a line of {width} bytes: not shown)\n"));
    for label in &diagnostic.secondary {
        let (line, column) = index.line_col(label.span.start as usize);
        out.push_str(&format!("   at {}:{line}:{column}: {}\n", printable(&file.name), label.text));
    }
    if let Some(help) = &diagnostic.help {
        out.push_str(&format!("  help: {help}\n"));
    }
    out
}

/// One line per file: "file: 2 errors, 1 warning".
pub fn summary(diagnostics: &[Diagnostic], file_name: &str) -> Option<String> {
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    let warnings = diagnostics.len() - errors;
    if diagnostics.is_empty() {
        return None;
    }
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    let mut parts = Vec::new();
    if errors > 0 {
        parts.push(plural(errors, "error"));
    }
    if warnings > 0 {
        parts.push(plural(warnings, "warning"));
    }
    Some(format!("{file_name}: {}", parts.join(", ")))
}

/// Machine-readable diagnostics: one object per diagnostic, positions 1-based.
pub fn json(diagnostics: &[Diagnostic], file: &SourceFile) -> Vec<Value> {
    let index = LineIndex::new(&file.text);
    let position = |offset: u32| {
        let (line, column) = index.line_col(offset as usize);
        json!({ "line": line, "column": column, "offset": offset })
    };
    diagnostics
        .iter()
        .map(|d| {
            let (line, column) = index.line_col(d.primary.span.start as usize);
            let (end_line, end_column) = index.line_col(d.primary.span.end as usize);
            let labels: Vec<Value> = std::iter::once(&d.primary)
                .chain(d.secondary.iter())
                .map(|l| json!({ "start": position(l.span.start), "end": position(l.span.end), "text": l.text }))
                .collect();
            json!({
                "file": file.name,
                "line": line,
                "column": column,
                "end_line": end_line,
                "end_column": end_column,
                "code": d.code.as_str(),
                "name": d.code.name(),
                "severity": d.severity.as_str(),
                "message": d.message,
                "help": d.help,
                "labels": labels,
            })
        })
        .collect()
}

/// Adapts a `Diagnostic` to miette's trait for rendering.
struct Report<'a> {
    diagnostic: &'a Diagnostic,
    source: &'a NamedSource<String>,
}

impl fmt::Debug for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.diagnostic, f)
    }
}

impl fmt::Display for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.diagnostic.message)
    }
}

impl std::error::Error for Report<'_> {}

impl miette::Diagnostic for Report<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        let code = self.diagnostic.code;
        Some(Box::new(format!("{}({})", code.as_str(), code.name())))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.diagnostic.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        })
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.diagnostic.help.as_ref().map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let primary = &self.diagnostic.primary;
        let text = |t: &String| (!t.is_empty()).then(|| t.clone());
        let first = LabeledSpan::new_primary_with_span(text(&primary.text), primary.span);
        let rest = self.diagnostic.secondary.iter().map(move |l| LabeledSpan::new_with_span(text(&l.text), l.span));
        Some(Box::new(std::iter::once(first).chain(rest)))
    }
}
