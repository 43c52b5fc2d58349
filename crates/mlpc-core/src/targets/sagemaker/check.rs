//! What a SageMaker Pipeline cannot hold, reported with spans before anything is
//! generated: sql steps with no processing job to run their query, query results in
//! a format the engine cannot write, settings SageMaker needs before a run starts,
//! and the service's limits.

use super::sql::output_format;
use crate::aws::limits::{
    SAGEMAKER_ENUM_VALUES as MAX_ENUM_VALUES, SAGEMAKER_PARAM_VALUE as MAX_PARAM_VALUE,
    SAGEMAKER_RETRY_ATTEMPTS as MAX_RETRY_ATTEMPTS, SAGEMAKER_STEP_NAME as MAX_STEP_NAME,
};
use crate::diagnostics::{Code, Diagnostic};
use crate::ir::{ArtifactType, Literal, Pipeline, SqlEngine, Step, StepKind};
use crate::targets::queries;

pub fn check(p: &Pipeline) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    if let Some(role) = &p.settings.role {
        if role.as_literal().is_none() {
            diags.push(
                Diagnostic::new(Code::UnrepresentableValue, p.name.span, "the pipeline's `role` uses a parameter or `run.id`")
                    .label("role must be known when the pipeline is created")
                    .help("SageMaker takes the pipeline's role in CreatePipeline, before any run: write the role ARN literally"),
            );
        }
    }
    diags.extend(sql_results_in_text(p));
    diags.extend(run_dates(p));
    for param in &p.params {
        check_param(param, &mut diags);
    }
    for step in &p.steps {
        check_step(p, step, &mut diags);
    }
    diags
}

fn check_param(param: &crate::ir::Param, diags: &mut Vec<Diagnostic>) {
    let too_long = |l: &Literal| matches!(l, Literal::String(s) if s.chars().count() > MAX_PARAM_VALUE);
    if param.default.iter().any(too_long) || param.allowed.iter().any(too_long) {
        diags.push(
            Diagnostic::new(Code::RequestLimitExceeded, param.span, format!("a value of parameter `{}` is longer than {MAX_PARAM_VALUE} characters", param.name.node))
                .label("over SageMaker's limit")
                .help(format!("SageMaker parameter values have at most {MAX_PARAM_VALUE} characters: pass a shorter value, e.g. an S3 URI of a file")),
        );
    }
    if param.allowed.len() > MAX_ENUM_VALUES {
        diags.push(
            Diagnostic::new(
                Code::RequestLimitExceeded,
                param.span,
                format!(
                    "parameter `{}` allows {} values; SageMaker takes at most {MAX_ENUM_VALUES}",
                    param.name.node,
                    param.allowed.len()
                ),
            )
            .label("over SageMaker's limit")
            .help("allow fewer values, or drop `enum` and check the value in the job"),
        );
    }
}

fn check_step(p: &Pipeline, step: &Step, diags: &mut Vec<Diagnostic>) {
    let name = &step.name.node;
    if let Some((id, span)) =
        step.after.iter().find(|(id, _)| matches!(p.step(*id).map(|s| &s.kind), Some(StepKind::Sql(_))))
    {
        let sql_name = p.step_name(*id);
        diags.push(
            Diagnostic::new(Code::SqlWithoutReader, *span, format!("step `{name}` waits for sql step `{sql_name}`, which is not a step of its own on SageMaker"))
                .label("not a SageMaker step")
                .help(format!("the query of `{sql_name}` runs inside each processing step that reads it: wait for one of those instead")),
        );
    }
    if let Some(retry) = step.retry {
        if retry.attempts > MAX_RETRY_ATTEMPTS {
            diags.push(
                Diagnostic::new(
                    Code::RequestLimitExceeded,
                    step.name.span,
                    format!(
                        "step `{name}` retries {} times; SageMaker retries a step at most {MAX_RETRY_ATTEMPTS} times",
                        retry.attempts
                    ),
                )
                .label("over SageMaker's limit")
                .help(format!("set `retry {{ attempts = {MAX_RETRY_ATTEMPTS} }}` or fewer")),
            );
        }
    }
    match &step.kind {
        StepKind::Sql(sql) => check_sql(p, step, sql, diags),
        StepKind::Processing(_) | StepKind::Training(_) | StepKind::Transform(_) | StepKind::Python(_) => {}
    }
}

/// Every step name of the built definition over SageMaker's limit that mlpc invented
/// (a transform's `<step>-CreateModel`): the pipeline's own step names are checked with
/// every target's names.
pub fn step_names(p: &Pipeline, definition: &super::Definition) -> Vec<Diagnostic> {
    let names = definition.step_names();
    let mut diags = Vec::new();
    for invented in names.filter(|n| n.chars().count() > MAX_STEP_NAME && p.steps.iter().all(|s| s.name.node != **n)) {
        let origin = p.step_naming(invented, '-');
        let (span, name) = origin.map_or((p.name.span, ""), |s| (s.name.span, s.name.node.as_str()));
        let len = invented.chars().count();
        diags.push(
            Diagnostic::new(Code::NameTooLong, span, format!("the model step of `{name}` would be named `{invented}`, {len} characters; SageMaker step names have at most {MAX_STEP_NAME}"))
                .label("too long with `-CreateModel`")
                .help(format!("shorten the step name to {} characters or fewer", MAX_STEP_NAME.saturating_sub(len - name.chars().count()))),
        );
    }
    diags
}

