//! `sql` steps on SageMaker. A pipeline has no query step, but a processing job can
//! run an Athena or Redshift query itself and read the result as an input (a
//! DatasetDefinition). So a sql step is a processing job of its own: its input is the
//! query, and mlpc's `mlpc_sql.py` moves the result to the step's output (turning
//! Athena's TEXTFILE into CSV), where every step kind reads it like any processing
//! output. The query runs once, however many steps read it.

use serde_json::{json, Map, Value as Json};

use super::expr;
use super::tree::Val;
use crate::aws::images;
use crate::ir::{ArtifactType, Format, Pipeline, Sql, SqlEngine, Step, Text};
use crate::targets::requests::{self, Node, Piece, PROCESSING_INPUT_DIR, PROCESSING_OUTPUT_DIR};

/// The image that runs `mlpc_sql.py`: any with Python 3 would do; the scikit-learn
/// framework image is in every region SageMaker Processing is.
pub const UNLOADER_IMAGE: (&str, &str) = ("sklearn", "1.2-1");
/// The smallest processing instance: the job only copies files.
pub const UNLOADER_INSTANCE: &str = "ml.t3.medium";
/// Where the job finds the query's result; its script is the input `code`, as a
/// processing step's (and the SDK's `ScriptProcessor`'s).
pub(crate) const QUERY_INPUT: &str = "query";

/// What the dataset definition writes for `format`, and how `mlpc_sql.py` turns it into
/// the output: as is, or from Athena's TEXTFILE (`\001` between fields) to CSV.
pub fn output_format(engine: SqlEngine, format: Format) -> Option<(&'static str, &'static str)> {
    match (engine, format) {
        (SqlEngine::Athena | SqlEngine::Redshift, Format::Parquet) => Some(("PARQUET", "copy")),
        (SqlEngine::Athena, Format::Json) => Some(("JSON", "copy")),
        (SqlEngine::Athena, Format::Csv) => Some(("TEXTFILE", "textfile-to-csv")),
        (SqlEngine::Redshift, Format::Csv) => Some(("CSV", "copy")),
        // Redshift's dataset definitions write Parquet or CSV only.
        (SqlEngine::Redshift, Format::Json) => None,
    }
}

fn text(p: &Pipeline, t: &Text) -> Result<Json, String> {
    expr::text(p, requests::text_pieces(t)).map(Val::into_json)
}

/// The sql step's processing job, as step Arguments (`arguments` turns a request into
/// them): the query as the input `query`, the script as the input `code`, the result as
/// the step's output.
pub fn job(
    p: &Pipeline,
    step: &Step,
    sql: &Sql,
    arguments: impl Fn(&Pipeline, Node) -> Result<Val, String>,
) -> Result<Val, String> {
    let out = step.outputs.first().ok_or("a sql step without its output passed the check")?;
    let format = match out.ty {
        ArtifactType::Dataset(f) => f,
        ArtifactType::Model | ArtifactType::Files | ArtifactType::Report | ArtifactType::SagemakerModel => {
            Format::Parquet
        }
    };
    let (_, mode) = output_format(sql.engine, format).ok_or("checked: no output format")?;
    let region = p.settings.region.as_deref().ok_or("checked: a sql step without the pipeline's region")?;
    let image = images::sagemaker_image_uri(UNLOADER_IMAGE.0, UNLOADER_IMAGE.1, None, region)
        .map_err(|e| format!("the sql image for {region}: {e:?}"))?;
    let script = [PROCESSING_INPUT_DIR, "/", requests::CODE_INPUT, "/", &sql.unloader.file_name].concat();
    let output_dir = format!("{PROCESSING_OUTPUT_DIR}/{}", out.name.node);
    let mut body = vec![
        (
            "ProcessingResources",
            Node::map(vec![(
                "ClusterConfig",
                Node::map(vec![
                    ("InstanceCount", Node::Int(1)),
                    ("InstanceType", Node::text(UNLOADER_INSTANCE)),
                    ("VolumeSizeInGB", Node::Int(30)),
                ]),
            )]),
        ),
        (
            "AppSpecification",
            Node::map(vec![
                ("ImageUri", Node::text(image.uri)),
                ("ContainerEntrypoint", Node::List(vec![Node::text("python3"), Node::text(script)])),
                (
                    "ContainerArguments",
                    Node::List(vec![
                        Node::text(mode),
                        Node::text(format!("{PROCESSING_INPUT_DIR}/{QUERY_INPUT}")),
                        Node::text(&output_dir),
                    ]),
                ),
            ]),
        ),
        (
            "ProcessingInputs",
            Node::List(vec![requests::processing_input(
                requests::CODE_INPUT,
                vec![Piece::Literal(requests::code_uri(p, &sql.unloader))],
                crate::ir::Distribution::Replicated,
            )]),
        ),
        (
            "ProcessingOutputConfig",
            Node::map(vec![(
                "Outputs",
                Node::List(vec![Node::map(vec![
                    ("OutputName", Node::text(&out.name.node)),
                    (
                        "S3Output",
                        Node::map(vec![
                            ("S3Uri", Node::Text(requests::output_location(p, step, &out.name.node))),
                            ("LocalPath", Node::text(&output_dir)),
                            ("S3UploadMode", Node::text("EndOfJob")),
                        ]),
                    ),
                ])]),
            )]),
        ),
    ];
    if let Some(seconds) = step.timeout {
        body.push(("StoppingCondition", Node::map(vec![("MaxRuntimeInSeconds", Node::Int(seconds as i64))])));
    }
    body.push(("RoleArn", requests::role(p)));
    let mut args = arguments(p, Node::map(body))?;
    let query = dataset_input(p, step, sql, format)?;
    if let Val::Map(entries) = &mut args {
        for (key, value) in entries.iter_mut() {
            if let ("ProcessingInputs", Val::List(inputs)) = (key.as_ref(), value) {
                inputs.insert(0, Val::Json(query.clone()));
            }
        }
    }
    Ok(args)
}

