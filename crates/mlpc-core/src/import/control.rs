//! Steps without a job of their own, and the model registry: Condition (its branches
//! become `when` on the steps in them), Fail, Model, RegisterModel and Lambda, as the
//! SageMaker target writes them (`targets/sagemaker/control.rs`, `lambda.rs`).

use serde_json::Value as Json;

use super::common::{self, text};
use super::context::{short, Context, Obj, ParamType};
use super::draft;
use super::expr::{self, quote, Piece};
use super::pipeline::Shared;

/// The output of an imported `model` step (the definition does not name it).
pub const MODEL_OUTPUT: &str = "created";
/// The output of an imported `lambda` step: the function's response.
pub const LAMBDA_OUTPUT: &str = "response";

pub fn condition(cx: &mut Context, args: &mut Obj<'_>, step: &mut draft::Step) {
    let _ = (args.take("IfSteps"), args.take("ElseSteps"));
    let mut parts = Vec::new();
    for (c, at) in args.list("Conditions") {
        match cond(cx, c, &at, &mut step.notes) {
            Some(text) => parts.push(text),
            None => return,
        }
    }
    if parts.is_empty() {
        // SageMaker holds an empty list to be true; `.mlp` has no constant condition.
        parts.push("true == true".to_string());
    }
    step.field("check", parts.join(" and "));
}

/// One condition as `.mlp`; the operands' types go to the report values they meet.
fn cond(cx: &mut Context, c: &Json, at: &super::context::Pointer, notes: &mut Vec<String>) -> Option<String> {
    let kind = c.get("Type").and_then(Json::as_str).unwrap_or_default();
    let op = match kind {
        "Equals" => "==",
        "GreaterThan" => ">",
        "GreaterThanOrEqualTo" => ">=",
        "LessThan" => "<",
        "LessThanOrEqualTo" => "<=",
        "Not" => {
            let inner = c.get("Condition")?;
            if inner.get("Type").and_then(Json::as_str) == Some("Equals") {
                return compare(cx, inner, &at.key("Condition"), "!=", notes);
            }
            return Some(format!("not ({})", cond(cx, inner, &at.key("Condition"), notes)?));
        }
        "Or" => {
            let items = c.get("Conditions").and_then(Json::as_array)?;
            let mut texts = Vec::new();
            for (i, item) in items.iter().enumerate() {
                texts.push(cond(cx, item, &at.key("Conditions").index(i), notes)?);
            }
            return Some(format!("({})", texts.join(" or ")));
        }
        "In" => {
            let (query, ty) = operand(cx, c.get("QueryValue")?, &at.key("QueryValue"), notes)?;
            let mut values = Vec::new();
            for (i, v) in c.get("Values").and_then(Json::as_array)?.iter().enumerate() {
                values.push(operand(cx, v, &at.key("Values").index(i), notes)?);
            }
            let known = ty.or_else(|| values.iter().find_map(|(_, t)| *t));
            type_uses(cx, &query, known);
            return Some(format!("{query} in [{}]", values.into_iter().map(|(t, _)| t).collect::<Vec<_>>().join(", ")));
        }
        _ => {
            cx.left_out(
                at,
                &format!("the condition {}", short(c)),
                "conditions are comparisons, `in`, `not` and `or`",
                notes,
            );
            return None;
        }
    };
    compare(cx, c, at, op, notes)
}

/// `LEFT op RIGHT` of a comparison condition.
fn compare(
    cx: &mut Context,
    c: &Json,
    at: &super::context::Pointer,
    op: &str,
    notes: &mut Vec<String>,
) -> Option<String> {
    let (Some(left), Some(right)) = (c.get("LeftValue"), c.get("RightValue")) else {
        cx.broken(at, format!("the comparison {} without LeftValue and RightValue", short(c)), "a comparison has both");
        return None;
    };
    let (left, left_ty) = operand(cx, left, &at.key("LeftValue"), notes)?;
    let (right, right_ty) = operand(cx, right, &at.key("RightValue"), notes)?;
    type_uses(cx, &left, right_ty);
    type_uses(cx, &right, left_ty);
    Some(format!("{left} {op} {right}"))
}

/// A report value compared with a value of a known type has that type.
fn type_uses(cx: &mut Context, text: &str, ty: Option<&'static str>) {
    let Some(ty) = ty else { return };
    for report in cx.report_uses.iter_mut().filter(|u| u.ty.is_none()) {
        let path = cx.steps.get(&report.step).map(|s| {
            expr::ReportRef {
                output: expr::OutputRef { step: s.name.clone(), output: report.output.clone() },
                keys: report.keys.clone(),
            }
            .path()
        });
        if path.as_deref() == Some(text) {
            report.ty = Some(ty);
        }
    }
}

