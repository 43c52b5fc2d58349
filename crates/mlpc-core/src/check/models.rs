//! Models: the `model` a step reads (a transform's, a model step's), the `model`
//! step, which creates a SageMaker model of a trained model in its serving container,
//! and the `register` step, which records it as a version in a model package group.

use super::fields::Fields;
use super::graph::Link;
use super::jobs::{check_instance, image_ref, resources, JobKind};
use super::symbols::StepSymbol;
use super::values::Lowerer;
use super::Context;
use crate::aws::{limits, names};
use crate::diagnostics::suggest::did_you_mean;
use crate::diagnostics::{Code, Diagnostic};
use crate::ir::{ArtifactRef, ArtifactType, CreateModel, Edge, Endpoint, Register, Text, Value, APPROVAL_STATUSES};
use crate::syntax::ast::{self, Expr};

/// The step output `model = …` names, with its type, and the edge from its producer:
/// a trained `model`, or with `created`, also a `sagemaker_model` a model step made.
pub fn model_ref(lw: &mut Lowerer, e: &Expr, created: bool) -> Option<(ArtifactRef, ArtifactType)> {
    let m = lw.artifact(e, "`model`")?;
    lw.links.push(Link { from: m.step, to: lw.current, edge: Edge::Model { output: m.output.clone() }, span: m.span });
    let produced = lw.symbols.step(m.step).and_then(|s| s.outputs.iter().find(|(n, _, _)| *n == m.output));
    let (ty, span) = match produced {
        Some((_, Some(ty), span)) => (*ty, *span),
        // The output's type was wrong, and reported.
        Some((_, None, _)) | None => return None,
    };
    match ty {
        ArtifactType::Model => Some((m, ty)),
        ArtifactType::SagemakerModel if created => Some((m, ty)),
        ArtifactType::SagemakerModel | ArtifactType::Dataset(_) | ArtifactType::Files | ArtifactType::Report => {
            let name = format!("{}.{}", lw.symbols.step(m.step).map_or("", |s| s.ast.name.node.as_str()), m.output);
            let (wants, help) = if created {
                ("a model", "use a training step's `model` output (`train.model`) or a model step's (`m.created`)")
            } else {
                ("a trained model", "use the `model` output of a training step, e.g. `train.model`")
            };
            lw.push(
                Diagnostic::new(
                    Code::ArtifactTypeMismatch,
                    m.span,
                    format!("`model` must be {wants}, but `{name}` is {ty}"),
                )
                .label(format!("not {wants}"))
                .secondary(span, format!("produced as {ty} here"))
                .help(help),
            );
            None
        }
    }
}

/// `model` (a trained model) and the `image` that serves it: the step's, or the
/// training step's.
fn served_model(
    lw: &mut Lowerer,
    cx: &Context,
    f: &mut Fields,
    step: &ast::Step,
) -> (Option<ArtifactRef>, Option<crate::ir::ImageRef>) {
    let model_expr = f.require("model", "train.model", &mut lw.diags);
    let model = model_expr.and_then(|e| model_ref(lw, e, false)).map(|(m, _)| m);
    let image = match (f.get("image"), &model) {
        (Some(e), _) => image_ref(lw, e, &cx.images, &cx.image_names),
        (None, Some(m)) => super::steps::producer_image(lw, cx, m, step, model_expr),
        (None, None) => None,
    };
    (model, image)
}

/// A step whose result lives in SageMaker, not in an output: each `out` is reported.
fn no_outputs(lw: &mut Lowerer, sym: &StepSymbol, kind: &str, help: &str) {
    if let Some((name, _, span)) = sym.outputs.first() {
        lw.push(
            Diagnostic::new(
                Code::WrongArtifactCount,
                *span,
                format!("{kind} step writes no output, but declares `{name}`"),
            )
            .label(format!("output on {kind} step"))
            .help(help),
        );
    }
}

/// A step that names what it reads by key: each `in` is reported.
pub(super) fn no_inputs(lw: &mut Lowerer, step: &ast::Step, kind: &str, help: &str) {
    if let Some(first) = step.items.iter().find_map(|i| match i {
        ast::StepItem::Input(input) => Some(input.span),
        ast::StepItem::Field(_) | ast::StepItem::Output(_) => None,
    }) {
        lw.push(
            Diagnostic::new(Code::WrongArtifactCount, first, format!("a {kind} step takes no inputs"))
                .label(format!("input on a {kind} step"))
                .help(help),
        );
    }
}

