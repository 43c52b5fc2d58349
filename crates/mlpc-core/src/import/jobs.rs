//! Steps: processing, training and transform jobs (a transform's Model step folded
//! into it, as mlpc and the SDK's Transformer write it). Other step types are left
//! out, each reported.

use serde_json::Value as Json;

use super::common::{self, location, resources, role, step_fields, text};
use super::context::{short, Context, Obj, Pointer};
use super::draft;
use super::expr::{self, Piece};
use super::pipeline::Shared;
use crate::targets::requests::{
    CODE_INPUT, PROCESSING_INPUT_DIR, PROCESSING_OUTPUT_DIR, RUNNER_INPUT, SCRIPT_MODE_KEYS,
};

/// The names of a step's outputs, before anything is imported: a processing job's
/// `OutputName`s; a training job's model and a transform's results named by their
/// location in mlpc's layout, else `model` and `predictions`.
pub fn output_names(step: &Json, name: &str) -> Vec<String> {
    let args = step.get("Arguments");
    match step.get("Type").and_then(Json::as_str) {
        Some("Processing") => args
            .and_then(|a| a.pointer("/ProcessingOutputConfig/Outputs"))
            .and_then(Json::as_array)
            .map(|outs| outs.iter().filter_map(|o| o.get("OutputName")?.as_str().map(str::to_string)).collect())
            .unwrap_or_default(),
        Some(kind @ ("Training" | "Tuning")) => {
            let pointer = if kind == "Tuning" {
                "/TrainingJobDefinition/OutputDataConfig/S3OutputPath"
            } else {
                "/OutputDataConfig/S3OutputPath"
            };
            let at = args.and_then(|a| a.pointer(pointer));
            vec![at.and_then(|v| common::name_in_layout(v, name)).unwrap_or_else(|| "model".into())]
        }
        Some("Transform") => {
            let at = args.and_then(|a| a.pointer("/TransformOutput/S3OutputPath"));
            vec![at.and_then(|v| common::name_in_layout(v, name)).unwrap_or_else(|| "predictions".into())]
        }
        _ => Vec::new(),
    }
}

/// Marks each Model step that exists only to serve one transform (its model data a
/// training job's, nothing else reading it): the transform says it with `model`.
pub fn fold_models(cx: &mut Context, steps: &[(&Json, Pointer)]) {
    for (step, _) in steps {
        let Some(name) = step.get("Name").and_then(Json::as_str) else { continue };
        if step.get("Type").and_then(Json::as_str) != Some("Model") {
            continue;
        }
        let from_training =
            super::control::trained(cx, step.pointer("/Arguments/PrimaryContainer/ModelDataUrl")).is_some();
        let wanted = format!("Steps.{name}.");
        let readers: Vec<&Json> = steps.iter().map(|(s, _)| *s).filter(|s| mentions(s, &wanted)).collect();
        let transform = match readers.as_slice() {
            [only] if only.get("Type").and_then(Json::as_str) == Some("Transform") => {
                only.pointer("/Arguments/ModelName/Get").and_then(Json::as_str)
                    == Some(&format!("Steps.{name}.ModelName"))
            }
            _ => false,
        };
        if from_training && transform {
            let reader = readers.first().and_then(|s| s.get("Name")).and_then(Json::as_str).unwrap_or_default();
            if let Some(info) = cx.steps.get_mut(name) {
                info.folded_into = Some(reader.to_string());
            }
        }
    }
}

