//! The checker: syntax tree in, checked pipeline (`ir::Pipeline`) and diagnostics
//! out. It reports every problem it can find in one run, each once: a reference that
//! failed to resolve is "poison" and stays silent wherever it flows.

mod code;
mod config;
mod control;
mod fields;
mod graph;
mod inputs;
mod jobs;
mod lambda;
mod models;
mod outputs;
mod params;
mod query;
mod reports;
mod settings;
mod steps;
mod symbols;
mod tuning;
mod values;

use std::cell::RefCell;
use std::collections::HashMap;

pub use config::describe as describe_json;
pub use jobs::JobKind;
pub use settings::{SCHEDULE_PRESETS, SETTINGS};
pub use symbols::RESERVED_ROOTS;

use crate::diagnostics::{Code, Diagnostic};
use crate::ir::{self, Image, Retry};
use crate::syntax::ast::{self, Item};
use crate::Files;
use config::Config;
use fields::Fields;
use symbols::Symbols;
use values::Lowerer;

/// Switches that change what the checker accepts.
#[derive(Clone, Debug, Default)]
pub struct CheckOptions {
    /// Report instance types missing from aws-sdk-sagemaker's lists as warnings
    /// (W0301) instead of errors (E0306), for types newer than mlpc.
    pub allow_unknown_instance_types: bool,
}

/// What step lowering needs besides the lowerer.
pub struct Context<'a> {
    pub files: &'a dyn Files,
    pub options: &'a CheckOptions,
    pub images: HashMap<String, Image>,
    pub image_names: Vec<&'a str>,
    pub default_retry: Option<Retry>,
    /// Code files by path, each read and hashed once however many steps ship it.
    pub code_files: RefCell<HashMap<String, Result<ir::CodeFile, String>>>,
}

/// Checks one parsed pipeline. The IR is returned only when there is no error.
pub fn check(
    pipeline: &ast::Pipeline,
    broken: &[ast::Ident],
    files: &dyn Files,
    options: &CheckOptions,
) -> (Option<ir::Pipeline>, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let symbols = Symbols::collect(pipeline, &mut diags);
    let setting_fields: Vec<&ast::Field> = pipeline
        .items
        .iter()
        .filter_map(|i| match i {
            Item::Setting(f) => Some(f),
            _ => None,
        })
        .collect();
    let config = load_config(&setting_fields, files, &mut diags);
    let mut lw = Lowerer::new(&symbols, &config);
    lw.diags = diags;
    lw.broken = broken.iter().map(|b| b.node.clone()).collect();

    let fields =
        Fields::new(setting_fields.iter().copied(), "the pipeline".to_string(), pipeline.name.span, &mut lw.diags)
            .with_broken(&lw.broken);
    let settings = settings::lower(&mut lw, fields);
    let region_span = setting_fields.iter().find(|f| f.key.node == "region").map(|f| f.value.span);

    let params: Vec<ir::Param> =
        symbols.params.iter().filter_map(|(p, ty)| params::lower(&mut lw, p, (*ty)?)).collect();
    if let (Some(_), Some(field)) = (&settings.schedule, setting_fields.iter().find(|f| f.key.node == "schedule")) {
        params::required_on_schedule(&mut lw, &params, field.value.span);
    }
    let images = jobs::lower_images(&mut lw, &symbols.images, settings.region.as_deref(), region_span);
    let cx = Context {
        files,
        options,
        images,
        image_names: symbols.image_names().collect(),
        default_retry: settings.retry,
        code_files: RefCell::default(),
    };
    let mut steps = Vec::with_capacity(symbols.steps.len());
    for (index, sym) in symbols.steps.iter().enumerate() {
        if let Some(step) = steps::lower(&mut lw, &cx, ir::StepId(index), sym) {
            steps.push(step);
        }
    }
    let names: Vec<String> = symbols.steps.iter().map(|s| s.ast.name.node.clone()).collect();
    let graph = graph::build(names.len(), &lw.links);
    let cycles = graph::cycles(&graph, &lw.links, &names);
    let has_cycle = !cycles.is_empty();
    lw.diags.extend(cycles);
    requirements(&mut lw, pipeline, &symbols);
    // Unused-name warnings are unreliable while references fail to resolve, or while an
    // item that failed to parse may hold the references.
    if !lw.diags.iter().any(Diagnostic::is_error) && broken.is_empty() {
        unused(&mut lw, &symbols);
    }

    let mut diags = std::mem::take(&mut lw.diags);
    crate::diagnostics::sort(&mut diags);
    let complete = steps.len() == symbols.steps.len() && params.len() == symbols.params.len();
    if diags.iter().any(Diagnostic::is_error) || has_cycle || !complete {
        return (None, diags);
    }
    let order = graph::topological_order(&graph);
    let mut images: Vec<Image> = cx.images.into_values().collect();
    images.sort_by_key(|i| i.span);
    let ir = ir::Pipeline {
        name: pipeline.name.clone(),
        span: pipeline.span,
        settings,
        params,
        images,
        steps,
        graph,
        order,
    };
    diags.extend(never_runs(&ir));
    crate::diagnostics::sort(&mut diags);
    (Some(ir), diags)
}

