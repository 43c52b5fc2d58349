//! Transform steps, with the Model step mlpc and the SDK's Transformer write for a
//! transform of a training step's model folded into them (`prepass::fold_models`).

use serde_json::Value as Json;

use super::common::{self, location, resources, role};
use super::context::{short, Context, Obj, Pointer};
use super::control::{serving_container, Environment};
use super::draft;
use super::expr;
use super::jobs::{input, type_of};
use super::pipeline::Shared;

pub fn transform(
    cx: &mut Context,
    args: &mut Obj<'_>,
    step: &mut draft::Step,
    shared: &mut Shared,
    sm_name: &str,
    steps: &[(&Json, Pointer)],
) {
    let this = steps
        .iter()
        .find(|(s, _)| s.get("Name").and_then(Json::as_str) == Some(sm_name))
        .map_or(&Json::Null, |(s, _)| *s);
    if let Some((value, at)) = args.take("ModelName") {
        let model =
            value.get("Get").and_then(Json::as_str).and_then(|p| p.strip_prefix("Steps.")?.strip_suffix(".ModelName"));
        let folded = model.and_then(|m| steps.iter().find(|(s, _)| s.get("Name").and_then(Json::as_str) == Some(m)));
        let created = model.and_then(|m| cx.steps.get(m)).filter(|i| i.kind == "Model" && i.folded_into.is_none());
        match folded {
            Some((model_step, model_at)) if cx.steps.get(model.unwrap_or_default()).is_some_and(|i| i.folded_into.as_deref() == Some(sm_name)) => {
                folded_model(cx, model_step, model_at, this, step, shared);
            }
            _ if created.is_some() => {
                let name = created.map(|i| i.name.clone()).unwrap_or_default();
                step.field("model", format!("{name}.{}", super::control::MODEL_OUTPUT));
            }
            _ => cx.left_out(&at, &format!("the model {}", short(value)), "a transform runs a training step's model (`model = train.model`) through the Model step mlpc writes for it", &mut step.notes),
        }
    }
    if let Some(resources_obj) = args.object("TransformResources") {
        resources(cx, resources_obj, step);
    }
    let mut split_line = false;
    if let Some(mut input_obj) = args.object("TransformInput") {
        let content_type = input_obj.str("ContentType");
        if let Some(mut source) = input_obj.object("DataSource") {
            if let Some(mut s3) = source.object("S3DataSource") {
                if let Some((uri, at)) = s3.take("S3Uri") {
                    if let Some(input) = input(cx, "data", uri, &at, type_of(content_type), &mut step.notes) {
                        step.inputs.push(input);
                    }
                }
                cx.rest(s3, &mut step.notes);
            }
            cx.rest(source, &mut step.notes);
        }
        if let Some(ct) = content_type {
            step.field("content_type", expr::quote(ct));
        }
        let split = match input_obj.peek("SplitType").and_then(Json::as_str) {
            Some("Line") => Some("line"),
            Some("RecordIO") => Some("recordio"),
            Some("TFRecord") => Some("tfrecord"),
            Some("None") => Some("none"),
            // Another value stays unread: reported below.
            _ => None,
        };
        if let Some(split) = split {
            let _ = input_obj.take("SplitType");
            split_line = split == "line";
            step.field("split", split);
        }
        cx.rest(input_obj, &mut step.notes);
    }
    let name = cx.steps.get(sm_name).and_then(|i| i.outputs.first().cloned()).unwrap_or_else(|| "predictions".into());
    let ty = cx.types.get(&(sm_name.to_string(), name.clone())).cloned().unwrap_or_else(|| "files".into());
    let mut output = draft::Output { name, ty, attributes: Vec::new() };
    if let Some(mut out) = args.object("TransformOutput") {
        if let Some((uri, at)) = out.take("S3OutputPath") {
            location(cx, uri, &at, sm_name, &mut output, &mut step.notes);
        }
        if split_line && out.peek("AssembleWith").and_then(Json::as_str) == Some("Line") {
            let _ = out.take("AssembleWith");
        }
        cx.rest(out, &mut step.notes);
    }
    step.outputs.push(output);
}

/// The Model step a transform runs, said by the transform: its model (the training
/// step's), image when it is not the training job's, and environment.
fn folded_model(
    cx: &mut Context,
    model: &Json,
    at: &Pointer,
    transform: &Json,
    step: &mut draft::Step,
    shared: &mut Shared,
) {
    let Some(mut obj) = Obj::new(model, at.clone()) else { return };
    let _ = (obj.take("Name"), obj.take("Type"));
    // mlpc gives the Model step the transform's retry (without the job errors, as the
    // step runs no job) and no cache: the transform says both.
    let retry = |step: Option<&Json>, is_job| step.map(|r| common::retry(r, is_job));
    if retry(obj.peek("RetryPolicies"), false) == retry(transform.get("RetryPolicies"), true) {
        let _ = obj.take("RetryPolicies");
    }
    let Some(mut args) = obj.object("Arguments") else { return };
    if let Some(container) = args.object("PrimaryContainer") {
        serving_container(cx, container, step, shared, Environment::Read);
    }
    if let Some((value, role_at)) = args.take("ExecutionRoleArn") {
        role(cx, value, &role_at, shared, &mut step.notes);
    }
    cx.rest(args, &mut step.notes);
    cx.rest(obj, &mut step.notes);
}
