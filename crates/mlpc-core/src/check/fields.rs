//! Key/value bodies (pipeline settings, step fields, `retry { }`, param attributes):
//! duplicate keys, unknown keys with "did you mean", and missing required keys.

use crate::diagnostics::suggest::did_you_mean;
use crate::diagnostics::{Code, Diagnostic};
use crate::source::Span;
use crate::syntax::ast::{Expr, Field};

/// The fields of one body; keys are taken one by one, what is left is unknown.
pub struct Fields<'a> {
    entries: Vec<(&'a str, &'a Expr, Span, bool)>,
    /// What the body belongs to, for messages: "step `split` (processing)".
    owner: String,
    owner_span: Span,
    /// Keys of items that failed to parse: not reported as missing.
    broken: std::collections::HashSet<String>,
}

impl<'a> Fields<'a> {
    pub fn new(
        fields: impl IntoIterator<Item = &'a Field>,
        owner: String,
        owner_span: Span,
        diags: &mut Vec<Diagnostic>,
    ) -> Self {
        let mut entries: Vec<(&'a str, &'a Expr, Span, bool)> = Vec::new();
        let mut seen: std::collections::HashMap<&'a str, Span> = std::collections::HashMap::new();
        for field in fields {
            if let Some(first) = seen.get(field.key.node.as_str()) {
                diags.push(
                    Diagnostic::new(
                        Code::DuplicateName,
                        field.key.span,
                        format!("`{}` is set twice in {owner}", field.key.node),
                    )
                    .label("set again here")
                    .secondary(*first, "first set here")
                    .help("keep one of them"),
                );
                continue;
            }
            seen.insert(&field.key.node, field.key.span);
            entries.push((&field.key.node, &field.value, field.key.span, false));
        }
        Fields { entries, owner, owner_span, broken: Default::default() }
    }

    /// Keys whose items failed to parse, so a missing one is not reported again.
    pub fn with_broken(mut self, broken: &std::collections::HashSet<String>) -> Self {
        self.broken = broken.clone();
        self
    }

    /// The value of `key`, if present; marks it as known.
    pub fn get(&mut self, key: &str) -> Option<&'a Expr> {
        let entry = self.entries.iter_mut().find(|(k, ..)| *k == key)?;
        entry.3 = true;
        Some(entry.1)
    }

    /// The value of a required key; reports it missing at the owner's name.
    pub fn require(&mut self, key: &str, example: &str, diags: &mut Vec<Diagnostic>) -> Option<&'a Expr> {
        let value = self.get(key);
        if value.is_none() && !self.broken.contains(key) {
            diags.push(
                Diagnostic::new(Code::MissingKey, self.owner_span, format!("{} has no `{key}`", self.owner))
                    .label(format!("`{key}` is required here"))
                    .help(format!("add `{key} = {example}`")),
            );
        }
        value
    }

    /// The span of the key `key`, if present.
    pub fn key_span(&self, key: &str) -> Option<Span> {
        self.entries.iter().find(|(k, ..)| *k == key).map(|e| e.2)
    }

    /// Reports every key that was not taken, suggesting among `known`.
    pub fn finish(self, known: &[&str], diags: &mut Vec<Diagnostic>) {
        for (key, _, span, used) in self.entries {
            if used {
                continue;
            }
            let help = match did_you_mean(key, known.iter().copied()) {
                Some(s) => format!("did you mean `{s}`?"),
                None => format!(
                    "the keys here are: {}",
                    known.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ")
                ),
            };
            diags.push(
                Diagnostic::new(Code::UnknownKey, span, format!("unknown key `{key}` in {}", self.owner))
                    .label("unknown key")
                    .help(help),
            );
        }
    }
}
