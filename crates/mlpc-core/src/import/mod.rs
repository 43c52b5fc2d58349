//! `mlpc import`: a SageMaker Pipeline definition back to `.mlp` (docs/import.md has
//! the mapping table). The reverse of `targets/sagemaker`: parameters become `param`s,
//! job steps become steps, property references become `in` bindings and `${…}`,
//! `DependsOn` becomes `after`, image URIs become `image` declarations.
//!
//! Nothing is dropped silently. Every field of every step is either mapped, or known
//! to be the service's default (`defaults.rs`), or reported: E0602 for what `.mlp`
//! cannot say (also written into the `.mlp` as a comment where it belongs), W0601 for
//! what the import changed without changing what the jobs compute. Pure: text in,
//! text and diagnostics out.

mod common;
mod context;
mod control;
mod defaults;
mod draft;
mod expr;
mod jobs;
mod pipeline;
mod prepass;
mod sql;
mod transform;
mod tuning;

use serde_json::Value as Json;

use crate::diagnostics::{Code, Diagnostic};
use crate::source::Span;

pub use context::Pointer;

/// The result of an import.
pub struct Imported {
    /// The pipeline in `mlpc fmt` layout; `None` when the input is not a definition.
    pub mlp: Option<String>,
    /// About the input: spans are in the JSON text.
    pub diagnostics: Vec<Diagnostic>,
    /// How many things were left out of the `.mlp` (each an E0602 and a comment).
    pub left_out: usize,
}

/// Imports a definition as `pipeline.definition()` writes it, or a DescribePipeline
/// response (its `PipelineDefinition` is the definition as a JSON string).
///
/// A definition does not hold its pipeline's name. The name is `name` when given;
/// else the one mlpc's output locations show (`<artifacts>/<NAME>/<run id>/…`); else a
/// DescribePipeline response's `PipelineName`; else `fallback` (the file's name). Any
/// is made an identifier (`-` as `_`).
pub fn import(text: &str, name: Option<&str>, fallback: &str) -> Imported {
    let parsed = match serde_json::from_str::<Json>(text) {
        Ok(json) => json,
        Err(e) => return not_a_definition(error_span(text, &e), format!("the file is not JSON: {e}")),
    };
    // A DescribePipeline response: the definition is a string inside it, so spans in it
    // cannot be shown; they point at the string as a whole.
    let described_name = parsed.get("PipelineName").and_then(Json::as_str).map(str::to_string);
    let parsed_parallelism = parsed.get("ParallelismConfiguration").cloned();
    let description = parsed.get("PipelineDescription").and_then(Json::as_str).map(str::to_string);
    let (definition, wrapped) = match parsed.get("PipelineDefinition") {
        Some(Json::String(inner)) => {
            let span = crate::ide::json_path::locate_value(
                text,
                &[crate::ide::json_path::Segment::Key("PipelineDefinition".into())],
            );
            match serde_json::from_str::<Json>(inner) {
                Ok(json) => (json, Some(span.unwrap_or_default())),
                Err(e) => {
                    return not_a_definition(span.unwrap_or_default(), format!("`PipelineDefinition` is not JSON: {e}"))
                }
            }
        }
        _ => (parsed, None),
    };
    if !definition.get("Steps").is_some_and(Json::is_array) {
        let what = match &definition {
            Json::Object(_) => "a JSON object without a `Steps` list",
            _ => "JSON, but not an object",
        };
        return not_a_definition(
            wrapped.unwrap_or(Span::new(0, text.len().min(1))),
            format!("the file is {what}: not a SageMaker pipeline definition"),
        );
    }
    let mut cx = context::Context::new(text, wrapped);
    let name = name
        .map(str::to_string)
        .or_else(|| pipeline::layout_name(&definition))
        .or(described_name)
        .unwrap_or_else(|| fallback.to_string());
    let mut drafted = pipeline::pipeline(&mut cx, &definition, &name);
    // Of a DescribePipeline response's other fields, only this one changes a run.
    if let Some(config) = parsed_parallelism.filter(|c| !c.is_null()) {
        let at = Pointer::default().key("ParallelismConfiguration");
        cx.left_out(
            &at,
            &format!("the pipeline's ParallelismConfiguration {}", context::short(&config)),
            "`.mlp` has no limit on how many steps run at once (Airflow's max_active_tasks, for one, is set on the DAG)",
            &mut drafted.notes,
        );
    }
    if let Some(description) = description.filter(|d| !d.is_empty()) {
        drafted.settings.insert(0, ("description".into(), expr::quote(&description)));
    }
    let raw = draft::print(&drafted);
    let mlp = match crate::fmt::format(&raw) {
        Ok(formatted) => formatted,
        Err(_) => {
            cx.diags.push(
                Diagnostic::new(Code::CannotImport, Span::default(), "the imported pipeline could not be formatted")
                    .help("this is a bug in mlpc import: the .mlp is written unformatted; please report it with the definition"),
            );
            raw
        }
    };
    let left_out = cx.left_out_count;
    Imported { mlp: Some(mlp), diagnostics: cx.finish(), left_out }
}

fn not_a_definition(span: Span, message: String) -> Imported {
    let d = Diagnostic::new(Code::NotADefinition, span, message)
        .label("not a definition")
        .help("give the JSON that `pipeline.definition()` returns, or a DescribePipeline response, e.g. `aws sagemaker describe-pipeline --pipeline-name NAME`");
    Imported { mlp: None, diagnostics: vec![d], left_out: 0 }
}

/// The place serde_json reports an error at (line and column, 1-based).
fn error_span(text: &str, e: &serde_json::Error) -> Span {
    if e.line() == 0 {
        return Span::default();
    }
    let line_start = text.match_indices('\n').nth(e.line().saturating_sub(2)).map_or(0, |(i, _)| i + 1);
    let line_start = if e.line() == 1 { 0 } else { line_start };
    let mut start = (line_start + e.column().saturating_sub(1)).min(text.len());
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    let end = text.get(start..).and_then(|rest| rest.chars().next()).map_or(start, |c| start + c.len_utf8());
    Span::new(start, end)
}
