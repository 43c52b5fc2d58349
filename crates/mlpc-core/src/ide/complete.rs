//! What may be typed at an offset. The text before the cursor on its line says where
//! it is (after `STEP.`, `params.`, `config.a.`, a step's `:`, an `=`, or at the start
//! of an item); the syntax tree, as recovered, says which steps, outputs and params
//! exist and which step the cursor is in. The line is what is being typed, so it
//! rarely parses: the tree cannot be asked about it.

use serde_json::Value;

use super::{json_path, Document};
use crate::check::{describe_json, SETTINGS};
use crate::kinds::Kind;
use crate::syntax::ast::{Item, StepItem};

#[derive(Clone, Debug, PartialEq)]
pub struct Completion {
    pub label: String,
    pub kind: CompletionKind,
    /// A type, a kind, a value: shown beside the label.
    pub detail: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CompletionKind {
    Step,
    Output,
    Param,
    Image,
    ConfigKey,
    StepKind,
    Key,
    Keyword,
}

impl Document {
    /// Completions at `offset`; `config` is the config file's JSON.
    pub fn completions(&self, offset: usize, config: Option<&Value>) -> Vec<Completion> {
        let text = self.text();
        let offset = (0..=offset.min(text.len())).rev().find(|i| text.is_char_boundary(*i)).unwrap_or(0);
        let line_start = text.get(..offset).and_then(|t| t.rfind('\n')).map_or(0, |n| n + 1);
        let before = text.get(line_start..offset).unwrap_or("");

        let path_start =
            before.rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.')).map_or(0, |n| n + 1);
        let word = before.get(path_start..).unwrap_or("");
        if let Some((qualifier, _)) = word.rsplit_once('.') {
            return self.members(qualifier, config);
        }
        let head = before.get(..path_start).unwrap_or("").trim_end();
        if is_kind_position(head) {
            return Kind::ALL
                .iter()
                .map(|k| item(k.name(), CompletionKind::StepKind, Some(k.info().runs_as.to_string())))
                .collect();
        }
        if head.is_empty() {
            return self.keys_at(offset);
        }
        if head.ends_with('=') || head.ends_with('[') || head.ends_with(',') || head.ends_with("not") {
            return self.values(head);
        }
        Vec::new()
    }

    /// After `QUALIFIER.`: a step's outputs, the params, config keys, `run.id`/`run.date`.
    fn members(&self, qualifier: &str, config: Option<&Value>) -> Vec<Completion> {
        let segments: Vec<&str> = qualifier.split('.').collect();
        match segments.as_slice() {
            ["params"] => {
                self.params().map(|p| item(&p.name.node, CompletionKind::Param, Some(p.ty.node.clone()))).collect()
            }
            ["run"] => vec![
                item("id", CompletionKind::Key, Some("the run's id".into())),
                item("date", CompletionKind::Key, Some("the run's date".into())),
            ],
            ["config", keys @ ..] => {
                let path: Vec<String> = keys.iter().map(|k| k.to_string()).collect();
                let object = config.and_then(|c| json_path::value(c, &path)).and_then(Value::as_object);
                object
                    .into_iter()
                    .flatten()
                    .map(|(key, value)| item(key, CompletionKind::ConfigKey, Some(describe_json(value).into())))
                    .collect()
            }
            [step] => self
                .step(step)
                .into_iter()
                .flat_map(|s| &s.items)
                .filter_map(|i| match i {
                    StepItem::Output(o) => {
                        Some(item(&o.name.node, CompletionKind::Output, Some(self.slice(o.ty.span).to_string())))
                    }
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        }
    }

    /// At the start of an item: the keys the body takes and the item keywords.
    fn keys_at(&self, offset: usize) -> Vec<Completion> {
        let Some(pipeline) = self.pipeline() else {
            return vec![item("pipeline", CompletionKind::Keyword, None)];
        };
        let inside = |span: crate::source::Span| (span.start as usize) < offset && offset < span.end as usize;
        let step = pipeline.items.iter().find_map(|i| match i {
            Item::Step(step) if inside(step.span) => Some(step),
            _ => None,
        });
        match step {
            Some(step) => {
                let kind = Kind::from_name(&step.kind.node);
                let mut out: Vec<Completion> = kind
                    .into_iter()
                    .flat_map(Kind::keys)
                    .map(|k| item(k, CompletionKind::Key, Some(format!("a key of {}", step.kind.node))))
                    .collect();
                out.push(item("in", CompletionKind::Keyword, Some("in NAME = STEP.OUTPUT".into())));
                out.push(item("out", CompletionKind::Keyword, Some("out NAME: TYPE".into())));
                out
            }
            None if inside(pipeline.span) => {
                let mut out: Vec<Completion> =
                    SETTINGS.iter().map(|k| item(k, CompletionKind::Key, Some("a pipeline setting".into()))).collect();
                for (keyword, detail) in [
                    ("param", "param NAME: TYPE = DEFAULT"),
                    ("image", "image NAME = URI"),
                    ("step", "step NAME: KIND"),
                ] {
                    out.push(item(keyword, CompletionKind::Keyword, Some(detail.into())));
                }
                out
            }
            None => Vec::new(),
        }
    }

    /// After `=`, in a list or after `not`: steps, images and the roots of paths.
    fn values(&self, head: &str) -> Vec<Completion> {
        let key = head.trim_start().split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).next().unwrap_or("");
        let steps = |only_conditions: bool| {
            self.steps()
                .filter(move |s| !only_conditions || s.kind.node == "condition")
                .map(|s| item(&s.name.node, CompletionKind::Step, Some(s.kind.node.clone())))
                .collect::<Vec<_>>()
        };
        match key {
            "image" => self
                .images()
                .map(|i| item(&i.name.node, CompletionKind::Image, Some(self.slice(i.value.span).to_string())))
                .collect(),
            "when" => steps(true),
            "after" => steps(false),
            _ => {
                let mut out = steps(false);
                for root in ["params", "config", "run"] {
                    out.push(item(root, CompletionKind::Keyword, None));
                }
                out
            }
        }
    }
}

/// `step NAME:` with the kind still to come.
fn is_kind_position(head: &str) -> bool {
    let Some(rest) = head.trim_start().strip_prefix("step") else { return false };
    let Some(name) = rest.strip_suffix(':') else { return false };
    let name = name.trim();
    rest.starts_with([' ', '\t']) && !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn item(label: &str, kind: CompletionKind, detail: Option<String>) -> Completion {
    Completion { label: label.to_string(), kind, detail }
}