/// Steps that need both outcomes of one condition (guarded by one, reading from a step
/// guarded by the other): skipped on every run, on every target.
fn never_runs(p: &ir::Pipeline) -> Vec<Diagnostic> {
    let controls = crate::schedule::controls(p);
    let mut diags = Vec::new();
    for step in &p.steps {
        let needs = controls.get(step.id.0).cloned().unwrap_or_default();
        let Some((condition, _)) = needs.iter().find(|(c, when)| *when && needs.contains(&(*c, false))) else {
            continue;
        };
        let Some(cond) = p.step(*condition) else { continue };
        diags.push(
            Diagnostic::new(
                Code::NeverRuns,
                step.name.span,
                format!("step `{}` needs `{}` to hold and not to hold: it never runs", step.name.node, cond.name.node),
            )
            .label("skipped on every run")
            .secondary(cond.name.span, "the condition")
            .help("a step guarded by `when = C` (or reading from such a step) cannot also need `not C`: guard it once, or read from steps on its own branch"),
        );
    }
    diags
}

/// Reads and parses the `config` JSON file named in the settings, if any.
fn load_config(settings: &[&ast::Field], files: &dyn Files, diags: &mut Vec<Diagnostic>) -> Config {
    let Some(field) = settings.iter().find(|f| f.key.node == "config") else {
        return Config::NotDeclared;
    };
    let path = match &field.value.kind {
        ast::ExprKind::Str(parts) => match parts.as_slice() {
            [ast::StrPart::Text(t)] => t.clone(),
            _ => {
                diags.push(
                    Diagnostic::new(
                        Code::WrongValueType,
                        field.value.span,
                        "`config` must be a file path written as a plain string",
                    )
                    .label("interpolated")
                    .help("the config file is read at compile time: write its path without `${...}`"),
                );
                return Config::Failed;
            }
        },
        // Other literals are reported as a wrong value type by the settings; a reference
        // would resolve silently against the config that failed to load.
        ast::ExprKind::Path(_) => {
            diags.push(
                Diagnostic::new(
                    Code::WrongValueType,
                    field.value.span,
                    "`config` must be a file path written as a plain string",
                )
                .label("not a plain string")
                .help("write the JSON file's path, relative to the .mlp: `config = \"config.json\"`"),
            );
            return Config::Failed;
        }
        _ => return Config::Failed,
    };
    let error = |message: String, help: &str| {
        Diagnostic::new(Code::ConfigFileUnreadable, field.value.span, message).label("config file").help(help)
    };
    let bytes = match files.read(&path) {
        Ok(b) => b,
        Err(reason) => {
            let help = "the path is relative to the .mlp file and must name a JSON file";
            diags.push(error(format!("cannot read config file `{path}`: {reason}"), help));
            return Config::Failed;
        }
    };
    // Editors on Windows may start a UTF-8 file with a byte order mark; JSON allows
    // a parser to ignore it (RFC 8259, 8.1).
    let json = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    match serde_json::from_slice::<serde_json::Value>(json) {
        Ok(json) => Config::Loaded { file: path, json },
        Err(err) => {
            let help = "fix the file at that place: it must be plain JSON (no comments, no trailing commas)";
            diags.push(error(format!("config file `{path}` is not valid JSON: {err}"), help));
            Config::Failed
        }
    }
}