pub fn create_model(
    lw: &mut Lowerer,
    cx: &Context,
    f: &mut Fields,
    step: &ast::Step,
    sym: &StepSymbol,
) -> Option<CreateModel> {
    let (model, image) = served_model(lw, cx, f, step);
    let env = super::steps::env(lw, f);
    // Checked as a transform's instance type: what the model would serve on.
    let instance = f.get("instance").map(|e| resources(lw, cx, JobKind::Transform, e, None, None).map(|r| r.instance));
    let outputs: Vec<_> = sym.outputs.iter().collect();
    match outputs.as_slice() {
        [(_, Some(ArtifactType::SagemakerModel) | None, _)] => {}
        [(name, Some(ty), span)] => lw.push(
            Diagnostic::new(Code::ArtifactTypeMismatch, *span, format!("a model step's output is the model it creates; `{name}` is {ty}"))
                .label("not a sagemaker_model")
                .help(format!("declare it as `out {name}: sagemaker_model`")),
        ),
        _ => lw.push(
            Diagnostic::new(Code::WrongArtifactCount, step.name.span, "a model step has exactly one `out` of type `sagemaker_model`")
                .label(format!("step `{}`", step.name.node))
                .help("add `out created: sagemaker_model`: later steps read the model by it (`transform` with `model = NAME.created`)"),
        ),
    }
    no_inputs(lw, step, "model", "name the trained model in `model = train.model`");
    Some(CreateModel {
        model: model?,
        image: image?,
        env: env?,
        instance: match instance {
            Some(i) => Some(i?),
            None => None,
        },
    })
}

/// `step NAME: endpoint { model = m.created, name = "…", instance = "…" }`.
pub fn endpoint(
    lw: &mut Lowerer,
    cx: &Context,
    f: &mut Fields,
    step: &ast::Step,
    sym: &StepSymbol,
) -> Option<Endpoint> {
    let model = f.require("model", "m.created", &mut lw.diags).and_then(|e| {
        let (m, ty) = model_ref(lw, e, true)?;
        if ty == ArtifactType::Model {
            lw.push(
                Diagnostic::new(Code::ArtifactTypeMismatch, m.span, "an endpoint serves a model created in SageMaker, not a model archive")
                    .label("a trained model")
                    .help("create the model first with a `model` step (`out created: sagemaker_model`), and serve `NAME.created`"),
            );
            return None;
        }
        Some(m)
    });
    let name = f
        .require("name", "\"abalone-live\"", &mut lw.diags)
        .and_then(|e| entity_name(lw, e, "`name`", "an endpoint", limits::ENDPOINT_NAME));
    let count = f.get("count");
    let resources = f
        .require("instance", "\"ml.m5.large\"", &mut lw.diags)
        .and_then(|e| resources(lw, cx, JobKind::Endpoint, e, count, None));
    let update = match f.get("update") {
        None => Some(false),
        Some(e) => {
            match lw.scalar(e, "`update`") {
                Some(Value::Bool(b)) => Some(b),
                Some(_) => {
                    lw.push(
                    Diagnostic::new(Code::WrongValueType, e.span, "`update` is `true` or `false`")
                        .label("not a bool")
                        .help("`update = true` updates an endpoint of the name that exists; without it, creating one fails"),
                );
                    None
                }
                None => None,
            }
        }
    };
    no_outputs(lw, sym, "an endpoint", "remove the `out`: the endpoint is known by its `name`");
    no_inputs(lw, step, "endpoint", "name the created model in `model = m.created`");
    let resources = resources?;
    Some(Endpoint { model: model?, name: name?, instance: resources.instance, count: resources.count, update: update? })
}

/// A register step's `description` becomes the version's `ModelPackageDescription`,
/// which takes no control characters and at most 1024 characters. (Any other text is
/// reported where `description` is lowered.)
fn package_description(lw: &mut Lowerer, e: &Expr) {
    let ast::ExprKind::Str(parts) = &e.kind else { return };
    let text: String = parts
        .iter()
        .filter_map(|p| match p {
            ast::StrPart::Text(t) => Some(t.as_str()),
            _ => None,
        })
        .collect();
    let chars = text.chars().count();
    let control = text.chars().find(|c| c.is_control());
    let message = match control {
        Some(c) => format!("a model version's description holds no control characters; this one holds {:?}", c),
        None if chars > limits::MODEL_PACKAGE_DESCRIPTION => format!(
            "a model version's description has at most {} characters; this one has {chars}",
            limits::MODEL_PACKAGE_DESCRIPTION
        ),
        None => return,
    };
    lw.push(
        Diagnostic::new(Code::InvalidValue, e.span, message)
            .label("becomes ModelPackageDescription")
            .help("write the description on one line, without tabs, in at most 1024 characters (CreateModelPackage refuses anything else)"),
    );
}