/// A condition's operand and its type, when it shows one.
fn operand(
    cx: &mut Context,
    v: &Json,
    at: &super::context::Pointer,
    notes: &mut Vec<String>,
) -> Option<(String, Option<&'static str>)> {
    match v {
        Json::Number(n) if n.is_i64() => Some((n.to_string(), Some("int"))),
        Json::Number(n) => Some((expr::float_literal(n.as_f64()?), Some("float"))),
        Json::String(s) => Some((expr::quote(s), Some("string"))),
        Json::Bool(b) => Some((b.to_string(), Some("bool"))),
        _ => match expr::pieces(cx, v, at, notes)?.as_slice() {
            [Piece::Param(name, ty)] => Some((format!("params.{name}"), Some(ty.mlp()))),
            [Piece::Report(r)] => Some((r.path(), None)),
            _ => {
                cx.left_out(
                    at,
                    &format!("the operand {}", short(v)),
                    "a condition compares literals, params and report values",
                    notes,
                );
                None
            }
        },
    }
}

pub fn fail(cx: &mut Context, args: &mut Obj<'_>, step: &mut draft::Step) {
    if let Some((message, at)) = args.take("ErrorMessage") {
        if let Some(t) = text(cx, message, &at, &mut step.notes) {
            step.field("message", t);
        }
    }
}

/// A Model step of its own (a transform's is folded into it): `model`, `image` when
/// not the training job's, `env`.
pub fn model(cx: &mut Context, args: &mut Obj<'_>, step: &mut draft::Step, shared: &mut Shared) {
    if let Some(container) = args.object("PrimaryContainer") {
        serving_container(cx, container, step, shared, Environment::Read);
    }
    if let Some((value, at)) = args.take("ExecutionRoleArn") {
        common::role(cx, value, &at, shared, &mut step.notes);
    }
    step.outputs.push(draft::Output {
        name: MODEL_OUTPUT.into(),
        ty: "sagemaker_model".into(),
        attributes: Vec::new(),
    });
}

/// Whether a serving container's `Environment` is the step's `env`.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Environment {
    Read,
    /// A registered version has no `env`: an environment is left out, reported.
    LeftOut,
}

/// A serving container (a Model step's, a transform's folded model, a registered
/// version's): `model` from its data, `image` when not the image of the job that
/// trained it, and `env`.
pub fn serving_container(
    cx: &mut Context,
    mut container: Obj<'_>,
    step: &mut draft::Step,
    shared: &mut Shared,
    environment: Environment,
) {
    let trained_image = trained(cx, container.peek("ModelDataUrl"));
    if let Some((data, at)) = container.take("ModelDataUrl") {
        model_data(cx, data, &at, step);
    }
    if let Some(image) = container.str("Image") {
        if trained_image.as_deref() != Some(image) {
            let name = shared.image(image);
            step.field("image", name);
        }
    }
    if environment == Environment::Read {
        if let Some((value, at)) = container.take("Environment") {
            common::env(cx, value, &at, step);
        }
    }
    cx.rest(container, &mut step.notes);
}

/// `model = TRAIN.OUTPUT` from a model's data.
fn model_data(cx: &mut Context, data: &Json, at: &super::context::Pointer, step: &mut draft::Step) {
    match expr::pieces(cx, data, at, &mut step.notes).as_deref() {
        Some([Piece::Output(r)]) => step.field("model", format!("{}.{}", r.step, r.output)),
        Some(_) => cx.left_out(
            at,
            &format!("the model data {}", short(data)),
            "`.mlp` serves a model trained by a training step (`model = train.model`)",
            &mut step.notes,
        ),
        None => {}
    }
}

/// The image of the training or tuning step whose model `data` names: a `Get` of its
/// model artifacts, or a location joined with its best training job's name.
pub fn trained(cx: &Context, data: Option<&Json>) -> Option<String> {
    let data = data?;
    let values = match data.get("Std:Join").and_then(|j| j.get("Values")).and_then(Json::as_array) {
        Some(values) => values.iter().collect(),
        None => vec![data],
    };
    values.into_iter().find_map(|v| {
        let path = v.get("Get")?.as_str()?.strip_prefix("Steps.")?;
        let step = path
            .strip_suffix(".ModelArtifacts.S3ModelArtifacts")
            .or_else(|| path.strip_suffix(".BestTrainingJob.TrainingJobName"))?;
        cx.training_images.get(step).cloned()
    })
}

