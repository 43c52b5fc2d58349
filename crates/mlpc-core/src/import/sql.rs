//! `sql` steps: the processing job mlpc writes for one on SageMaker (the query as a
//! dataset definition input, `mlpc_sql.py` moving the result to the output; see
//! `targets/sagemaker/sql.rs`). A processing job that reads a dataset definition with a
//! script of its own is not a `sql` step: `.mlp` processing steps have no such input,
//! so it is left out.

use serde_json::Value as Json;

use super::common::text;
use super::context::{Context, Obj};
use super::draft;
use super::expr::Piece;
use super::pipeline::Shared;
use crate::targets::requests::{CODE_INPUT, PROCESSING_INPUT_DIR};
use crate::targets::sagemaker::sql::{output_format, QUERY_INPUT, UNLOADER_IMAGE, UNLOADER_INSTANCE};

/// Whether a processing step is mlpc's job for a `sql` step.
pub fn is_sql(step: &Json) -> bool {
    let script = format!("{PROCESSING_INPUT_DIR}/{CODE_INPUT}/{}", crate::ir::SQL_UNLOADER);
    let runs_unloader = step
        .pointer("/Arguments/AppSpecification/ContainerEntrypoint")
        .and_then(Json::as_array)
        .is_some_and(|e| e.len() == 2 && e.get(1).and_then(Json::as_str) == Some(&script));
    let reads_query = step
        .pointer("/Arguments/ProcessingInputs")
        .and_then(Json::as_array)
        .is_some_and(|inputs| inputs.iter().any(|i| i.get("DatasetDefinition").is_some()));
    runs_unloader && reads_query
}

pub fn sql(cx: &mut Context, args: &mut Obj<'_>, step: &mut draft::Step, shared: &mut Shared, sm_name: &str) {
    // The image is the unloader's, in the pipeline's region: not declared in the .mlp.
    let unloader = args
        .peek("AppSpecification")
        .and_then(|a| a.get("ImageUri"))
        .and_then(Json::as_str)
        .and_then(crate::aws::images::identify)
        .filter(|found| (found.framework, found.version) == UNLOADER_IMAGE && found.processor.is_none());
    if let Some(mut app) = args.object("AppSpecification") {
        if let Some(found) = unloader {
            let _ = app.take("ImageUri");
            shared.regions.push(found.region);
        }
        let _ = app.take("ContainerEntrypoint");
        let mode = app.peek("ContainerArguments").and_then(|a| a.get(0)).and_then(Json::as_str).map(str::to_string);
        let _ = app.take("ContainerArguments");
        step_format(cx, args, step, mode.as_deref(), shared, sm_name);
        cx.rest(app, &mut step.notes);
    }
    if let Some(mut resources) = args.object("ProcessingResources") {
        if let Some(mut cluster) = resources.object("ClusterConfig") {
            if cluster.peek("InstanceType").and_then(Json::as_str) == Some(UNLOADER_INSTANCE) {
                let _ = cluster.take("InstanceType");
            }
            for (key, one) in [("InstanceCount", 1), ("VolumeSizeInGB", 30)] {
                if cluster.peek(key).and_then(Json::as_i64) == Some(one) {
                    let _ = cluster.take(key);
                }
            }
            cx.rest(cluster, &mut step.notes);
        }
        cx.rest(resources, &mut step.notes);
    }
    if let Some(mut stop) = args.object("StoppingCondition") {
        if let Some(seconds) = stop.peek("MaxRuntimeInSeconds").and_then(Json::as_u64).filter(|s| *s > 0) {
            let _ = stop.take("MaxRuntimeInSeconds");
            step.field("timeout", super::common::duration(seconds));
        }
        cx.rest(stop, &mut step.notes);
    }
    if let Some((value, at)) = args.take("RoleArn") {
        super::common::role(cx, value, &at, shared, &mut step.notes);
    }
}

