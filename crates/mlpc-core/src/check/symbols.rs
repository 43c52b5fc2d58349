//! The symbol table: every declared param, image, step and output, found before any
//! reference is resolved, with duplicate names reported once each.

use std::collections::HashMap;

use crate::diagnostics::{Code, Diagnostic};
use crate::ir::{ArtifactType, Format, ParamType, StepId};
use crate::source::Span;
use crate::syntax::ast::{self, Item, StepItem, TypeExpr};

/// The roots of references that are not steps: `params.X`, `config.a.b`, `run.id`. A
/// step with one of these names could never be referenced.
pub const RESERVED_ROOTS: [&str; 3] = ["params", "config", "run"];

/// E0506 for a step named like a reference root.
fn reserved_step_name(step: &ast::Step, root: &str) -> Diagnostic {
    Diagnostic::new(
        Code::ReservedName,
        step.name.span,
        format!(
            "a step cannot be named `{root}`: `{root}.…` always means the {}",
            match root {
                "params" => "pipeline's parameters",
                "config" => "values of the config file",
                _ => "run's own values (`run.id`)",
            }
        ),
    )
    .label("reserved name")
    .help(format!("rename the step, e.g. `{root}_step` or a name that says what it does"))
}

pub struct StepSymbol<'a> {
    pub ast: &'a ast::Step,
    /// Outputs in source order; the type is `None` when it was invalid (reported).
    pub outputs: Vec<(String, Option<ArtifactType>, Span)>,
    /// The file and schema of each `report` output, by output name: known before any
    /// step is lowered, so that a step may read a report declared further down.
    pub reports: Vec<(String, crate::ir::Report)>,
}

impl StepSymbol<'_> {
    pub fn report(&self, output: &str) -> Option<&crate::ir::Report> {
        self.reports.iter().find(|(n, _)| n == output).map(|(_, r)| r)
    }
}

#[derive(Default)]
pub struct Symbols<'a> {
    pub params: Vec<(&'a ast::Param, Option<ParamType>)>,
    pub images: Vec<&'a ast::Image>,
    pub steps: Vec<StepSymbol<'a>>,
    step_index: HashMap<&'a str, StepId>,
}

impl<'a> Symbols<'a> {
    pub fn collect(pipeline: &'a ast::Pipeline, diags: &mut Vec<Diagnostic>) -> Self {
        let mut symbols = Symbols::default();
        let mut seen: HashMap<&str, (Span, &str)> = HashMap::new();
        let mut declare = |name: &'a ast::Ident, what: &'static str, diags: &mut Vec<Diagnostic>| {
            if let Some((first, first_what)) = seen.get(name.node.as_str()) {
                diags.push(duplicate(&name.node, name.span, *first, first_what, what));
                false
            } else {
                seen.insert(&name.node, (name.span, what));
                true
            }
        };
        for item in &pipeline.items {
            match item {
                Item::Param(p) => {
                    if declare(&p.name, "param", diags) {
                        let ty = param_type(&p.ty, diags);
                        symbols.params.push((p, ty));
                    }
                }
                Item::Image(i) => {
                    if declare(&i.name, "image", diags) {
                        symbols.images.push(i);
                    }
                }
                Item::Step(s) => {
                    if let Some(root) = RESERVED_ROOTS.iter().find(|r| **r == s.name.node) {
                        diags.push(reserved_step_name(s, root));
                    }
                    if declare(&s.name, "step", diags) {
                        let id = StepId(symbols.steps.len());
                        symbols.step_index.insert(&s.name.node, id);
                        let (outputs, reports) = step_outputs(s, diags);
                        symbols.steps.push(StepSymbol { ast: s, outputs, reports });
                    }
                }
                Item::Setting(_) => {}
            }
        }
        symbols
    }

    pub fn step_id(&self, name: &str) -> Option<StepId> {
        self.step_index.get(name).copied()
    }

    pub fn step(&self, id: StepId) -> Option<&StepSymbol<'a>> {
        self.steps.get(id.0)
    }

    pub fn param(&self, name: &str) -> Option<(&'a ast::Param, Option<ParamType>)> {
        self.params.iter().find(|(p, _)| p.name.node == name).copied()
    }

    pub fn step_names(&self) -> impl Iterator<Item = &'a str> + '_ {
        self.steps.iter().map(|s| s.ast.name.node.as_str())
    }

    pub fn param_names(&self) -> impl Iterator<Item = &'a str> + '_ {
        self.params.iter().map(|(p, _)| p.name.node.as_str())
    }

    pub fn image_names(&self) -> impl Iterator<Item = &'a str> + '_ {
        self.images.iter().map(|i| i.name.node.as_str())
    }
}

