//! What is known before any step is imported, from the whole definition: each step's
//! output names, the types of outputs as jobs read them, property files, training
//! images, and which Model steps only serve a transform (folded into it).

use serde_json::Value as Json;

use super::common;
use super::context::{Context, Pointer};
use super::jobs::type_of;

/// The names of a step's outputs, before anything is imported: a processing job's
/// `OutputName`s; a training job's model and a transform's results named by their
/// location in mlpc's layout, else `model` and `predictions`.
pub fn output_names(step: &Json, name: &str) -> Vec<String> {
    let args = step.get("Arguments");
    match step.get("Type").and_then(Json::as_str) {
        Some("Processing") => args
            .and_then(|a| a.pointer("/ProcessingOutputConfig/Outputs"))
            .and_then(Json::as_array)
            .map(|outs| {
                outs.iter()
                    .filter_map(|o| o.get("OutputName")?.as_str())
                    .filter(|name| crate::syntax::is_name(name))
                    .map(str::to_string)
                    .collect()
            })
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
