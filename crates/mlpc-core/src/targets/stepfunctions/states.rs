//! Each step's states: a Task on the optimized SageMaker or Athena integration (its
//! `.sync` form waits for the job), or for Redshift the Data API with a polling loop.
//! The main Task state is named after the step.

use serde_json::{json, Map, Value as Json};

use super::expr::{Exprs, QueryLanguage};
use super::machine::{Catcher, Choice, Fail, Pass, ResultPath, Retrier, Rule, State, Task, Transition, Wait};
use super::Segment;
use crate::ir::{Sql, SqlEngine, Step, StepKind};
use crate::targets::queries;
use crate::targets::requests::{self, Node};

/// The errors a step's SageMaker Task retries on (with the step's `retry`), one list for
/// every SageMaker call the machine makes.
pub(super) const SAGEMAKER_ERRORS: &[&str] = &[
    "SageMaker.AmazonSageMakerException",
    "SageMaker.ResourceLimitExceededException",
    "ThrottlingException",
    "States.TaskFailed",
];
const ATHENA_ERRORS: &[&str] =
    &["Athena.AmazonAthenaException", "Athena.TooManyRequestsException", "States.TaskFailed"];
const REDSHIFT_ERRORS: &[&str] = &["RedshiftData.RedshiftDataException", "States.TaskFailed"];
/// Seconds between two status checks of a Redshift statement.
pub const REDSHIFT_POLL_SECONDS: u64 = 10;

pub fn step(x: &Exprs, step: &Step) -> Result<Segment, String> {
    let p = x.p;
    let name = step.name.node.clone();
    match &step.kind {
        StepKind::Processing(job) => processing(x, step, &requests::processing_job(p, step, job)),
        StepKind::Training(job) => {
            let body = x.body(&requests::training_job(p, step, job))?;
            let mut training =
                task(x, step, "arn:aws:states:::sagemaker:createTrainingJob.sync", body, SAGEMAKER_ERRORS, true);
            // The model archive as the job reports it, for the steps that read it.
            x.keep_model(step.id, &mut training);
            Ok(Segment::one(&name, State::Task(training)))
        }
        StepKind::Tuning(t) => {
            let body = x.body(&requests::tuning_job(p, step, t))?;
            let mut tuning = task(
                x,
                step,
                "arn:aws:states:::sagemaker:createHyperParameterTuningJob.sync",
                body,
                SAGEMAKER_ERRORS,
                true,
            );
            // The best job's name, for the steps that read the model it made.
            x.keep_model(step.id, &mut tuning);
            Ok(Segment::one(&name, State::Task(tuning)))
        }
        StepKind::Model(m) => {
            let body = x.body(&requests::model_step(p, step, m))?;
            let model = task(x, step, "arn:aws:states:::sagemaker:createModel", body, SAGEMAKER_ERRORS, true);
            Ok(Segment::one(&name, State::Task(model)))
        }
        StepKind::Transform(job) => {
            let Some(request) = requests::model(p, step, job) else {
                // It runs the model a model step created (its name in the request).
                let body = x.body(&requests::transform_job(p, step, job))?;
                let transform =
                    task(x, step, "arn:aws:states:::sagemaker:createTransformJob.sync", body, SAGEMAKER_ERRORS, true);
                return Ok(Segment::one(&name, State::Task(transform)));
            };
            let model_state = format!("{name} model");
            let (key, value) = x.dynamic_entry("ModelName", x.model_name(step.id));
            let mut model = x.body(&request)?;
            set_entry(&mut model, "ModelName", &key, value.clone());
            let mut transform = x.body(&requests::transform_job(p, step, job))?;
            set_entry(&mut transform, "ModelName", &key, value);
            let mut model_task =
                task(x, step, "arn:aws:states:::sagemaker:createModel", model, SAGEMAKER_ERRORS, false);
            model_task.transition = Some(Transition::Next(name.clone()));
            model_task.comment = Some(format!("The model step `{name}` runs"));
            let transform_task =
                task(x, step, "arn:aws:states:::sagemaker:createTransformJob.sync", transform, SAGEMAKER_ERRORS, true);
            Ok(Segment {
                entry: model_state.clone(),
                states: vec![(model_state, State::Task(model_task)), (name, State::Task(transform_task))],
                exits: vec![1],
            })
        }
        StepKind::Sql(sql) => match sql.engine {
            SqlEngine::Athena => Ok(Segment::one(&name, State::Task(athena(x, step, sql)?))),
            SqlEngine::Redshift => redshift(x, step, sql),
        },
        StepKind::Python(py) => {
            let job = py.job.as_ref().ok_or("a python step without its job passed the Step Functions check")?;
            processing(x, step, &requests::python_job(p, step, py, job))
        }
        StepKind::Register(r) => register(x, step, r),
        StepKind::Lambda(l) => super::lambda::lambda(x, step, l),
        StepKind::Endpoint(e) => super::endpoint::endpoint(x, step, e),
        StepKind::Condition(condition) => super::control::condition(x, step, &condition.check),
        StepKind::Fail(fail) => super::control::fail(x, step, fail),
    }
}

