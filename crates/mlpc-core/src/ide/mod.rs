//! Editor queries on one file, for the language server (`src/lsp/`): what a name at an
//! offset refers to (`definition`), what to show over it (`hover`), what may be typed
//! there (`complete.rs`), every place it is written and renaming it (`references.rs`),
//! and the file's outline (`symbols.rs`). Pure, like the rest of
//! the core: the text and the config file's JSON come in, byte spans and text go out;
//! the server converts positions and reads files.
//!
//! Queries read the syntax tree as parsing recovered it, so they answer on a file with
//! errors too: a broken item is missing, the rest is there.

mod complete;
pub(crate) mod json_path;
mod references;
mod symbols;

pub use complete::{Completion, CompletionKind};
pub use json_path::locate as config_key_location;
pub use symbols::{Symbol, SymbolKind};

use serde_json::Value;

use crate::source::Span;
use crate::syntax::ast::{
    plain_text, ExprKind, File, Image, Item, Output, Param, Path, Pipeline, Step, StepItem, StrPart,
};

/// A file parsed for queries.
pub struct Document {
    text: String,
    file: File,
}

/// Where a name is declared: in this file, or a key path in the config file.
#[derive(Debug, PartialEq)]
pub enum Definition {
    Here(Span),
    Config(Vec<String>),
}

/// What to show over a name: the span it covers and Markdown.
#[derive(Debug, PartialEq)]
pub struct Hover {
    pub span: Span,
    pub markdown: String,
}

