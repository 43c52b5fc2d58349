//! A step's inputs: each bound once, to an output of a step of the pipeline (an edge,
//! with the producer's type) or to an S3 URI from outside (a literal, a string param
//! or `config` value, or text made of them, typed by its annotation), with the options
//! written after it (`{ distribution = sharded }`).

use super::graph::Link;
use super::symbols::artifact_type;
use super::values::Lowerer;
use crate::aws::names;
use crate::diagnostics::suggest::help_for;
use crate::diagnostics::{Code, Diagnostic};
use crate::ir::*;
use crate::kinds::Kind;
use crate::source::Span;
use crate::syntax::ast::{self, Expr, ExprKind, StepItem};

/// Every `in`: bound exactly once, to an existing output of a compatible type or to
/// an S3 URI with a declared type.
pub fn inputs(lw: &mut Lowerer, cx: &super::Context, step: &ast::Step) -> Option<Vec<Input>> {
    let kind = Kind::from_name(&step.kind.node);
    let mut out: Vec<Input> = Vec::new();
    let mut ok = true;
    let mut seen: std::collections::HashMap<&str, Span> = std::collections::HashMap::new();
    for item in &step.items {
        let StepItem::Input(input) = item else {
            continue;
        };
        if let Some(first) = seen.get(input.name.node.as_str()) {
            lw.push(
                Diagnostic::new(
                    Code::DuplicateName,
                    input.name.span,
                    format!("input `{}` of step `{}` is bound twice", input.name.node, step.name.node),
                )
                .label("bound again here")
                .secondary(*first, "first bound here")
                .help("each input takes one artifact: remove one binding, or give it another name"),
            );
            ok = false;
            continue;
        }
        seen.insert(&input.name.node, input.name.span);
        let annotation = match &input.ty {
            Some(t) => match artifact_type(t, &mut lw.diags) {
                Some(ty) => Some((ty, t.span)),
                None => {
                    ok = false;
                    continue;
                }
            },
            None => None,
        };
        let Some(source) = &input.source else {
            lw.push(
                Diagnostic::new(
                    Code::UnboundInput,
                    input.span,
                    format!("input `{}` of step `{}` is not bound to any output", input.name.node, step.name.node),
                )
                .label("no producer")
                .help(format!(
                    "bind it to the output that feeds it, `in {0} = STEP.OUTPUT`, or to data from outside the pipeline, `in {0}: dataset<csv> = \"s3://...\"`",
                    input.name.node
                )),
            );
            ok = false;
            continue;
        };
        let options = match &input.options {
            Some(options) => input_options(lw, options, kind, step),
            None => Some((Distribution::Replicated, None)),
        };
        let bound = if names_step_output(source) {
            from_step(lw, input, source, annotation)
        } else {
            external(lw, cx, input, source, annotation)
        };
        match (bound, options) {
            (Some((ty, source)), Some((distribution, path))) => {
                out.push(Input { name: input.name.clone(), ty, source, distribution, path, span: input.span })
            }
            _ => ok = false,
        }
    }
    ok.then_some(out)
}

/// `STEP.OUTPUT` (or a mistyped one): a path whose root is not a run-time value.
fn names_step_output(source: &Expr) -> bool {
    match &source.kind {
        ExprKind::Path(path) => !matches!(path.segments.first().map(|s| s.text()), Some("params" | "config" | "run")),
        _ => false,
    }
}

