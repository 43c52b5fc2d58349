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
    let source = NamedSource::new(file.name.clone(), file.text.clone()).with_language("mlp");
    let mut out = String::new();
    for diagnostic in diagnostics {
        if !out.is_empty() {
            out.push('\n');
        }
        let report = Report { diagnostic, source: &source };
        if handler.render_report(&mut out, &report).is_err() {
            out.push_str(&format!("{}[{}]: {}\n", diagnostic.severity.as_str(), diagnostic.code, diagnostic.message));
        }
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