pub fn register(cx: &mut Context, args: &mut Obj<'_>, step: &mut draft::Step, shared: &mut Shared) {
    for (key, field) in [("ModelPackageGroupName", "group"), ("ModelApprovalStatus", "approval")] {
        if let Some((value, at)) = args.take(key) {
            if let Some(t) = text(cx, value, &at, &mut step.notes) {
                step.field(field, t);
            }
        }
    }
    if let Some(description) = args.str("ModelPackageDescription") {
        step.field("description", quote(description));
    }
    if let Some(mut spec) = args.object("InferenceSpecification") {
        let containers = spec.list("Containers");
        match containers.as_slice() {
            [(container, at)] => {
                if let Some(c) = Obj::new(container, at.clone()) {
                    serving_container(cx, c, step, shared, Environment::LeftOut);
                }
            }
            _ => {
                let at = spec.at.key("Containers");
                cx.left_out(
                    &at,
                    "inference containers other than one",
                    "a registered version serves one container",
                    &mut step.notes,
                );
            }
        }
        for (key, field) in [
            ("SupportedContentTypes", "content_types"),
            ("SupportedResponseMIMETypes", "response_types"),
            ("SupportedRealtimeInferenceInstanceTypes", "inference_instances"),
            ("SupportedTransformInstanceTypes", "transform_instances"),
        ] {
            if let Some(Json::Array(items)) = spec.peek(key) {
                if let Some(texts) = items.iter().map(|i| i.as_str().map(quote)).collect::<Option<Vec<_>>>() {
                    let _ = spec.take(key);
                    step.field(field, format!("[{}]", texts.join(", ")));
                }
            }
        }
        cx.rest(spec, &mut step.notes);
    }
    if let Some(mut metrics) = args.object("ModelMetrics") {
        if let Some(mut quality) = metrics.object("ModelQuality") {
            if let Some(mut statistics) = quality.object("Statistics") {
                let json = statistics.peek("ContentType").and_then(Json::as_str) == Some("application/json");
                if let (true, Some((uri, at))) = (json, statistics.take("S3Uri")) {
                    let _ = statistics.take("ContentType");
                    metrics_report(cx, uri, &at, step);
                }
                cx.rest(statistics, &mut step.notes);
            }
            cx.rest(quality, &mut step.notes);
        }
        cx.rest(metrics, &mut step.notes);
    }
}

/// `metrics = STEP.REPORT` from the statistics' location: the report's file in its
/// output's folder.
fn metrics_report(cx: &mut Context, uri: &Json, at: &super::context::Pointer, step: &mut draft::Step) {
    let pieces = expr::pieces(cx, uri, at, &mut step.notes).unwrap_or_default();
    let found = match pieces.as_slice() {
        [Piece::Output(r), Piece::Literal(tail)] => {
            let file = tail.trim_start_matches('/');
            let by_mlp = cx.steps.iter().find(|(_, i)| i.name == r.step).map(|(sm, _)| sm.clone());
            by_mlp
                .filter(|sm| cx.property_files.iter().any(|((s, _), (o, f))| s == sm && *o == r.output && f == file))
                .map(|_| format!("{}.{}", r.step, r.output))
        }
        [Piece::Literal(root), Piece::RunId, Piece::Literal(tail)] => {
            cx.property_files.iter().find_map(|((sm, _), (o, f))| {
                let name = &cx.steps.get(sm)?.name;
                (*tail == format!("/{sm}/{o}/{f}") && root.ends_with(&format!("/{}/", cx.pipeline)))
                    .then(|| format!("{name}.{o}"))
            })
        }
        _ => None,
    };
    match found {
        Some(report) => step.field("metrics", report),
        None => cx.left_out(
            at,
            &format!("model statistics at {}", short(uri)),
            "`metrics` names a report output of a step (its property file)",
            &mut step.notes,
        ),
    }
}

pub fn lambda(cx: &mut Context, obj: &mut Obj<'_>, step: &mut draft::Step) {
    if let Some(arn) = obj.str("FunctionArn") {
        step.field("function", quote(arn));
    }
    if let Some(args) = obj.object("Arguments") {
        let mut entries = Vec::new();
        for key in args.unread() {
            let Some(value) = args.peek(&key) else { continue };
            let at = args.at.key(&key);
            let written = match value {
                Json::Number(n) if n.is_i64() => Some(n.to_string()),
                Json::Number(n) => n.as_f64().map(expr::float_literal),
                Json::Bool(b) => Some(b.to_string()),
                Json::String(s) => Some(quote(s)),
                _ => match expr::pieces(cx, value, &at, &mut step.notes).as_deref() {
                    Some([Piece::Param(name, _)]) => Some(format!("params.{name}")),
                    Some([Piece::Report(r)]) => Some(r.path()),
                    Some(pieces) => Some(expr::text(pieces)),
                    None => None,
                },
            };
            if let Some(written) = written {
                entries.push(format!("{} = {written}", common::key(&key)));
            }
        }
        if !entries.is_empty() {
            step.field("payload", format!("{{ {} }}", entries.join(", ")));
        }
    }
    let outputs = obj.list("OutputParameters");
    if !outputs.is_empty() {
        let mut schema = Vec::new();
        for (output, at) in outputs {
            let name = output.get("OutputName").and_then(Json::as_str);
            let ty = output.get("OutputType").and_then(Json::as_str).and_then(ParamType::from_api);
            match (name, ty) {
                (Some(name), Some(ty)) => schema.push(format!("{} = {}", common::key(name), ty.mlp())),
                _ => cx.left_out(
                    &at,
                    &format!("the output {}", short(output)),
                    "a Lambda output has a name and a type",
                    &mut step.notes,
                ),
            }
        }
        let attributes = vec![("schema".to_string(), format!("{{ {} }}", schema.join(", ")))];
        step.outputs.push(draft::Output { name: LAMBDA_OUTPUT.into(), ty: "report".into(), attributes });
    }
}