/// An input read from a producer's output: the edge, and the producer's type (which
/// an annotation must match, or widen to `files`).
fn from_step(
    lw: &mut Lowerer,
    input: &ast::Input,
    source: &Expr,
    annotation: Option<(ArtifactType, Span)>,
) -> Option<(ArtifactType, InputSource)> {
    let reference = lw.artifact(source, &format!("input `{}`", input.name.node))?;
    lw.links.push(Link {
        from: reference.step,
        to: lw.current,
        edge: Edge::Artifact { output: reference.output.clone(), input: input.name.node.clone() },
        span: reference.span,
    });
    let (produced, produced_span) = lw
        .symbols
        .step(reference.step)
        .and_then(|s| s.outputs.iter().find(|(n, _, _)| *n == reference.output))
        .and_then(|(_, ty, span)| ty.map(|t| (t, *span)))?;
    if produced == ArtifactType::SagemakerModel {
        let producer = lw.symbols.step(reference.step).map(|s| s.ast.name.node.clone()).unwrap_or_default();
        lw.push(
            Diagnostic::new(
                Code::ArtifactTypeMismatch,
                reference.span,
                format!("`{producer}.{}` is a SageMaker model's name, not data a step can read", reference.output),
            )
            .label("a sagemaker_model")
            .secondary(produced_span, "produced as sagemaker_model here")
            .help(format!(
                "a transform runs it with `model = {producer}.{}`; text can name it with `${{{producer}.{}}}`",
                reference.output, reference.output
            )),
        );
        return None;
    }
    let ty = match annotation {
        Some((wanted, _)) if wanted == produced || wanted == ArtifactType::Files => wanted,
        Some((wanted, span)) => {
            let producer = lw.symbols.step(reference.step).map(|s| s.ast.name.node.clone()).unwrap_or_default();
            lw.push(
                Diagnostic::new(Code::ArtifactTypeMismatch, span, format!("input `{}` expects {wanted}, but `{producer}.{}` is {produced}", input.name.node, reference.output))
                    .label(format!("expects {wanted}"))
                    .secondary(produced_span, format!("produced as {produced} here"))
                    .help(format!("change the annotation to `{produced}` (or `files` to accept any artifact), or produce {wanted} upstream")),
            );
            return None;
        }
        None => produced,
    };
    Some((ty, InputSource::Step(reference)))
}

/// An input from outside the pipeline: an S3 URI as text, typed by its annotation.
fn external(
    lw: &mut Lowerer,
    cx: &super::Context,
    input: &ast::Input,
    source: &Expr,
    annotation: Option<(ArtifactType, Span)>,
) -> Option<(ArtifactType, InputSource)> {
    let name = &input.name.node;
    if let ExprKind::Call(function, args) = &source.kind {
        if function.node == "file" {
            let [path] = args.as_slice() else {
                lw.push(
                    Diagnostic::new(
                        Code::WrongValueType,
                        source.span,
                        format!("`file()` takes one path, found {} arguments", args.len()),
                    )
                    .label("expected `file(\"data/x.csv\")`")
                    .help("name one file or folder relative to the .mlp file"),
                );
                return None;
            };
            let data = super::code::local_data(lw, cx, path, name)?;
            return typed(lw, input, annotation, "file(\"data/...\")").map(|ty| (ty, InputSource::Local(data)));
        }
    }
    let uri = match &source.kind {
        ExprKind::Str(_) | ExprKind::Path(_) => lw.text(source, &format!("input `{name}`"))?,
        _ => {
            lw.push(
                Diagnostic::new(
                    Code::WrongValueType,
                    source.span,
                    format!("input `{name}` must be a step output or an S3 URI, found {}", source.describe()),
                )
                .label("expected `STEP.OUTPUT`, \"s3://...\" or `params.NAME`")
                .help("bind the input to the output that feeds it, or to an S3 URI as a string or a string param"),
            );
            return None;
        }
    };
    check_s3_uri(lw, &uri, source.span, &format!("input `{name}`"))?;
    let example = match uri.as_param() {
        Some(param) => format!("params.{param}"),
        None => "\"s3://...\"".to_string(),
    };
    typed(lw, input, annotation, &example).map(|ty| (ty, InputSource::External(uri)))
}

/// The declared type of an input from outside the pipeline, which it must have: no
/// producer gives one (E0313).
fn typed(
    lw: &mut Lowerer,
    input: &ast::Input,
    annotation: Option<(ArtifactType, Span)>,
    example: &str,
) -> Option<ArtifactType> {
    let name = &input.name.node;
    match annotation {
        Some((ty, _)) => Some(ty),
        None => {
            lw.push(
                Diagnostic::new(Code::UntypedInput, input.name.span, format!("input `{name}` comes from outside the pipeline and has no type"))
                    .label("needs a type")
                    .help(format!("no step produces it to take the type from: declare it, e.g. `in {name}: dataset<csv> = {example}` (or `files` for any data)")),
            );
            None
        }
    }
}

