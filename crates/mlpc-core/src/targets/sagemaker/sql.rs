//! `sql` steps on SageMaker. A pipeline has no query step, but a processing job can
//! run an Athena or Redshift query itself and read the result as an input (a
//! DatasetDefinition). So a sql step becomes one such input of each processing step
//! that reads it, and the query runs as part of that job.

use serde_json::{json, Map, Value as Json};

use super::expr;
use super::tree::Val;
use crate::ir::{Format, Input, Pipeline, Sql, SqlEngine, Step, Text};
use crate::targets::requests::{self, Piece, PROCESSING_INPUT_DIR};

/// The format name a dataset definition writes for `format`, if the engine has one.
pub fn output_format(engine: SqlEngine, format: Format) -> Option<&'static str> {
    match (engine, format) {
        (SqlEngine::Athena, Format::Parquet) | (SqlEngine::Redshift, Format::Parquet) => Some("PARQUET"),
        (SqlEngine::Athena, Format::Json) => Some("JSON"),
        (SqlEngine::Redshift, Format::Csv) => Some("CSV"),
        // Athena's TEXTFILE separates fields with \001, not commas; Redshift unloads no JSON here.
        (SqlEngine::Athena, Format::Csv) | (SqlEngine::Redshift, Format::Json) => None,
    }
}

/// Where the query result for `consumer` lands: under the sql step's output, one
/// folder per consuming step (each consumer runs the query itself).
fn result_location(p: &Pipeline, sql_step: &Step, output: &str, consumer: &Step) -> Vec<Piece> {
    let mut pieces = requests::output_location(p, sql_step, output);
    pieces.push(Piece::Literal(format!("{}/", consumer.name.node)));
    pieces
}

fn text(p: &Pipeline, t: &Text) -> Result<Json, String> {
    expr::text(p, requests::text_pieces(t)).map(Val::into_json)
}

/// The ProcessingInput of `consumer` that runs `sql` and reads its result as `input`.
pub fn dataset_input(p: &Pipeline, sql_step: &Step, sql: &Sql, input: &Input, consumer: &Step) -> Result<Json, String> {
    let format = match input.ty {
        crate::ir::ArtifactType::Dataset(f) => f,
        crate::ir::ArtifactType::Model | crate::ir::ArtifactType::Files => Format::Parquet,
    };
    let output_format = output_format(sql.engine, format).ok_or("checked: no output format")?;
    let location = expr::text(
        p,
        result_location(p, sql_step, &input.producer().ok_or("a sql result without its step")?.output, consumer),
    )?
    .into_json();
    let mut def = Map::new();
    match sql.engine {
        SqlEngine::Athena => {
            let catalog = sql.catalog.as_ref().map_or(Ok(json!("AwsDataCatalog")), |c| text(p, c))?;
            def.insert("Catalog".into(), catalog);
            def.insert("Database".into(), optional(p, &sql.database)?);
            def.insert("QueryString".into(), text(p, &sql.query)?);
            if let Some(wg) = &sql.workgroup {
                def.insert("WorkGroup".into(), text(p, wg)?);
            }
            def.insert("OutputS3Uri".into(), location);
            def.insert("OutputFormat".into(), json!(output_format));
        }
        SqlEngine::Redshift => {
            def.insert("ClusterId".into(), optional(p, &sql.cluster)?);
            def.insert("Database".into(), optional(p, &sql.database)?);
            def.insert("DbUser".into(), optional(p, &sql.db_user)?);
            def.insert("QueryString".into(), text(p, &sql.query)?);
            def.insert("ClusterRoleArn".into(), optional(p, sql.iam_role.as_ref().or(p.settings.role.as_ref()))?);
            def.insert("OutputS3Uri".into(), location);
            def.insert("OutputFormat".into(), json!(output_format));
        }
    }
    let engine_key = match sql.engine {
        SqlEngine::Athena => "AthenaDatasetDefinition",
        SqlEngine::Redshift => "RedshiftDatasetDefinition",
    };
    Ok(json!({
        "InputName": input.name.node,
        "DatasetDefinition": {
            engine_key: def,
            "LocalPath": format!("{PROCESSING_INPUT_DIR}/{}", input.name.node),
            "DataDistributionType": "FullyReplicated",
            "InputMode": "File",
        }
    }))
}

/// A required setting; its absence is reported by the target check first.
fn optional<'a>(p: &Pipeline, t: impl Into<Option<&'a Text>>) -> Result<Json, String> {
    match t.into() {
        Some(t) => text(p, t),
        None => Err("checked: a dataset definition setting is missing".to_string()),
    }
}