/// The types of outputs read by jobs that say a content type (training channels,
/// transforms), the images of training jobs, and property files.
pub fn infer_types(cx: &mut Context, steps: &[(&Json, Pointer)]) {
    for (step, _) in steps {
        let args = step.get("Arguments");
        let name = step.get("Name").and_then(Json::as_str).unwrap_or_default();
        for file in step.get("PropertyFiles").and_then(Json::as_array).into_iter().flatten() {
            let field = |key: &str| file.get(key).and_then(Json::as_str).map(str::to_string);
            if let (Some(property), Some(output), Some(path)) =
                (field("PropertyFileName"), field("OutputName"), field("FilePath"))
            {
                cx.property_files.insert((name.to_string(), property), (output, path));
            }
        }
        let mut reads: Vec<(&Json, Option<&str>)> = Vec::new();
        let kind = step.get("Type").and_then(Json::as_str);
        // A tuning job's trials are training jobs: its definition reads as one.
        let args = if kind == Some("Tuning") { args.and_then(|a| a.get("TrainingJobDefinition")) } else { args };
        match kind {
            Some("Training" | "Tuning") => {
                if let (Some("Tuning"), Some(path)) =
                    (kind, args.and_then(|a| a.pointer("/OutputDataConfig/S3OutputPath")))
                {
                    cx.tuning_outputs.insert(name.to_string(), path.clone());
                }
                if let (Some(name), Some(image)) = (
                    step.get("Name").and_then(Json::as_str),
                    args.and_then(|a| a.pointer("/AlgorithmSpecification/TrainingImage")).and_then(Json::as_str),
                ) {
                    cx.training_images.insert(name.to_string(), image.to_string());
                }
                for channel in
                    args.and_then(|a| a.get("InputDataConfig")).and_then(Json::as_array).into_iter().flatten()
                {
                    if let Some(uri) = channel.pointer("/DataSource/S3DataSource/S3Uri") {
                        reads.push((uri, channel.get("ContentType").and_then(Json::as_str)));
                    }
                }
            }
            Some("Transform") => {
                if let Some(uri) = args.and_then(|a| a.pointer("/TransformInput/DataSource/S3DataSource/S3Uri")) {
                    reads.push((
                        uri,
                        args.and_then(|a| a.pointer("/TransformInput/ContentType")).and_then(Json::as_str),
                    ));
                }
            }
            _ => {}
        }
        for (uri, content_type) in reads {
            let ty = type_of(content_type);
            let Some(path) = uri.get("Get").and_then(Json::as_str) else { continue };
            let Some(rest) = path.strip_prefix("Steps.") else { continue };
            let Some((producer, property)) = rest.split_once('.') else { continue };
            let output = property
                .strip_prefix("ProcessingOutputConfig.Outputs['")
                .and_then(|p| p.strip_suffix("'].S3Output.S3Uri"))
                .map(str::to_string)
                .or_else(|| {
                    (property == "TransformOutput.S3OutputPath")
                        .then(|| cx.steps.get(producer).and_then(|i| i.outputs.first().cloned()))
                        .flatten()
                });
            if let Some(output) = output {
                if ty != "files" {
                    cx.types.entry((producer.to_string(), output)).or_insert(ty);
                }
            }
        }
    }
}

/// Whether a `Get` in `value` names a property starting with `prefix`.
fn mentions(value: &Json, prefix: &str) -> bool {
    match value {
        Json::Object(map) => map.iter().any(|(k, v)| match (k.as_str(), v) {
            ("Get", Json::String(path)) => path.starts_with(prefix),
            _ => mentions(v, prefix),
        }),
        Json::Array(items) => items.iter().any(|v| mentions(v, prefix)),
        _ => false,
    }
}

/// Whether steps of this SageMaker type come into the `.mlp` (a Model step only as its
/// transform's `model`, see `fold_models`).
pub fn imported(kind: &str) -> bool {
    matches!(
        kind,
        "Processing"
            | "Training"
            | "Tuning"
            | "Transform"
            | "Model"
            | "Condition"
            | "Fail"
            | "RegisterModel"
            | "Lambda"
    )
}