/// The engine, query and output from the dataset definition and the unloader's mode.
fn step_format(
    cx: &mut Context,
    args: &mut Obj<'_>,
    step: &mut draft::Step,
    mode: Option<&str>,
    shared: &Shared,
    sm_name: &str,
) {
    let mut output_format_written = None;
    for (input, at) in args.list("ProcessingInputs") {
        let Some(mut obj) = Obj::new(input, at.clone()) else { continue };
        match obj.str("InputName") {
            Some(CODE_INPUT) => {
                // mlpc's own script, shipped again when the .mlp is built.
                let _ = obj.take("S3Input");
            }
            Some(QUERY_INPUT) => {
                if let Some(mut definition) = obj.object("DatasetDefinition") {
                    if definition.str("LocalPath") != Some(&format!("{PROCESSING_INPUT_DIR}/{QUERY_INPUT}")) {
                        let at = definition.at.key("LocalPath");
                        cx.left_out(
                            &at,
                            "a query result at another path",
                            "mlpc's sql job reads it at /opt/ml/processing/input/query",
                            &mut step.notes,
                        );
                    }
                    let _ = (definition.take("DataDistributionType"), definition.take("InputMode"));
                    for (key, engine) in
                        [("AthenaDatasetDefinition", "athena"), ("RedshiftDatasetDefinition", "redshift")]
                    {
                        if let Some(inner) = definition.object(key) {
                            step.field("engine", engine);
                            output_format_written = query(cx, inner, step, engine, shared, sm_name);
                        }
                    }
                    cx.rest(definition, &mut step.notes);
                }
            }
            _ => {}
        }
        cx.rest(obj, &mut step.notes);
    }
    let format = match (output_format_written.as_deref(), mode) {
        (Some(written), Some(mode)) => ["parquet", "json", "csv"].into_iter().find(|format| {
            let engine = step.fields.iter().find(|(k, _)| k == "engine").map(|(_, v)| v.as_str());
            let engine =
                if engine == Some("redshift") { crate::ir::SqlEngine::Redshift } else { crate::ir::SqlEngine::Athena };
            let f = match *format {
                "parquet" => crate::ir::Format::Parquet,
                "json" => crate::ir::Format::Json,
                _ => crate::ir::Format::Csv,
            };
            output_format(engine, f) == Some((written, mode))
        }),
        _ => None,
    };
    let ty = format.map_or_else(|| "dataset<parquet>".to_string(), |f| format!("dataset<{f}>"));
    super::jobs::processing_outputs(cx, args, step, sm_name, &|_| ty.clone(), false);
    if format.is_none() {
        let at = args.at.key("AppSpecification");
        cx.left_out(
            &at,
            "an output format mlpc's sql job does not write",
            "a sql step's output is dataset<parquet>, dataset<csv> or (athena) dataset<json>",
            &mut step.notes,
        );
    }
}

/// The query's settings; the format the dataset definition writes.
fn query(
    cx: &mut Context,
    mut def: Obj<'_>,
    step: &mut draft::Step,
    engine: &str,
    shared: &Shared,
    sm_name: &str,
) -> Option<String> {
    let keys: &[(&str, &str)] = if engine == "athena" {
        &[("Database", "database"), ("WorkGroup", "workgroup"), ("QueryString", "query")]
    } else {
        &[("ClusterId", "cluster"), ("Database", "database"), ("DbUser", "db_user"), ("QueryString", "query")]
    };
    for (key, field) in keys {
        if let Some((value, at)) = def.take(key) {
            if let Some(t) = text(cx, value, &at, &mut step.notes) {
                step.field(field, t);
            }
        }
    }
    if engine == "athena" {
        match def.take("Catalog") {
            Some((Json::String(c), _)) if c == "AwsDataCatalog" => {}
            Some((value, at)) => {
                if let Some(t) = text(cx, value, &at, &mut step.notes) {
                    step.field("catalog", t);
                }
            }
            None => {}
        }
    } else if let Some((value, at)) = def.take("ClusterRoleArn") {
        // By the contract the UNLOAD's role is the pipeline's unless said.
        if let Some(t) = text(cx, value, &at, &mut step.notes).filter(|t| shared.role.as_ref() != Some(t)) {
            step.field("iam_role", t);
        }
    }
    // Where the query's result is staged is mlpc's choice, made again when the .mlp is
    // built: `<artifacts>/<pipeline>/<run id>/<step>/_query/`.
    if let Some((value, at)) = def.take("OutputS3Uri") {
        let pieces = super::expr::pieces(cx, value, &at, &mut step.notes).unwrap_or_default();
        let artifacts = match pieces.as_slice() {
            [Piece::Literal(root), Piece::RunId, Piece::Literal(tail)] if *tail == format!("/{sm_name}/_query/") => {
                root.strip_suffix(&format!("/{}/", cx.pipeline)).map(str::to_string)
            }
            _ => None,
        };
        // It shows `artifacts` too, where every output has a `uri` of its own.
        let expected = match (artifacts, &cx.artifacts) {
            (Some(found), None) => {
                cx.artifacts = Some(found);
                true
            }
            (Some(found), Some(known)) => found == *known,
            (None, _) => false,
        };
        if !expected {
            cx.changed(
                &at,
                format!(
                    "the query's result is staged under mlpc's `<run>/{sm_name}/_query/` instead of {}",
                    super::context::short(value)
                ),
                "the staging location is temporary: the step's output is where the result ends",
            );
        }
    }
    let written = def.str("OutputFormat").map(str::to_string);
    cx.rest(def, &mut step.notes);
    written
}