/// A register step: CreateModelPackageGroup, whose failure (the group exists, most
/// often) is caught and passed over, then CreateModelPackage, which fails loudly if
/// the group is still missing. Neither has an optimized integration: both go through
/// the AWS SDK integration.
fn register(x: &Exprs, step: &Step, r: &crate::ir::Register) -> Result<Segment, String> {
    let name = step.name.node.clone();
    let group_state = format!("{name} group");
    let group =
        x.body(&Node::Map(vec![("ModelPackageGroupName".to_string(), Node::Text(requests::text_pieces(&r.group)))]))?;
    let mut group_task =
        task(x, step, "arn:aws:states:::aws-sdk:sagemaker:createModelPackageGroup", group, SAGEMAKER_ERRORS, false);
    group_task.comment = Some(format!("The model package group of step `{name}`, unless it exists"));
    group_task.transition = Some(Transition::Next(name.clone()));
    group_task.catch = vec![going_on(x, &name, format!("$.registry.{name}"))];
    let body = x.body(&requests::register(x.p, step, r))?;
    let package = task(x, step, "arn:aws:states:::aws-sdk:sagemaker:createModelPackage", body, SAGEMAKER_ERRORS, true);
    Ok(Segment {
        entry: group_state.clone(),
        states: vec![(group_state, State::Task(group_task)), (name, State::Task(package))],
        exits: vec![1],
    })
}

/// A processing job's Task, run to completion: a processing step's or a python step's.
fn processing(x: &Exprs, step: &Step, request: &Node) -> Result<Segment, String> {
    let body = x.body(request)?;
    let state = task(x, step, "arn:aws:states:::sagemaker:createProcessingJob.sync", body, SAGEMAKER_ERRORS, true);
    Ok(Segment::one(&step.name.node, State::Task(state)))
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

/// A Task state with its transition still open; `main` marks the step's own state,
/// which carries its description, timeout and retry policy.
/// A catcher that takes every error as an answer and goes on to `next`: JSONPath keeps
/// the error at `at`, out of the run's context; JSONata states read variables, not
/// their input, so the error output is harmless there.
pub(super) fn going_on(x: &Exprs, next: &str, at: String) -> Catcher {
    let result_path = (x.lang == QueryLanguage::Jsonpath).then_some(at);
    Catcher { error_equals: &["States.ALL"], next: next.to_string(), output: None, result_path }
}

pub(super) fn task(
    x: &Exprs,
    step: &Step,
    resource: &'static str,
    body: Json,
    errors: &'static [&'static str],
    main: bool,
) -> Task {
    let jsonata = x.lang == QueryLanguage::Jsonata;
    let (arguments, parameters) = if jsonata { (Some(body), None) } else { (None, Some(body)) };
    Task {
        comment: if main { step.description.clone() } else { None },
        resource,
        arguments,
        parameters,
        // JSONPath: the result is not needed later, pass the run's context on unchanged.
        result_path: (!jsonata).then_some(ResultPath::Discard),
        timeout_seconds: if main { step.timeout } else { None },
        retry: step
            .retry
            .filter(|r| r.attempts > 0)
            .map(|retry| Retrier {
                error_equals: errors,
                interval_seconds: retry.delay.max(1),
                max_attempts: retry.attempts,
                backoff_rate: 1.0,
            })
            .into_iter()
            .collect(),
        ..Task::default()
    }
}