/// `step NAME: register { model = train.model, group = "…" }`: a model package version.
pub fn register(
    lw: &mut Lowerer,
    cx: &Context,
    f: &mut Fields,
    step: &ast::Step,
    sym: &StepSymbol,
) -> Option<Register> {
    let (model, image) = served_model(lw, cx, f, step);
    if let Some(e) = f.get("description") {
        package_description(lw, e);
    }
    let group = f.require("group", "\"abalone-models\"", &mut lw.diags).and_then(|e| group(lw, e));
    let approval = f.get("approval").map(|e| approval(lw, e));
    let content_types = f.get("content_types").map(|e| {
        strings(lw, e, "`content_types`", |s| {
            (s.chars().count() > limits::CONTENT_TYPE)
                .then(|| format!("a content type is at most {} characters", limits::CONTENT_TYPE))
        })
    });
    let response_types = f.get("response_types").map(|e| {
        strings(lw, e, "`response_types`", |s| {
            if s.chars().count() > limits::RESPONSE_MIME_TYPE {
                Some(format!("a response type is at most {} characters", limits::RESPONSE_MIME_TYPE))
            } else if !names::is_mime_type(s) {
                Some("a response type is a MIME type such as `text/csv`".to_string())
            } else {
                None
            }
        })
    });
    let inference_instances =
        f.get("inference_instances").map(|e| instances(lw, cx, e, "`inference_instances`", JobKind::Endpoint));
    let transform_instances =
        f.get("transform_instances").map(|e| instances(lw, cx, e, "`transform_instances`", JobKind::Transform));
    let metrics = f.get("metrics").map(|e| metrics(lw, e));
    no_outputs(lw, sym, "a register", "remove the `out`: the version lives in the model package group");
    no_inputs(
        lw,
        step,
        "register",
        "name the trained model in `model = train.model` and its report in `metrics = evaluate.evaluation`",
    );
    Some(Register {
        model: model?,
        image: image?,
        group: group?,
        approval: approval.map_or(Some(None), |a| a.map(Some))?,
        content_types: content_types.unwrap_or(Some(Vec::new()))?,
        response_types: response_types.unwrap_or(Some(Vec::new()))?,
        inference_instances: inference_instances.unwrap_or(Some(Vec::new()))?,
        transform_instances: transform_instances.unwrap_or(Some(Vec::new()))?,
        metrics: metrics.map_or(Some(None), |m| m.map(Some))?,
    })
}

/// `group`: a model package group's name, checked when it is a literal.
fn group(lw: &mut Lowerer, e: &Expr) -> Option<Text> {
    entity_name(lw, e, "`group`", "a model package group", limits::MODEL_PACKAGE_GROUP_NAME)
}

/// A SageMaker entity's name (a group's, an endpoint's; `what` with its article),
/// checked when it is a literal.
fn entity_name(lw: &mut Lowerer, e: &Expr, field: &str, what: &str, max: usize) -> Option<Text> {
    let text = lw.text(e, field)?;
    if let Some(name) = text.as_literal() {
        if !names::is_entity_name(&name, max) {
            lw.push(
                Diagnostic::new(Code::InvalidValue, e.span, format!("`{name}` is not {what} name"))
                    .label(format!("not {what} name"))
                    .help(format!(
                        "the name is 1 to {max} letters, digits and `-`, not starting or ending with `-`, e.g. `{}`",
                        suggest_entity_name(&name, max)
                    )),
            );
            return None;
        }
    }
    Some(text)
}

/// A name in SageMaker's entity alphabet close to `name`.
fn suggest_entity_name(name: &str, max: usize) -> String {
    let mapped: String = name.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }).take(max).collect();
    let trimmed = mapped.trim_matches('-');
    if trimmed.is_empty() {
        "models".to_string()
    } else {
        trimmed.to_string()
    }
}