/// Settings that become required by what the pipeline contains.
fn requirements(lw: &mut Lowerer, pipeline: &ast::Pipeline, symbols: &Symbols) {
    let has_outputs = symbols.steps.iter().any(|s| !s.outputs.is_empty());
    let has_jobs = symbols
        .steps
        .iter()
        .any(|s| crate::kinds::Kind::from_name(&s.ast.kind.node).and_then(crate::kinds::Kind::job).is_some());
    let present = |key: &str| pipeline.items.iter().any(|i| matches!(i, Item::Setting(f) if f.key.node == key));
    let broken = lw.broken.clone();
    let mut require = |key: &str, why: &str, example: &str| {
        if !present(key) && !broken.contains(key) {
            lw.push(
                Diagnostic::new(Code::MissingKey, pipeline.name.span, format!("the pipeline has no `{key}`"))
                    .label(format!("`{key}` is required: {why}"))
                    .help(format!("add `{key} = {example}` to the pipeline")),
            );
        }
    };
    if has_outputs {
        require("artifacts", "step outputs are written under it", "\"s3://my-bucket/pipelines\"");
    }
    if has_jobs {
        require("role", "SageMaker jobs run as this IAM role", "\"arn:aws:iam::123456789012:role/SageMakerExecution\"");
    }
}

/// Warnings: outputs nobody reads (on steps that feed others), params and images
/// nobody uses.
fn unused(lw: &mut Lowerer, symbols: &Symbols) {
    // Which outputs of each step some step reads (artifact and model links).
    let mut read: HashMap<usize, Vec<String>> = HashMap::new();
    for link in &lw.links {
        if let ir::Edge::Artifact { output, .. }
        | ir::Edge::Model { output }
        | ir::Edge::Text { output }
        | ir::Edge::Report { output } = &link.edge
        {
            read.entry(link.from.0).or_default().push(output.clone());
        }
    }
    for (index, sym) in symbols.steps.iter().enumerate() {
        let read_outputs = read.remove(&index).unwrap_or_default();
        if read_outputs.is_empty() {
            continue; // Outputs nobody reads at all are the pipeline's results.
        }
        for (name, _, span) in &sym.outputs {
            let read = read_outputs.contains(name);
            if !read {
                lw.push(
                    Diagnostic::new(
                        Code::UnusedOutput,
                        *span,
                        format!("output `{}.{name}` is never read", sym.ast.name.node),
                    )
                    .label("written but not read")
                    .help("bind it to an input of a later step, or remove it"),
                );
            }
        }
    }
    for (param, _) in &symbols.params {
        if !lw.used_params.contains(&param.name.node) {
            lw.push(
                Diagnostic::new(
                    Code::UnusedParam,
                    param.name.span,
                    format!("parameter `{}` is never used", param.name.node),
                )
                .label("declared but not used")
                .help(format!("use it as `params.{}`, or remove it", param.name.node)),
            );
        }
    }
    for image in &symbols.images {
        let name = &image.name.node;
        let used = symbols.steps.iter().any(|s| {
            s.ast.items.iter().any(|i| matches!(i, ast::StepItem::Field(f) if f.key.node == "image" && matches!(&f.value.kind, ast::ExprKind::Path(p) if p.segments.len() == 1 && p.segments.first().is_some_and(|seg| seg.text() == name))))
        });
        if !used {
            lw.push(
                Diagnostic::new(Code::UnusedImage, image.name.span, format!("image `{name}` is never used"))
                    .label("declared but not used")
                    .help(format!("use it in a step as `image = {name}`, or remove it")),
            );
        }
    }
}