fn text(t: &Option<crate::ir::Text>) -> Option<Node> {
    t.as_ref().map(|t| Node::Text(requests::text_pieces(t)))
}

fn map(entries: Vec<(&str, Option<Node>)>) -> Node {
    Node::Map(entries.into_iter().filter_map(|(k, v)| v.map(|v| (k.to_string(), v))).collect())
}

/// Athena: the query wrapped in UNLOAD to the step's output (or the statement), run to
/// completion.
fn athena(x: &Exprs, step: &Step, sql: &Sql) -> Result<Task, String> {
    let body = map(vec![
        ("QueryString", Some(Node::Text(queries::athena_sql(x.p, step, sql)))),
        ("QueryExecutionContext", Some(map(vec![("Database", text(&sql.database)), ("Catalog", text(&sql.catalog))]))),
        ("WorkGroup", text(&sql.workgroup)),
        (
            "ResultConfiguration",
            Some(map(vec![("OutputLocation", Some(Node::Text(queries::athena_metadata_location(x.p, step))))])),
        ),
    ]);
    Ok(task(x, step, "arn:aws:states:::athena:startQueryExecution.sync", x.body(&body)?, ATHENA_ERRORS, true))
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
        ("Sql", Some(Node::Text(queries::redshift_sql(x.p, step, sql)))),
    ]);
    let mut execute =
        task(x, step, "arn:aws:states:::aws-sdk:redshiftdata:executeStatement", x.body(&body)?, REDSHIFT_ERRORS, true);
    execute.transition = Some(Transition::Next(status.clone()));
    let mut describe =
        task(x, step, "arn:aws:states:::aws-sdk:redshiftdata:describeStatement", json!({}), REDSHIFT_ERRORS, false);
    describe.transition = Some(Transition::Next(check.clone()));
    let jsonata = x.lang == QueryLanguage::Jsonata;
    let (statement_var, status_var) = (format!("{name}_statement"), format!("{name}_status"));
    let choices = if jsonata {
        execute.assign = Some(json!({ statement_var.clone(): "{% $states.result.Id %}" }));
        describe.arguments = Some(json!({ "Id": format!("{{% ${statement_var} %}}") }));
        describe.assign = Some(json!({ status_var.clone(): "{% $states.result.Status %}" }));
        vec![
            Rule { test: json!({ "Condition": format!("{{% ${status_var} = 'FINISHED' %}}") }), next: done.clone() },
            Rule {
                test: json!({ "Condition": format!("{{% ${status_var} in ['FAILED', 'ABORTED'] %}}") }),
                next: failed.clone(),
            },
        ]
    } else {
        let at = format!("$.sql.{name}");
        execute.result_path = Some(ResultPath::At(at.clone()));
        describe.parameters = Some(json!({ "Id.$": format!("{at}.Id") }));
        describe.result_path = Some(ResultPath::At(at.clone()));
        let status_at = format!("{at}.Status");
        vec![
            Rule { test: json!({ "Variable": status_at, "StringEquals": "FINISHED" }), next: done.clone() },
            Rule {
                test: json!({
                    "Or": [
                        { "Variable": status_at, "StringEquals": "FAILED" },
                        { "Variable": status_at, "StringEquals": "ABORTED" },
                    ],
                }),
                next: failed.clone(),
            },
        ]
    };
    let states = vec![
        (name.clone(), State::Task(execute)),
        (status.clone(), State::Task(describe)),
        (check, State::Choice(Choice { choices, default: Some(wait.clone()) })),
        (wait, State::Wait(Wait { seconds: REDSHIFT_POLL_SECONDS, transition: Some(Transition::Next(status)) })),
        (
            failed,
            State::Fail(Fail {
                error: Some("Redshift.StatementFailed".into()),
                cause: Some(format!(
                    "the {} of step `{name}` ended FAILED or ABORTED (see DescribeStatement)",
                    if sql.statement { "statement" } else { "UNLOAD" }
                )),
                ..Fail::default()
            }),
        ),
        (done, State::Pass(Pass::default())),
    ];
    let exits = vec![states.len() - 1];
    Ok(Segment { entry: name, states, exits })
}
