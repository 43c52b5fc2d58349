//! Each step's states: a Task on the optimized SageMaker or Athena integration (its
//! `.sync` form waits for the job), or for Redshift the Data API with a polling loop.
//! The main Task state is named after the step.

use serde_json::{json, Map, Value as Json};

use super::expr::{Exprs, QueryLanguage};
use super::{Segment, NEXT};
use crate::ir::{Sql, SqlEngine, Step, StepKind};
use crate::targets::queries;
use crate::targets::requests::{self, Node};

const SAGEMAKER_ERRORS: [&str; 4] = [
    "SageMaker.AmazonSageMakerException",
    "SageMaker.ResourceLimitExceededException",
    "ThrottlingException",
    "States.TaskFailed",
];
const ATHENA_ERRORS: [&str; 3] =
    ["Athena.AmazonAthenaException", "Athena.TooManyRequestsException", "States.TaskFailed"];
const REDSHIFT_ERRORS: [&str; 2] = ["RedshiftData.RedshiftDataException", "States.TaskFailed"];
/// Seconds between two status checks of a Redshift statement.
pub const REDSHIFT_POLL_SECONDS: u64 = 10;

pub fn step(x: &Exprs, step: &Step) -> Result<Segment, String> {
    let p = x.p;
    let name = step.name.node.clone();
    match &step.kind {
        StepKind::Processing(job) => {
            let body = x.body(&requests::processing_job(p, step, job))?;
            Ok(Segment::one(
                &name,
                task(x, step, "arn:aws:states:::sagemaker:createProcessingJob.sync", body, &SAGEMAKER_ERRORS, true),
            ))
        }
        StepKind::Training(job) => {
            let body = x.body(&requests::training_job(p, step, job))?;
            Ok(Segment::one(
                &name,
                task(x, step, "arn:aws:states:::sagemaker:createTrainingJob.sync", body, &SAGEMAKER_ERRORS, true),
            ))
        }
        StepKind::Transform(job) => {
            let model_state = format!("{name} model");
            let (key, value) = x.dynamic_entry("ModelName", x.model_name(step.id));
            let mut model = x.body(&requests::model(p, step, job))?;
            set_entry(&mut model, "ModelName", &key, value.clone());
            let mut transform = x.body(&requests::transform_job(p, step, job))?;
            set_entry(&mut transform, "ModelName", &key, value);
            let mut model_task =
                task(x, step, "arn:aws:states:::sagemaker:createModel", model, &SAGEMAKER_ERRORS, false);
            model_task["Next"] = json!(name);
            model_task["Comment"] = json!(format!("The model step `{name}` runs"));
            let transform_task =
                task(x, step, "arn:aws:states:::sagemaker:createTransformJob.sync", transform, &SAGEMAKER_ERRORS, true);
            Ok(Segment {
                entry: model_state.clone(),
                states: vec![(model_state, model_task), (name.clone(), transform_task)],
                exit: Some(name),
            })
        }
        StepKind::Sql(sql) => match sql.engine {
            SqlEngine::Athena => Ok(Segment::one(&name, athena(x, step, sql)?)),
            SqlEngine::Redshift => redshift(x, step, sql),
        },
        StepKind::Python(_) => Err("python steps are rejected by the Step Functions check".to_string()),
    }
}

/// Replaces `field` (under its plain or `.$` key) by `key: value`, in place.
fn set_entry(body: &mut Json, field: &str, key: &str, value: Json) {
    if let Some(map) = body.as_object_mut() {
        let mut out = Map::new();
        for (k, v) in std::mem::take(map) {
            if k == field || k == format!("{field}.$") {
                out.insert(key.to_string(), value.clone());
            } else {
                out.insert(k, v);
            }
        }
        *map = out;
    }
}

/// A Task state; `main` marks the step's own state, which carries its description,
/// timeout and retry policy.
fn task(x: &Exprs, step: &Step, resource: &str, body: Json, errors: &[&str], main: bool) -> Json {
    let mut state = Map::new();
    state.insert("Type".into(), json!("Task"));
    if let (true, Some(d)) = (main, &step.description) {
        state.insert("Comment".into(), json!(d));
    }
    state.insert("Resource".into(), json!(resource));
    let body_key = if x.lang == QueryLanguage::Jsonata { "Arguments" } else { "Parameters" };
    state.insert(body_key.into(), body);
    if x.lang == QueryLanguage::Jsonpath {
        // The result is not needed later: pass the run's context on unchanged.
        state.insert("ResultPath".into(), Json::Null);
    }
    if let (true, Some(t)) = (main, step.timeout) {
        state.insert("TimeoutSeconds".into(), json!(t));
    }
    if let Some(retry) = step.retry.filter(|r| r.attempts > 0) {
        state.insert(
            "Retry".into(),
            json!([{
                "ErrorEquals": errors,
                "IntervalSeconds": retry.delay.max(1),
                "MaxAttempts": retry.attempts,
                "BackoffRate": 1.0,
            }]),
        );
    }
    state.insert("Next".into(), json!(NEXT));
    Json::Object(state)
}