pub fn step(
    cx: &mut Context,
    json: &Json,
    at: &Pointer,
    shared: &mut Shared,
    steps: &[(&Json, Pointer)],
) -> Option<draft::Step> {
    let mut obj = Obj::new(json, at.clone())?;
    let sm_name = obj.str("Name")?;
    let info = cx.steps.get(sm_name)?.clone();
    cx.current = Some(sm_name.to_string());
    let kind = obj.str("Type").unwrap_or_default();
    if info.folded_into.is_some() {
        return None;
    }
    let mlp_kind = match kind {
        "Processing" if super::sql::is_sql(json) => "sql",
        "Processing" => "processing",
        "Training" => "training",
        "Transform" => "transform",
        "Tuning" => "tuning",
        "Condition" => "condition",
        "Fail" => "fail",
        "Model" => "model",
        "RegisterModel" => "register",
        "Lambda" => "lambda",
        _ => {
            let mut notes = std::mem::take(&mut cx.notes);
            cx.left_out(
                at,
                &format!("the {} step `{sm_name}`", if kind.is_empty() { "untyped" } else { kind }),
                "mlpc import reads Processing, Training and Transform steps (and the Model step a transform runs); this step is not in the .mlp",
                &mut notes,
            );
            cx.notes = notes;
            return None;
        }
    };
    let written_back =
        [sm_name.to_string(), format!("{}-CreateModel", info.name), format!("{}-RegisterModel", info.name)];
    if !written_back.contains(&info.name) && !written_back[1..].iter().any(|n| n == sm_name) {
        cx.changed(
            &at.key("Name"),
            format!("the step `{sm_name}` is named `{}`", info.name),
            "step names in .mlp are identifiers (letters, digits, `_`); SageMaker shows the new name",
        );
    }
    let mut step = draft::Step::new(&info.name, mlp_kind);
    if let Some((condition, holds)) = &info.branch {
        let name = cx.steps.get(condition).map_or_else(|| condition.clone(), |c| c.name.clone());
        step.field("when", if *holds { name } else { format!("not {name}") });
    }
    let is_job = !matches!(mlp_kind, "condition" | "fail" | "lambda");
    step_fields(cx, &mut obj, &mut step, is_job);
    if mlp_kind == "lambda" {
        super::control::lambda(cx, &mut obj, &mut step);
    } else if let Some(mut args) = obj.object("Arguments") {
        match mlp_kind {
            "processing" => processing(cx, &mut args, &mut step, shared, sm_name),
            "sql" => super::sql::sql(cx, &mut args, &mut step, shared, sm_name),
            "training" => training(cx, &mut args, &mut step, shared, sm_name, "HyperParameters", Vec::new()),
            "tuning" => super::tuning::tuning(cx, &mut args, &mut step, shared, sm_name),
            "condition" => super::control::condition(cx, &mut args, &mut step),
            "fail" => super::control::fail(cx, &mut args, &mut step),
            "model" => super::control::model(cx, &mut args, &mut step, shared),
            "register" => super::control::register(cx, &mut args, &mut step, shared),
            _ => transform(cx, &mut args, &mut step, shared, sm_name, steps),
        }
        cx.rest(args, &mut step.notes);
    }
    // Property files were read before any step: each makes its output a report.
    let _ = obj.take("PropertyFiles");
    for output in &mut step.outputs {
        let file = cx.property_files.iter().find(|((s, _), (o, _))| s == sm_name && *o == output.name);
        if let Some((_, (_, file))) = file {
            output.ty = "report".into();
            output.attributes.insert(0, ("file".into(), expr::quote(file)));
        }
    }
    cx.rest(obj, &mut step.notes);
    Some(step)
}

/// The type an input from outside the pipeline is declared with, from the content
/// type a job reads it as.
fn type_of(content_type: Option<&str>) -> String {
    match content_type {
        Some("text/csv") => "dataset<csv>",
        Some("application/x-parquet") => "dataset<parquet>",
        Some("application/json") => "dataset<json>",
        _ => "files",
    }
    .to_string()
}

/// An `in` from a data source: another step's output, or text with its type.
fn input(
    cx: &mut Context,
    name: &str,
    value: &Json,
    at: &Pointer,
    ty: String,
    notes: &mut Vec<String>,
) -> Option<draft::Input> {
    let pieces = expr::pieces(cx, value, at, notes)?;
    let (ty, source) = match pieces.as_slice() {
        [Piece::Output(r)] => (None, format!("{}.{}", r.step, r.output)),
        _ => (Some(ty), expr::text(&pieces)),
    };
    Some(draft::Input { name: name.to_string(), ty, source, attributes: Vec::new() })
}