/// `approval`: a literal approval status, or a string param whose default and `enum`
/// values all are one.
fn approval(lw: &mut Lowerer, e: &Expr) -> Option<Text> {
    let text = lw.text(e, "`approval`")?;
    let statuses = APPROVAL_STATUSES.iter().map(|s| format!("`{s}`")).collect::<Vec<_>>().join(", ");
    let bad = |lw: &mut Lowerer, span, value: &str, extra: Option<(crate::source::Span, String)>| {
        let help = match did_you_mean(value, APPROVAL_STATUSES.iter().copied()) {
            Some(s) => format!("did you mean `{s}`? The approval is one of {statuses}"),
            None => format!("the approval is one of {statuses}"),
        };
        let mut d = Diagnostic::new(Code::InvalidValue, span, format!("`{value}` is not an approval status"))
            .label("not an approval status")
            .help(help);
        if let Some((at, why)) = extra {
            d = d.secondary(at, why);
        }
        lw.push(d);
    };
    if let Some(value) = text.as_literal() {
        if !APPROVAL_STATUSES.contains(&value.as_str()) {
            bad(lw, e.span, &value, None);
            return None;
        }
        return Some(text);
    }
    let Some(name) = text.as_param() else {
        lw.push(
            Diagnostic::new(Code::InvalidValue, e.span, "`approval` is a literal status or a string param")
                .label("built from several values")
                .help(format!("write one of {statuses}, or `params.NAME` with `{{ enum = [...] }}` among them")),
        );
        return None;
    };
    let Some((param, _)) = lw.symbols.param(name) else {
        return Some(text);
    };
    if !param.attributes.iter().any(|a| a.key.node == "enum") {
        lw.push(
            Diagnostic::new(Code::InvalidValue, e.span, format!("param `{name}` may hold any string, but `approval` takes {statuses}"))
                .label("not limited to approval statuses")
                .secondary(param.name.span, "declared here")
                .help(format!("add `{{ enum = [\"PendingManualApproval\", \"Approved\"] }}` to param `{name}`, so a run cannot pass another value")),
        );
        return None;
    }
    let mut ok = true;
    for (span, value) in super::params::literal_strings(param) {
        if !APPROVAL_STATUSES.contains(&value) {
            bad(lw, span, value, Some((e.span, format!("param `{name}` is the approval here"))));
            ok = false;
        }
    }
    ok.then_some(text)
}

/// A list of literal strings, each checked by `problem`.
fn strings(lw: &mut Lowerer, e: &Expr, field: &str, problem: impl Fn(&str) -> Option<String>) -> Option<Vec<String>> {
    lw.list(e, field, |lw, item| {
        let s = lw.static_text(item, field)?;
        if let Some(why) = problem(&s) {
            lw.push(
                Diagnostic::new(Code::InvalidValue, item.span, format!("invalid item in {field}"))
                    .label("not accepted")
                    .help(why),
            );
            return None;
        }
        Some(s)
    })
}

/// A non-empty list of literal instance types of `kind`.
fn instances(lw: &mut Lowerer, cx: &Context, e: &Expr, field: &str, kind: JobKind) -> Option<Vec<String>> {
    let list = lw.list(e, field, |lw, item| {
        let s = lw.static_text(item, field)?;
        check_instance(lw, cx, kind, item, &Text::literal(s.clone()));
        Some(s)
    })?;
    if list.is_empty() {
        lw.push(
            Diagnostic::new(Code::InvalidValue, e.span, format!("{field} is empty"))
                .label("no instance types")
                .help("list at least one instance type, or leave the key out"),
        );
        return None;
    }
    Some(list)
}

/// `metrics`: a report output, whose location the version records.
fn metrics(lw: &mut Lowerer, e: &Expr) -> Option<ArtifactRef> {
    let m = lw.artifact(e, "`metrics`")?;
    lw.links.push(Link { from: m.step, to: lw.current, edge: Edge::Text { output: m.output.clone() }, span: m.span });
    let produced = lw.symbols.step(m.step).and_then(|s| s.outputs.iter().find(|(n, _, _)| *n == m.output));
    match produced {
        Some((_, Some(ArtifactType::Report), _)) => Some(m),
        Some((_, Some(ty), span)) => {
            let name = format!("{}.{}", lw.symbols.step(m.step).map_or("", |s| s.ast.name.node.as_str()), m.output);
            lw.push(
                Diagnostic::new(Code::ArtifactTypeMismatch, m.span, format!("`metrics` must be a report, but `{name}` is {ty}"))
                    .label("not a report")
                    .secondary(*span, format!("produced as {ty} here"))
                    .help("name a `report` output, e.g. `evaluate.evaluation` declared as `out evaluation: report { file = \"evaluation.json\" }`"),
            );
            None
        }
        Some((_, None, _)) | None => None,
    }
}