fn check_sql(p: &Pipeline, step: &Step, sql: &crate::ir::Sql, diags: &mut Vec<Diagnostic>) {
    let name = &step.name.node;
    if sql.statement {
        let engine = match sql.engine {
            SqlEngine::Athena => "Athena's StartQueryExecution",
            SqlEngine::Redshift => "the Redshift Data API's ExecuteStatement",
        };
        diags.push(
            Diagnostic::new(Code::UnsupportedStepKind, step.name.span, format!("SageMaker Pipelines cannot run the statement of sql step `{name}`"))
                .label("a statement, with no result to read")
                .help(format!("SageMaker runs SQL only as the dataset definition of a processing job's input, which must be a SELECT: build for Airflow or Step Functions, or run the statement from a python step (`image`, `instance`) that calls {engine} with boto3")),
        );
        return;
    }
    // The steps with an input from this one (`after` also makes a downstream step).
    let readers: Vec<&Step> = p
        .downstream(step.id)
        .iter()
        .filter_map(|id| p.step(*id))
        .filter(|s| s.inputs.iter().any(|i| i.producer().is_some_and(|r| r.step == step.id)))
        .collect();
    if let Some(other) = readers.iter().find(|s| !matches!(s.kind, StepKind::Processing(_))) {
        diags.push(
            Diagnostic::new(Code::SqlWithoutReader, step.name.span, format!("the result of sql step `{name}` is read by {} step `{}`; on SageMaker only a processing step can run a query", other.kind_name(), other.name.node))
                .label("no SageMaker step of its own")
                .secondary(other.name.span, "reads the query result")
                .help(format!("SageMaker runs a query as an input of a processing job: read `{name}` in a processing step (e.g. one that prepares the data) and feed `{}` from it", other.name.node)),
        );
    }
    if readers.is_empty() {
        diags.push(
            Diagnostic::new(
                Code::SqlWithoutReader,
                step.name.span,
                format!("no step reads the result of sql step `{name}`, so SageMaker would never run its query"),
            )
            .label("query never runs on SageMaker")
            .help(format!("read `{name}` in a processing step (`in rows = {name}.<output>`), or remove the step")),
        );
    }
    for out in &step.outputs {
        if let ArtifactType::Dataset(format) = out.ty {
            if output_format(sql.engine, format).is_none() {
                let formats = match sql.engine {
                    SqlEngine::Athena => {
                        "athena writes PARQUET or JSON (its TEXTFILE separates fields with \\001, not commas)"
                    }
                    SqlEngine::Redshift => "redshift writes PARQUET or CSV",
                };
                diags.push(
                    Diagnostic::new(
                        Code::UnrepresentableValue,
                        out.span,
                        format!("a SageMaker dataset definition cannot write the result of `{name}` as {}", out.ty),
                    )
                    .label("format not available")
                    .help(format!("in a SageMaker dataset definition {formats}: declare `dataset<parquet>`")),
                );
            }
        }
    }
    let athena = [("database", sql.database.is_some())];
    let redshift = queries::redshift_settings(p, sql);
    let required: &[(&str, bool)] = match sql.engine {
        SqlEngine::Athena => &athena,
        SqlEngine::Redshift => &redshift,
    };
    diags.extend(queries::missing_settings(
        step,
        required,
        "SageMaker",
        "SageMaker runs the query in a dataset definition",
    ));
}

/// `${q.rows}` of a sql step `q`: on SageMaker its query runs inside the processing job
/// that reads it, so its result has no S3 location another step's text could name.
fn sql_results_in_text(p: &Pipeline) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    for step in &p.steps {
        for part in step.texts().into_iter().flat_map(|t| t.parts.iter()) {
            let crate::ir::TextPart::Output { step: producer, output, .. } = part else { continue };
            let Some(sql) = p.step(*producer).filter(|s| matches!(s.kind, StepKind::Sql(_))) else { continue };
            diags.push(
                Diagnostic::new(
                    Code::UnrepresentableValue,
                    step.name.span,
                    format!(
                        "step `{}` names the location of `{}.{output}`, the result of a sql step",
                        step.name.node, sql.name.node
                    ),
                )
                .label("no such location on SageMaker")
                .secondary(sql.name.span, "runs inside the processing job that reads it")
                .help(format!(
                    "on SageMaker a sql result exists only as an input: read it with `in {output} = {}.{output}`",
                    sql.name.node
                )),
            );
        }
    }
    diags
}

/// `run.date`: SageMaker Pipelines exposes the execution's start only as a timestamp,
/// and its functions (`Std:Join`, `Std:JsonGet`) cannot cut a date out of it.
fn run_dates(p: &Pipeline) -> Vec<Diagnostic> {
    p.steps
        .iter()
        .filter(|s| s.texts().iter().any(|t| t.parts.contains(&crate::ir::TextPart::RunDate)))
        .map(|step| {
            Diagnostic::new(
                Code::UnrepresentableValue,
                step.name.span,
                format!("step `{}` uses `run.date`, which SageMaker Pipelines cannot compute", step.name.node),
            )
            .label("uses `${run.date}`")
            .help("SageMaker gives the execution's start only as a full timestamp: declare `param day: string` and pass the date with each execution (`mlpc deploy --start --param day=2026-12-01`), or key the data by `${run.id}`")
        })
        .collect()
}
