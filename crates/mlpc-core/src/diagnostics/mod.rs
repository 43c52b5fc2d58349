//! Diagnostics as data: every phase pushes `Diagnostic`s; `render` turns them into
//! miette reports, JSON or SARIF. Nothing here decides whether compilation goes on.

pub mod codes;
pub mod render;
pub mod sarif;
pub mod suggest;

pub use codes::Code;

use crate::source::Span;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Error,
    Warning,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// A span with the text that says what is wrong (or relevant) there.
#[derive(Clone, Debug, PartialEq)]
pub struct Label {
    pub span: Span,
    pub text: String,
}

/// One problem found in the input.
#[derive(Clone, Debug, PartialEq)]
pub struct Diagnostic {
    pub code: Code,
    pub severity: Severity,
    /// States the problem, in one sentence without a final period.
    pub message: String,
    /// Says what is wrong at this place.
    pub primary: Label,
    /// "defined here", "also used here", the other edges of a cycle...
    pub secondary: Vec<Label>,
    /// How to fix it.
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn new(code: Code, span: Span, message: impl Into<String>) -> Self {
        Diagnostic {
            code,
            severity: code.severity(),
            message: message.into(),
            primary: Label { span, text: String::new() },
            secondary: Vec::new(),
            help: None,
        }
    }

    pub fn label(mut self, text: impl Into<String>) -> Self {
        self.primary.text = text.into();
        self
    }

    pub fn secondary(mut self, span: Span, text: impl Into<String>) -> Self {
        self.secondary.push(Label { span, text: text.into() });
        self
    }

    pub fn help(mut self, text: impl Into<String>) -> Self {
        self.help = Some(text.into());
        self
    }

    /// The message, what the label says and the help as one text, for formats that
    /// show a single text at the place (SARIF, the language server).
    pub fn one_text(&self) -> String {
        let mut text = self.message.clone();
        if !self.primary.text.is_empty() {
            text.push_str(&format!(": {}", self.primary.text));
        }
        if let Some(help) = &self.help {
            text.push_str(&format!("\nhelp: {help}"));
        }
        text
    }

    /// Adds the help only when there is one.
    pub fn maybe_help(mut self, text: Option<String>) -> Self {
        if text.is_some() {
            self.help = text;
        }
        self
    }

    pub fn span(&self) -> Span {
        self.primary.span
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// Sorts diagnostics by position, then code, and drops exact duplicates, so every
/// run prints the same list in the same order.
pub fn sort(diagnostics: &mut Vec<Diagnostic>) {
    diagnostics.sort_by(|a, b| {
        (a.primary.span.start, a.primary.span.end, a.code, &a.message).cmp(&(
            b.primary.span.start,
            b.primary.span.end,
            b.code,
            &b.message,
        ))
    });
    diagnostics.dedup();
}