fn text(t: &Option<crate::ir::Text>) -> Option<Node> {
    t.as_ref().map(|t| Node::Text(requests::text_pieces(t)))
}

fn map(entries: Vec<(&str, Option<Node>)>) -> Node {
    Node::Map(entries.into_iter().filter_map(|(k, v)| v.map(|v| (k.to_string(), v))).collect())
}

/// Athena: the query wrapped in UNLOAD to the step's output, run to completion.
fn athena(x: &Exprs, step: &Step, sql: &Sql) -> Result<Json, String> {
    let body = map(vec![
        ("QueryString", Some(Node::Text(queries::athena_unload(x.p, step, sql)))),
        ("QueryExecutionContext", Some(map(vec![("Database", text(&sql.database)), ("Catalog", text(&sql.catalog))]))),
        ("WorkGroup", text(&sql.workgroup)),
        (
            "ResultConfiguration",
            Some(map(vec![("OutputLocation", Some(Node::Text(queries::athena_metadata_location(x.p, step))))])),
        ),
    ]);
    Ok(task(x, step, "arn:aws:states:::athena:startQueryExecution.sync", x.body(&body)?, &ATHENA_ERRORS, true))
}

/// Redshift through the Data API: ExecuteStatement, then DescribeStatement until the
/// statement is FINISHED (Wait between checks); FAILED or ABORTED ends in a Fail state.
fn redshift(x: &Exprs, step: &Step, sql: &Sql) -> Result<Segment, String> {
    let name = step.name.node.clone();
    let (status, check, wait, failed, done) = (
        format!("{name} status"),
        format!("{name} finished?"),
        format!("{name} wait"),
        format!("{name} failed"),
        format!("{name} done"),
    );
    let body = map(vec![
        ("ClusterIdentifier", text(&sql.cluster)),
        ("Database", text(&sql.database)),
        ("DbUser", text(&sql.db_user)),
        ("Sql", Some(Node::Text(queries::redshift_unload(x.p, step, sql)))),
    ]);
    let mut execute =
        task(x, step, "arn:aws:states:::aws-sdk:redshiftdata:executeStatement", x.body(&body)?, &REDSHIFT_ERRORS, true);
    execute["Next"] = json!(status);
    let mut describe =
        task(x, step, "arn:aws:states:::aws-sdk:redshiftdata:describeStatement", json!({}), &REDSHIFT_ERRORS, false);
    describe["Next"] = json!(check);
    let jsonata = x.lang == QueryLanguage::Jsonata;
    let (statement_var, status_var) = (format!("{name}_statement"), format!("{name}_status"));
    let choices = if jsonata {
        execute["Assign"] = json!({ statement_var.clone(): "{% $states.result.Id %}" });
        describe["Arguments"] = json!({ "Id": format!("{{% ${statement_var} %}}") });
        describe["Assign"] = json!({ status_var.clone(): "{% $states.result.Status %}" });
        json!([
            { "Condition": format!("{{% ${status_var} = 'FINISHED' %}}"), "Next": done },
            { "Condition": format!("{{% ${status_var} in ['FAILED', 'ABORTED'] %}}"), "Next": failed },
        ])
    } else {
        let at = format!("$.sql.{name}");
        execute["ResultPath"] = json!(at);
        describe["Parameters"] = json!({ "Id.$": format!("{at}.Id") });
        describe["ResultPath"] = json!(at);
        let status_at = format!("{at}.Status");
        json!([
            { "Variable": status_at, "StringEquals": "FINISHED", "Next": done },
            {
                "Or": [
                    { "Variable": status_at, "StringEquals": "FAILED" },
                    { "Variable": status_at, "StringEquals": "ABORTED" },
                ],
                "Next": failed,
            },
        ])
    };
    let states = vec![
        (name.clone(), execute),
        (status.clone(), describe),
        (check.clone(), json!({ "Type": "Choice", "Choices": choices, "Default": wait })),
        (wait.clone(), json!({ "Type": "Wait", "Seconds": REDSHIFT_POLL_SECONDS, "Next": status })),
        (
            failed,
            json!({
                "Type": "Fail",
                "Error": "Redshift.StatementFailed",
                "Cause": format!("the UNLOAD of step `{name}` ended FAILED or ABORTED (see DescribeStatement)"),
            }),
        ),
        (done.clone(), json!({ "Type": "Pass", "Next": NEXT })),
    ];
    Ok(Segment { entry: name, states, exit: Some(done) })
}