fn processing(cx: &mut Context, args: &mut Obj<'_>, step: &mut draft::Step, shared: &mut Shared, sm_name: &str) {
    if let Some(mut cluster) = args.object("ProcessingResources") {
        if let Some(config) = cluster.object("ClusterConfig") {
            resources(cx, config, step);
        }
        cx.rest(cluster, &mut step.notes);
    }
    let mut code_uri = None;
    for (item, at) in args.list("ProcessingInputs") {
        let Some(mut obj) = Obj::new(item, at.clone()) else { continue };
        let Some(name) = obj.str("InputName") else { continue };
        let Some(mut s3) = obj.object("S3Input") else {
            cx.rest(obj, &mut step.notes);
            continue;
        };
        let Some((uri, uri_at)) = s3.take("S3Uri") else { continue };
        let local = s3.str("LocalPath");
        if name == CODE_INPUT && local == Some(&format!("{PROCESSING_INPUT_DIR}/{CODE_INPUT}")) {
            match uri.as_str() {
                Some(uri) => code_uri = Some(uri.to_string()),
                None => cx.left_out(
                    &uri_at,
                    "code whose location is known only when the pipeline runs",
                    "`code` is a fixed S3 URI",
                    &mut step.notes,
                ),
            }
        } else if !crate::syntax::is_name(name) || !local.is_some_and(crate::ir::is_container_path) {
            cx.left_out(
                &at,
                &format!("the input `{name}` at {}", local.unwrap_or("(no path)")),
                "an input is a name (letters, digits, `_`) at a `path` under /opt/ml/processing/, outside the code's folder",
                &mut step.notes,
            );
        } else if let Some(mut input) = input(cx, name, uri, &uri_at, "files".into(), &mut step.notes) {
            if s3.str("S3DataDistributionType") == Some("ShardedByS3Key") {
                input.attributes.push(("distribution".into(), "sharded".into()));
            }
            if let Some(path) = local.filter(|l| *l != format!("{PROCESSING_INPUT_DIR}/{name}")) {
                input.attributes.push(("path".into(), expr::quote(path)));
            }
            step.inputs.push(input);
        }
        cx.rest(s3, &mut step.notes);
        cx.rest(obj, &mut step.notes);
    }
    if let Some(mut app) = args.object("AppSpecification") {
        if let Some(image) = app.str("ImageUri") {
            let name = shared.image(image);
            step.field("image", name);
        }
        let entrypoint: Option<Vec<String>> = app
            .peek("ContainerEntrypoint")
            .and_then(Json::as_array)
            .and_then(|items| items.iter().map(|i| i.as_str().map(str::to_string)).collect());
        match (code_uri, entrypoint) {
            (Some(uri), Some(entrypoint)) if code(&uri, &entrypoint, step) => {
                let _ = app.take("ContainerEntrypoint");
            }
            (_, entrypoint) => {
                let at = app.at.key("ContainerEntrypoint");
                let _ = app.take("ContainerEntrypoint");
                let runner = format!("{PROCESSING_INPUT_DIR}/{RUNNER_INPUT}/");
                if entrypoint.is_some_and(|e| e.iter().any(|item| item.starts_with(&runner))) {
                    cx.left_out(
                        &at,
                        "a python step as mlpc runs it off Airflow (its runner script)",
                        "a python step's code is imported from files next to the .mlp, which a definition does not hold: keep the .mlp that wrote this definition",
                        &mut step.notes,
                    );
                } else {
                    cx.left_out(
                        &at,
                        "a processing job that runs no script of its own `code` input",
                        "`.mlp` runs `code` (a script, or an archive with `entry`) in the image; an image's own entrypoint cannot be said yet",
                        &mut step.notes,
                    );
                }
            }
        }
        if let Some((Json::Array(items), at)) = app.take("ContainerArguments") {
            let mut texts = Vec::new();
            for (i, item) in items.iter().enumerate() {
                texts.extend(text(cx, item, &at.index(i), &mut step.notes));
            }
            step.field("args", format!("[{}]", texts.join(", ")));
        }
        cx.rest(app, &mut step.notes);
    }
    let types = cx.types.clone();
    let type_of =
        |name: &str| types.get(&(sm_name.to_string(), name.to_string())).cloned().unwrap_or_else(|| "files".into());
    processing_outputs(cx, args, step, sm_name, &type_of, true);
    job_common(cx, args, step, shared, "StoppingCondition");
}