fn duplicate(name: &str, span: Span, first: Span, first_what: &str, what: &str) -> Diagnostic {
    let message = if first_what == what {
        format!("{what} `{name}` is defined twice")
    } else {
        format!("`{name}` is defined as a {first_what} and again as a {what}")
    };
    Diagnostic::new(Code::DuplicateName, span, message)
        .label("defined again here")
        .secondary(first, "first defined here")
        .help("params, images and steps share one namespace: rename one of them")
}

fn param_type(ty: &ast::Ident, diags: &mut Vec<Diagnostic>) -> Option<ParamType> {
    let parsed = match ty.node.as_str() {
        "string" => Some(ParamType::String),
        "int" => Some(ParamType::Int),
        "float" => Some(ParamType::Float),
        "bool" => Some(ParamType::Bool),
        _ => None,
    };
    if parsed.is_none() {
        let names = ["string", "int", "float", "bool"];
        diags.push(
            Diagnostic::new(Code::InvalidValue, ty.span, format!("`{}` is not a parameter type", ty.node))
                .label("unknown type")
                .help(crate::diagnostics::suggest::did_you_mean(&ty.node, names).map_or_else(
                    || "a parameter is a `string`, `int`, `float` or `bool`".to_string(),
                    |s| format!("did you mean `{s}`? A parameter is a `string`, `int`, `float` or `bool`"),
                )),
        );
    }
    parsed
}

type Outputs = (Vec<(String, Option<ArtifactType>, Span)>, Vec<(String, crate::ir::Report)>);

fn step_outputs(step: &ast::Step, diags: &mut Vec<Diagnostic>) -> Outputs {
    let mut outputs: Vec<(String, Option<ArtifactType>, Span)> = Vec::new();
    let mut reports = Vec::new();
    let mut seen: HashMap<&str, Span> = HashMap::new();
    for item in &step.items {
        let StepItem::Output(out) = item else {
            continue;
        };
        if let Some(first) = seen.get(out.name.node.as_str()) {
            diags.push(
                Diagnostic::new(
                    Code::DuplicateName,
                    out.name.span,
                    format!("step `{}` has two outputs named `{}`", step.name.node, out.name.node),
                )
                .label("second output")
                .secondary(*first, "first output")
                .help("give every output of a step its own name"),
            );
            continue;
        }
        seen.insert(&out.name.node, out.name.span);
        let ty = artifact_type(&out.ty, diags);
        if ty == Some(ArtifactType::Report) {
            reports.push((out.name.node.clone(), super::reports::options(out.options.as_ref(), diags)));
        }
        outputs.push((out.name.node.clone(), ty, out.name.span));
    }
    (outputs, reports)
}

/// `dataset<csv>` and friends; unknown types are reported and give `None`.
pub fn artifact_type(ty: &TypeExpr, diags: &mut Vec<Diagnostic>) -> Option<ArtifactType> {
    let arg = ty.argument.as_ref().map(|a| a.node.as_str());
    let result = match (ty.name.node.as_str(), arg) {
        ("dataset", Some("csv")) => Ok(ArtifactType::Dataset(Format::Csv)),
        ("dataset", Some("parquet")) => Ok(ArtifactType::Dataset(Format::Parquet)),
        ("dataset", Some("json")) => Ok(ArtifactType::Dataset(Format::Json)),
        ("dataset", Some(other)) => Err(format!("`{other}` is not a dataset format")),
        ("dataset", None) => Err("`dataset` needs a format".to_string()),
        ("model", None) => Ok(ArtifactType::Model),
        ("files", None) => Ok(ArtifactType::Files),
        ("report", None) => Ok(ArtifactType::Report),
        ("sagemaker_model", None) => Ok(ArtifactType::SagemakerModel),
        ("model" | "files" | "report" | "sagemaker_model", Some(_)) => {
            Err(format!("`{}` takes no format", ty.name.node))
        }
        (other, _) => Err(format!("`{other}` is not an artifact type")),
    };
    match result {
        Ok(t) => Some(t),
        Err(message) => {
            let help = crate::diagnostics::suggest::did_you_mean(
                &ty.name.node,
                ["dataset", "model", "files", "report", "sagemaker_model"],
            )
            .map(|s| format!("did you mean `{s}`? "))
            .unwrap_or_default();
            diags.push(
                Diagnostic::new(Code::UnknownArtifactType, ty.span, message)
                    .label("invalid artifact type")
                    .help(format!(
                        "{help}the artifact types are `dataset<csv>`, `dataset<parquet>`, `dataset<json>`, `model`, `files`, `report` and `sagemaker_model`"
                    )),
            );
            None
        }
    }
}