/// The input `query`: the dataset definition that runs the query, staging its result
/// under `<run>/<step>/_query/`.
fn dataset_input(p: &Pipeline, step: &Step, sql: &Sql, format: Format) -> Result<Json, String> {
    let (output_format, _) = output_format(sql.engine, format).ok_or("checked: no output format")?;
    let staging = vec![
        Piece::Literal(requests::run_root(p)),
        Piece::RunKey,
        Piece::Literal(format!("/{}/_query/", step.name.node)),
    ];
    let location = expr::text(p, staging)?.into_json();
    let mut def = Map::new();
    match sql.engine {
        SqlEngine::Athena => {
            let catalog = sql.catalog.as_ref().map_or(Ok(json!("AwsDataCatalog")), |c| text(p, c))?;
            def.insert("Catalog".into(), catalog);
            def.insert("Database".into(), required(p, &sql.database)?);
            def.insert("QueryString".into(), text(p, &sql.query)?);
            if let Some(wg) = &sql.workgroup {
                def.insert("WorkGroup".into(), text(p, wg)?);
            }
            def.insert("OutputS3Uri".into(), location);
            def.insert("OutputFormat".into(), json!(output_format));
        }
        SqlEngine::Redshift => {
            def.insert("ClusterId".into(), required(p, &sql.cluster)?);
            def.insert("Database".into(), required(p, &sql.database)?);
            def.insert("DbUser".into(), required(p, &sql.db_user)?);
            def.insert("QueryString".into(), text(p, &sql.query)?);
            def.insert("ClusterRoleArn".into(), required(p, sql.iam_role.as_ref().or(p.settings.role.as_ref()))?);
            def.insert("OutputS3Uri".into(), location);
            def.insert("OutputFormat".into(), json!(output_format));
        }
    }
    let engine_key = match sql.engine {
        SqlEngine::Athena => "AthenaDatasetDefinition",
        SqlEngine::Redshift => "RedshiftDatasetDefinition",
    };
    Ok(json!({
        "InputName": QUERY_INPUT,
        "DatasetDefinition": {
            engine_key: def,
            "LocalPath": format!("{PROCESSING_INPUT_DIR}/{QUERY_INPUT}"),
            "DataDistributionType": "FullyReplicated",
            "InputMode": "File",
        }
    }))
}

/// A required setting; its absence is reported by the target check first.
fn required<'a>(p: &Pipeline, t: impl Into<Option<&'a Text>>) -> Result<Json, String> {
    match t.into() {
        Some(t) => text(p, t),
        None => Err("checked: a dataset definition setting is missing".to_string()),
    }
}