/// What a name refers to.
enum Ref<'a> {
    Step(&'a Step),
    Output(&'a Step, &'a Output),
    Param(&'a Param),
    Image(&'a Image),
    Config(Vec<String>),
}

impl Document {
    pub fn parse(text: impl Into<String>) -> Document {
        let text = text.into();
        let file = crate::syntax::parse(&text).file;
        Document { text, file }
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    fn pipeline(&self) -> Option<&Pipeline> {
        self.file.pipelines.first()
    }

    /// The `config = "FILE"` setting, the JSON file config paths read.
    pub fn config_file(&self) -> Option<String> {
        self.pipeline()?.items.iter().find_map(|item| match item {
            Item::Setting(field) if field.key.node == "config" => match &field.value.kind {
                ExprKind::Str(parts) => match parts.as_slice() {
                    [StrPart::Text(path)] => Some(path.clone()),
                    _ => None,
                },
                _ => None,
            },
            _ => None,
        })
    }

    fn steps(&self) -> impl Iterator<Item = &Step> {
        self.pipeline().into_iter().flat_map(|p| &p.items).filter_map(|item| match item {
            Item::Step(step) => Some(step),
            _ => None,
        })
    }

    fn step(&self, name: &str) -> Option<&Step> {
        self.steps().find(|s| s.name.node == name)
    }

    fn params(&self) -> impl Iterator<Item = &Param> {
        self.pipeline().into_iter().flat_map(|p| &p.items).filter_map(|item| match item {
            Item::Param(param) => Some(param),
            _ => None,
        })
    }

    fn images(&self) -> impl Iterator<Item = &Image> {
        self.pipeline().into_iter().flat_map(|p| &p.items).filter_map(|item| match item {
            Item::Image(image) => Some(image),
            _ => None,
        })
    }

    /// Where what is named at `offset` is declared.
    pub fn definition(&self, offset: usize) -> Option<Definition> {
        let (_, target) = self.reference_at(offset)?;
        Some(match target {
            Ref::Step(step) => Definition::Here(step.name.span),
            Ref::Output(_, output) => Definition::Here(output.name.span),
            Ref::Param(param) => Definition::Here(param.name.span),
            Ref::Image(image) => Definition::Here(image.name.span),
            Ref::Config(path) => Definition::Config(path),
        })
    }

    /// What to show over the name at `offset`; `config` is the config file's JSON.
    pub fn hover(&self, offset: usize, config: Option<&Value>) -> Option<Hover> {
        let (span, target) = self.reference_at(offset)?;
        let markdown = match target {
            Ref::Step(step) => {
                let mut text = format!("```mlp\nstep {}: {}\n```", step.name.node, step.kind.node);
                for item in &step.items {
                    if let StepItem::Output(output) = item {
                        text.push_str(&format!("\n- `out {}: {}`", output.name.node, self.slice(output.ty.span)));
                    }
                }
                text
            }
            Ref::Output(step, output) => format!(
                "```mlp\nout {}: {}\n```\nan output of step `{}` ({})",
                output.name.node,
                self.slice(output.ty.span),
                step.name.node,
                step.kind.node
            ),
            Ref::Param(param) => {
                let mut text = format!("```mlp\nparam {}: {}", param.name.node, param.ty.node);
                match &param.default {
                    Some(default) => text.push_str(&format!(" = {}\n```", self.slice(default.span))),
                    None => text.push_str("\n```\nrequired: every run must give it"),
                }
                for attribute in &param.attributes {
                    if attribute.key.node == "description" {
                        if let ExprKind::Str(parts) = &attribute.value.kind {
                            text.push_str(&format!("\n\n{}", plain_text(parts)));
                        }
                    }
                }
                text
            }
            Ref::Image(image) => format!("```mlp\nimage {} = {}\n```", image.name.node, self.slice(image.value.span)),
            Ref::Config(path) => {
                let shown = format!("config.{}", path.join("."));
                match config.and_then(|c| json_path::value(c, &path)) {
                    Some(value) => {
                        let mut json = serde_json::to_string_pretty(value).unwrap_or_default();
                        if json.len() > 2000 {
                            let cut = (0..=2000).rev().find(|i| json.is_char_boundary(*i)).unwrap_or(0);
                            json.truncate(cut);
                            json.push_str("\n…");
                        }
                        format!("`{shown}` in the config file:\n```json\n{json}\n```")
                    }
                    None if config.is_none() => format!("`{shown}`: the config file could not be read"),
                    None => format!("`{shown}` is not in the config file"),
                }
            }
        };
        Some(Hover { span, markdown })
    }

    fn slice(&self, span: Span) -> &str {
        self.text.get(span.range()).unwrap_or("")
    }

    /// The name at `offset` (a path segment or a declaration's name; the offset may be
    /// just after its last character) and what it refers to.
    fn reference_at(&self, offset: usize) -> Option<(Span, Ref<'_>)> {
        let covers = |span: Span| (span.start as usize) <= offset && offset <= span.end as usize;
        for step in self.steps() {
            if covers(step.name.span) {
                return Some((step.name.span, Ref::Step(step)));
            }
            for item in &step.items {
                if let StepItem::Output(output) = item {
                    if covers(output.name.span) {
                        return Some((output.name.span, Ref::Output(step, output)));
                    }
                }
            }
        }
        if let Some(param) = self.params().find(|p| covers(p.name.span)) {
            return Some((param.name.span, Ref::Param(param)));
        }
        if let Some(image) = self.images().find(|i| covers(i.name.span)) {
            return Some((image.name.span, Ref::Image(image)));
        }
        let mut found = None;
        each_path(self.pipeline()?, &mut |path| {
            if found.is_none() && covers(path.span) {
                found = Some(path.clone());
            }
        });
        let path = found?;
        let texts: Vec<String> = path.segments.iter().map(|s| s.text().to_string()).collect();
        let at = path.segments.iter().position(|s| covers(s.span())).unwrap_or(0);
        let span_at = |k: usize| path.segments.get(k).map_or(path.span, |s| s.span());
        match texts.first().map(String::as_str) {
            Some("params") => {
                let param = self.params().find(|p| Some(&p.name.node) == texts.get(1))?;
                Some((span_at(1), Ref::Param(param)))
            }
            Some("config") => {
                let end = at.max(1) + 1;
                let keys = texts.get(1..end.min(texts.len()))?.to_vec();
                (!keys.is_empty()).then(|| (span_at(at.max(1)), Ref::Config(keys)))
            }
            Some(name) => {
                if let Some(step) = self.step(name) {
                    if at >= 1 {
                        let output = step.items.iter().find_map(|item| match item {
                            StepItem::Output(o) if Some(&o.name.node) == texts.get(1) => Some(o),
                            _ => None,
                        })?;
                        return Some((span_at(1), Ref::Output(step, output)));
                    }
                    return Some((span_at(0), Ref::Step(step)));
                }
                let image = self.images().find(|i| i.name.node == name)?;
                Some((span_at(0), Ref::Image(image)))
            }
            None => None,
        }
    }
}

/// Calls `f` with every path of the pipeline: values, conditions, interpolations.
fn each_path<'a>(pipeline: &'a Pipeline, f: &mut dyn FnMut(&'a Path)) {
    pipeline.each_value(&mut |_, value| {
        value.walk(&mut |expr| match &expr.kind {
            ExprKind::Path(path) => f(path),
            ExprKind::Str(parts) => {
                for part in parts {
                    if let StrPart::Interpolation(path) = part {
                        f(path);
                    }
                }
            }
            ExprKind::Int(_)
            | ExprKind::Float(_)
            | ExprKind::Bool(_)
            | ExprKind::Duration(_)
            | ExprKind::Date(_)
            | ExprKind::List(_)
            | ExprKind::Map(_)
            | ExprKind::Call(..)
            | ExprKind::Binary(..)
            | ExprKind::Not(_)
            | ExprKind::Group(_) => {}
        })
    });
}