/// A processing job's outputs, each of the type `type_of` gives its name.
pub fn processing_outputs(
    cx: &mut Context,
    args: &mut Obj<'_>,
    step: &mut draft::Step,
    sm_name: &str,
    type_of: &dyn Fn(&str) -> String,
    paths: bool,
) {
    if let Some(mut config) = args.object("ProcessingOutputConfig") {
        for (item, at) in config.list("Outputs") {
            let Some(mut obj) = Obj::new(item, at.clone()) else { continue };
            let Some(name) = obj.str("OutputName") else { continue };
            let Some(mut s3) = obj.object("S3Output") else { continue };
            let local = s3.str("LocalPath");
            let default = format!("{PROCESSING_OUTPUT_DIR}/{name}");
            let sayable = if paths { local.is_some_and(crate::ir::is_container_path) } else { local == Some(&default) };
            if !crate::syntax::is_name(name) || !sayable {
                cx.left_out(
                    &at,
                    &format!("the output `{name}` at {}", local.unwrap_or("(no path)")),
                    if paths {
                        "an output is a name (letters, digits, `_`) at a `path` under /opt/ml/processing/, outside the code's folder"
                    } else {
                        "a sql step's output is at /opt/ml/processing/output/NAME"
                    },
                    &mut step.notes,
                );
                continue;
            }
            let ty = type_of(name);
            let mut output = draft::Output { name: name.to_string(), ty, attributes: Vec::new() };
            if let Some(path) = local.filter(|l| *l != default) {
                output.attributes.push(("path".into(), expr::quote(path)));
            }
            if let Some((uri, uri_at)) = s3.take("S3Uri") {
                location(cx, uri, &uri_at, sm_name, &mut output, &mut step.notes);
            }
            step.outputs.push(output);
            cx.rest(s3, &mut step.notes);
            cx.rest(obj, &mut step.notes);
        }
        cx.rest(config, &mut step.notes);
    }
}

/// `code` (and `entry`) when the entrypoint is the one mlpc writes for that code.
fn code(uri: &str, entrypoint: &[String], step: &mut draft::Step) -> bool {
    let file_name = uri.rsplit('/').next().unwrap_or(uri).to_string();
    let entry = match entrypoint {
        [_, _, script, _] if file_name.ends_with(".tar.gz") => {
            script.rsplit(" && exec ").next().and_then(|run| run.split(' ').nth(1)).map(str::to_string)
        }
        _ => None,
    };
    let candidate = crate::ir::CodeFile {
        path: uri.to_string(),
        file_name,
        sha256: String::new(),
        size: 0,
        contents: std::sync::Arc::from(Vec::new()),
        packed: entry
            .clone()
            .map(|entry| crate::ir::Packed { files: std::sync::Arc::from(Vec::new()), entry: Some(entry) }),
        s3_uri: Some(uri.to_string()),
        span: crate::source::Span::default(),
    };
    if crate::targets::requests::entrypoint(&candidate) != entrypoint {
        return false;
    }
    step.field("code", expr::quote(uri));
    if let Some(entry) = entry {
        step.field("entry", expr::quote(&entry));
    }
    true
}

/// `RoleArn`, `Environment` and the stopping condition every job may have.
fn job_common(cx: &mut Context, args: &mut Obj<'_>, step: &mut draft::Step, shared: &mut Shared, stopping: &str) {
    if let Some((value, at)) = args.take("RoleArn") {
        role(cx, value, &at, shared, &mut step.notes);
    }
    if let Some((value, at)) = args.take("Environment") {
        common::env(cx, value, &at, step);
    }
    if let Some(mut stop) = args.object(stopping) {
        if let Some((value, _)) = stop.take("MaxRuntimeInSeconds") {
            let seconds = value.as_u64().unwrap_or_default();
            let default = step.kind == "training" && seconds == crate::targets::requests::DEFAULT_TRAINING_RUNTIME;
            if seconds > 0 && !default {
                step.field("max_runtime", common::duration(seconds));
            }
        }
        if step.fields.iter().any(|(k, v)| k == "spot" && v == "true") {
            let _ = stop.take("MaxWaitTimeInSeconds");
        }
        cx.rest(stop, &mut step.notes);
    }
}