/// The URI's literal start must be `s3://BUCKET/` with a valid bucket name; a URI that
/// starts with a param or `run.id` is checked when the run starts.
pub(super) fn check_s3_uri(lw: &mut Lowerer, uri: &Text, span: Span, name: &str) -> Option<()> {
    let Some(TextPart::Literal(start)) = uri.parts.first() else {
        return Some(());
    };
    let whole = uri.parts.len() == 1;
    let bucket = start.strip_prefix("s3://").map(|rest| match rest.split_once('/') {
        Some((bucket, _)) => Some(bucket),
        // The bucket's name continues into a run-time part: only its start is known.
        None if !whole => None,
        None => Some(rest),
    });
    let problem = match bucket {
        None if "s3://".starts_with(start.as_str()) && !whole => return Some(()),
        None => format!("{name} is `{}`, which is not an S3 URI", shorten(start)),
        Some(None) => return Some(()),
        Some(Some(bucket)) if names::is_bucket(bucket) => return Some(()),
        Some(Some(bucket)) => format!("{name} names `{bucket}`, which is not a valid S3 bucket name"),
    };
    lw.push(
        Diagnostic::new(Code::InvalidValue, span, problem)
            .label("expected s3://BUCKET/KEY")
            .help("write an S3 URI such as \"s3://my-bucket/data/train.csv\" (bucket names are 3-63 lower-case letters, digits, `-` and `.`)"),
    );
    None
}

fn shorten(text: &str) -> String {
    match text.char_indices().nth(60) {
        Some((end, _)) => format!("{}...", &text[..end]),
        None => text.to_string(),
    }
}

/// An input's option.
enum InputOption {
    Distribution(Distribution),
    Path(String),
}

/// `{ distribution = replicated | sharded, path = "/opt/ml/processing/…" }` after an input.
fn input_options(
    lw: &mut Lowerer,
    options: &Expr,
    kind: Option<Kind>,
    step: &ast::Step,
) -> Option<(Distribution, Option<String>)> {
    let entries = lw.map(options, "the input's options", |lw, key, value| match key {
        "distribution" => {
            let choice = lw.choice(value, "`distribution`", &["replicated", "sharded"])?;
            Some(InputOption::Distribution(if choice == "sharded" {
                Distribution::Sharded
            } else {
                Distribution::Replicated
            }))
        }
        "path" => container_path(lw, value, kind, step).map(InputOption::Path),
        other => {
            lw.push(
                Diagnostic::new(Code::UnknownKey, value.span, format!("unknown input option `{other}`"))
                    .label("unknown option")
                    .maybe_help(help_for(other, ["distribution", "path"], "input options").or_else(|| {
                        Some("an input takes `distribution = replicated | sharded` and (processing) `path`".to_string())
                    })),
            );
            None
        }
    })?;
    let mut distribution = Distribution::default();
    let mut path = None;
    for (_, option) in entries {
        match option {
            InputOption::Distribution(d) => distribution = d,
            InputOption::Path(p) => path = Some(p),
        }
    }
    if distribution == Distribution::Sharded && kind.is_some_and(|k| !k.distributes_inputs()) {
        lw.push(
            Diagnostic::new(
                Code::InvalidValue,
                options.span,
                format!("a {} step cannot shard an input", step.kind.node),
            )
            .label("only processing and training jobs shard inputs")
            .help("remove `distribution`; a transform job splits its input with `split`"),
        );
        return None;
    }
    Some((distribution, path))
}

/// `path`: where a processing job's container finds an input or leaves an output, as
/// the SageMaker SDK's `ProcessingInput(destination=…)` and `ProcessingOutput(source=…)`
/// name it: under `/opt/ml/processing/`, not where the job's code is unpacked.
pub(super) fn container_path(lw: &mut Lowerer, value: &Expr, kind: Option<Kind>, step: &ast::Step) -> Option<String> {
    let path = lw.static_text(value, "`path`")?;
    if kind.is_some_and(|k| k != Kind::Processing) {
        lw.push(
            Diagnostic::new(
                Code::InvalidValue,
                value.span,
                format!("a {} step has no container paths", step.kind.node),
            )
            .label("only a processing job's data has a path")
            .help("remove `path`: training channels are at /opt/ml/input/data/NAME, set by SageMaker"),
        );
        return None;
    }
    let code = crate::ir::PROCESSING_CODE_DIR;
    if !crate::ir::is_container_path(&path) {
        lw.push(
            Diagnostic::new(Code::InvalidValue, value.span, format!("`path = \"{path}\"` is not a place for a processing job's data"))
                .label("not under /opt/ml/processing/")
                .help(format!("a path under /opt/ml/processing/ without `..`, white space or a trailing `/`, at most {MAX_CONTAINER_PATH} characters, outside the job's code folder {code}: e.g. \"/opt/ml/processing/train\"")),
        );
        return None;
    }
    Some(path)
}
