//! Each step: the dispatch on its type (other types are left out, each reported), and
//! processing and training jobs. Transforms are in `transform.rs`, tuning in
//! `tuning.rs`, sql in `sql.rs`, the steps without a job in `control.rs`.

use serde_json::Value as Json;

use super::common::{self, location, resources, role, step_fields, text};
use super::context::{short, Context, Obj, Pointer};
use super::draft;
use super::expr::{self, Piece};
use super::pipeline::Shared;
use crate::targets::requests::{
    CODE_INPUT, PROCESSING_INPUT_DIR, PROCESSING_OUTPUT_DIR, RUNNER_INPUT, SCRIPT_MODE_KEYS,
};

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
    let info = cx.steps.get(sm_name).filter(|info| info.at == *at)?.clone();
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
    let mut step = draft::Step::new(&info.name, sm_name, mlp_kind);
    if let Some((condition, holds)) = &info.branch {
        let name = cx.steps.get(condition).map_or_else(|| condition.clone(), |c| c.name.clone());
        step.field("when", if *holds { name } else { format!("not {name}") });
    }
    // The job errors are retried for steps that run a job; a model or register step
    // calls one API, and mlpc writes its retry with the step errors only.
    let is_job = matches!(mlp_kind, "processing" | "sql" | "training" | "tuning" | "transform");
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
            _ => super::transform::transform(cx, &mut args, &mut step, shared, sm_name, steps),
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

/// An input, output or channel this importer cannot read (no name, no S3 source): left
/// out whole.
fn unreadable(cx: &mut Context, at: &Pointer, item: &Json, notes: &mut Vec<String>) {
    cx.left_out(
        at,
        &format!("the item {}", short(item)),
        "an input, output or channel is read from its name and its S3 location (S3Input, S3Output, S3DataSource)",
        notes,
    );
}

/// The type an input from outside the pipeline is declared with, from the content
/// type a job reads it as.
pub(super) fn type_of(content_type: Option<&str>) -> String {
    match content_type {
        Some("text/csv") => "dataset<csv>",
        Some("application/x-parquet") => "dataset<parquet>",
        Some("application/json") => "dataset<json>",
        _ => "files",
    }
    .to_string()
}

/// An `in` from a data source: another step's output, or text with its type.
pub(super) fn input(
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
        let Some(mut obj) = Obj::new(item, at.clone()) else {
            unreadable(cx, &at, item, &mut step.notes);
            continue;
        };
        let Some(name) = obj.str("InputName") else {
            unreadable(cx, &at, item, &mut step.notes);
            continue;
        };
        let Some(mut s3) = obj.object("S3Input") else {
            cx.rest(obj, &mut step.notes);
            continue;
        };
        let Some((uri, uri_at)) = s3.take("S3Uri") else {
            unreadable(cx, &at, item, &mut step.notes);
            continue;
        };
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
            let Some(mut obj) = Obj::new(item, at.clone()) else {
                unreadable(cx, &at, item, &mut step.notes);
                continue;
            };
            let Some(name) = obj.str("OutputName") else {
                unreadable(cx, &at, item, &mut step.notes);
                continue;
            };
            let Some(mut s3) = obj.object("S3Output") else {
                unreadable(cx, &at, item, &mut step.notes);
                continue;
            };
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
        let trials = matches!(step.kind, "training" | "tuning");
        let mut runtime = trials.then_some(crate::targets::requests::DEFAULT_TRAINING_RUNTIME);
        if let Some(seconds) = stop.peek("MaxRuntimeInSeconds").and_then(Json::as_u64).filter(|s| *s > 0) {
            let _ = stop.take("MaxRuntimeInSeconds");
            runtime = Some(seconds);
            if !(trials && seconds == crate::targets::requests::DEFAULT_TRAINING_RUNTIME) {
                step.field("max_runtime", common::duration(seconds));
            }
        }
        // Spot training waits twice the run time, as mlpc writes it.
        let spot = step.fields.iter().any(|(k, v)| k == "spot" && v == "true");
        let wait = stop.peek("MaxWaitTimeInSeconds").and_then(Json::as_u64);
        if spot && wait.is_some() && wait == runtime.map(|r| r.saturating_mul(2)) {
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
        let Some(mut obj) = Obj::new(channel, at.clone()) else {
            unreadable(cx, &at, channel, &mut step.notes);
            continue;
        };
        let Some(name) = obj.str("ChannelName") else {
            unreadable(cx, &at, channel, &mut step.notes);
            continue;
        };
        let content_type = obj.str("ContentType");
        let Some(mut source) = obj.object("DataSource") else {
            unreadable(cx, &at, channel, &mut step.notes);
            continue;
        };
        let Some(mut s3) = source.object("S3DataSource") else {
            unreadable(cx, &at, channel, &mut step.notes);
            continue;
        };
        let Some((uri, uri_at)) = s3.take("S3Uri") else {
            unreadable(cx, &at, channel, &mut step.notes);
            continue;
        };
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