/// A training job: a training step's Arguments, or a tuning step's trial definition
/// (`hyperparameters` then names `StaticHyperParameters`, and `extra` adds the
/// searched ones).
pub fn training(
    cx: &mut Context,
    args: &mut Obj<'_>,
    step: &mut draft::Step,
    shared: &mut Shared,
    sm_name: &str,
    hyperparameters_key: &str,
    extra: Vec<String>,
) {
    if let Some(mut algorithm) = args.object("AlgorithmSpecification") {
        if let Some(image) = algorithm.str("TrainingImage") {
            let name = shared.image(image);
            step.field("image", name);
        }
        let metrics: Vec<String> = algorithm
            .list("MetricDefinitions")
            .into_iter()
            .filter_map(|(m, _)| {
                Some(format!("{} = {}", common::key(m.get("Name")?.as_str()?), expr::quote(m.get("Regex")?.as_str()?)))
            })
            .collect();
        if !metrics.is_empty() {
            step.field("metrics", format!("{{ {} }}", metrics.join(", ")));
        }
        cx.rest(algorithm, &mut step.notes);
    }
    if let Some(config) = args.object("ResourceConfig") {
        resources(cx, config, step);
    }
    if let Some((Json::Bool(true), _)) = args.take("EnableManagedSpotTraining") {
        step.field("spot", "true");
    }
    for (channel, at) in args.list("InputDataConfig") {
        let Some(mut obj) = Obj::new(channel, at.clone()) else { continue };
        let Some(name) = obj.str("ChannelName") else { continue };
        let content_type = obj.str("ContentType");
        let Some(mut source) = obj.object("DataSource") else { continue };
        let Some(mut s3) = source.object("S3DataSource") else { continue };
        let Some((uri, uri_at)) = s3.take("S3Uri") else { continue };
        if !crate::syntax::is_name(name) {
            cx.left_out(
                &at,
                &format!("the channel `{name}`"),
                "a channel is an `in`, whose name is a name (letters, digits, `_`)",
                &mut step.notes,
            );
            continue;
        }
        if let Some(mut input) = input(cx, name, uri, &uri_at, type_of(content_type), &mut step.notes) {
            if s3.str("S3DataDistributionType") == Some("ShardedByS3Key") {
                input.attributes.push(("distribution".into(), "sharded".into()));
            }
            if content_type.is_some() && type_of(content_type) == "files" {
                cx.left_out(
                    &at.key("ContentType"),
                    &format!("the content type {} of the channel `{name}`", short(&Json::from(content_type))),
                    "a channel's content type follows its dataset type (text/csv, application/x-parquet, application/json)",
                    &mut step.notes,
                );
            }
            step.inputs.push(input);
        }
        cx.rest(s3, &mut step.notes);
        cx.rest(source, &mut step.notes);
        cx.rest(obj, &mut step.notes);
    }
    let model = cx.steps.get(sm_name).and_then(|i| i.outputs.first().cloned()).unwrap_or_else(|| "model".into());
    let mut output = draft::Output { name: model, ty: "model".into(), attributes: Vec::new() };
    if let Some(mut config) = args.object("OutputDataConfig") {
        if let Some((uri, at)) = config.take("S3OutputPath") {
            location(cx, uri, &at, sm_name, &mut output, &mut step.notes);
        }
        cx.rest(config, &mut step.notes);
    }
    step.outputs.push(output);
    let mut entries = hyperparameters(cx, args, step, hyperparameters_key);
    entries.extend(extra);
    if !entries.is_empty() {
        step.field("hyperparameters", format!("{{\n{}\n}}", entries.join("\n")));
    }
    job_common(cx, args, step, shared, "StoppingCondition");
}

/// The fixed hyperparameters as map entries; script mode's become `code` and `entry`.
fn hyperparameters(cx: &mut Context, args: &mut Obj<'_>, step: &mut draft::Step, key: &str) -> Vec<String> {
    let Some(mut hyper) = args.object(key) else { return Vec::new() };
    let [program, directory, log_level, region] = SCRIPT_MODE_KEYS;
    let decoded = |v: Option<&str>| v.and_then(|s| serde_json::from_str::<String>(s).ok());
    if let (Some(entry), Some(uri)) =
        (decoded(hyper.peek(program).and_then(Json::as_str)), decoded(hyper.peek(directory).and_then(Json::as_str)))
    {
        let _ = (hyper.take(program), hyper.take(directory));
        step.field("code", expr::quote(&uri));
        step.field("entry", expr::quote(&entry));
        if hyper.peek(log_level).and_then(Json::as_str) == Some("20") {
            let _ = hyper.take(log_level);
        }
        // The region mlpc writes is the pipeline's: checked when the pipeline is built.
        let _ = hyper.take(region);
    }
    let keys = hyper.unread();
    let mut entries = Vec::new();
    for key in keys {
        let Some((value, at)) = hyper.take(&key) else { continue };
        let Some(pieces) = expr::pieces(cx, value, &at, &mut step.notes) else { continue };
        // Hyperparameters take any parameter as it is (the job gets its text).
        let written = match pieces.as_slice() {
            [Piece::Literal(s)] if is_plain_number(s) => s.clone(),
            [Piece::Param(name, _)] => format!("params.{name}"),
            _ => expr::text(&pieces),
        };
        entries.push(format!("{} = {written}", common::key(&key)));
    }
    cx.rest(hyper, &mut step.notes);
    entries
}

/// Whether the text is a number that mlpc writes back as the same text (`50`, `0.2`;
/// not `050`, `1e3` or `0.20`), so it can be written as a number.
fn is_plain_number(s: &str) -> bool {
    let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    let body = s.strip_prefix('-').unwrap_or(s);
    let literal = match body.split_once('.') {
        Some((whole, fraction)) => digits(whole) && digits(fraction),
        None => digits(body),
    };
    literal
        && match crate::number::parse(s) {
            Ok(crate::number::Number::Int(n)) => n.to_string() == s,
            Ok(crate::number::Number::Float(f)) => crate::ir::format_float(f) == s,
            Err(_) => false,
        }
}

fn transform(
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
        match input_obj.str("SplitType") {
            Some("Line") => {
                split_line = true;
                step.field("split", "line");
            }
            Some("RecordIO") => step.field("split", "recordio"),
            Some("TFRecord") => step.field("split", "tfrecord"),
            Some("None") => step.field("split", "none"),
            _ => {}
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
    if let Some(mut container) = args.object("PrimaryContainer") {
        if let Some((data, data_at)) = container.take("ModelDataUrl") {
            if let Some(pieces) = expr::pieces(cx, data, &data_at, &mut step.notes) {
                if let [Piece::Output(r)] = pieces.as_slice() {
                    step.field("model", format!("{}.{}", r.step, r.output));
                }
            }
        }
        let trained_image = data_image(cx, model);
        if let Some(image) = container.str("Image") {
            if trained_image.as_deref() != Some(image) {
                let name = shared.image(image);
                step.field("image", name);
            }
        }
        if let Some((value, env_at)) = container.take("Environment") {
            common::env(cx, value, &env_at, step);
        }
        cx.rest(container, &mut step.notes);
    }
    if let Some((value, role_at)) = args.take("ExecutionRoleArn") {
        role(cx, value, &role_at, shared, &mut step.notes);
    }
    cx.rest(args, &mut step.notes);
    cx.rest(obj, &mut step.notes);
}

/// The training image of the step whose model a Model step serves.
fn data_image(cx: &Context, model: &Json) -> Option<String> {
    super::control::trained(cx, model.pointer("/Arguments/PrimaryContainer/ModelDataUrl"))
}
