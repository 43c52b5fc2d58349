//! What a SageMaker Pipeline cannot hold, reported with spans before anything is
//! generated: sql statements, query results in a format the engine cannot write,
//! settings SageMaker needs before a run starts, and the service's limits.

use super::sql::output_format;
use crate::aws::limits::{
    SAGEMAKER_ENUM_VALUES as MAX_ENUM_VALUES, SAGEMAKER_PARAM_VALUE as MAX_PARAM_VALUE,
    SAGEMAKER_RETRY_ATTEMPTS as MAX_RETRY_ATTEMPTS, SAGEMAKER_STEP_NAME as MAX_STEP_NAME,
};
use crate::diagnostics::{Code, Diagnostic};
use crate::ir::{ArtifactType, Literal, Pipeline, SqlEngine, Step, StepKind};
use crate::schedule::{self, Placement};
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
    diags.extend(run_dates(p));
    for param in &p.params {
        check_param(param, &mut diags);
    }
    for step in &p.steps {
        check_step(p, step, &mut diags);
    }
    diags.extend(branches(p));
    diags
}

/// How deep condition steps may nest in one another's branches: the definition nests
/// a JSON object per level, and no real pipeline comes near.
pub const MAX_CONDITION_NESTING: usize = 64;

/// Every guarded step must sit in one branch of one condition (SageMaker's branches
/// hold their steps); conditions nest at most `MAX_CONDITION_NESTING` deep.
fn branches(p: &Pipeline) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    let controls = schedule::controls(p);
    for (step, placement) in p.steps.iter().zip(schedule::placements(&controls)) {
        if placement != Placement::Nowhere {
            continue;
        }
        let needs = controls.get(step.id.0).cloned().unwrap_or_default();
        let both = needs.iter().find(|(c, when)| *when && needs.contains(&(*c, false)));
        let message = match both {
            Some((c, _)) => format!(
                "step `{}` runs only when `{}` holds and when it does not: it can never run",
                step.name.node,
                p.step_name(*c)
            ),
            None => format!(
                "step `{}` runs only on the outcomes of {}, which are not nested in one another",
                step.name.node,
                needs.iter().map(|(c, _)| format!("`{}`", p.step_name(*c))).collect::<Vec<_>>().join(" and ")
            ),
        };
        diags.push(
            Diagnostic::new(Code::UnsupportedStepKind, step.name.span, message)
                .label("no branch of one condition holds it")
                .help("SageMaker puts a guarded step, and every step reading from it, in one branch of one condition: guard the second condition with the first (`when = ...`), or split the step"),
        );
    }
    let depth = schedule::nesting_depth(p, &controls);
    if depth > MAX_CONDITION_NESTING {
        diags.push(
            Diagnostic::new(Code::RequestLimitExceeded, p.name.span, format!("conditions nest {depth} deep in one another's branches; mlpc writes at most {MAX_CONDITION_NESTING}"))
                .label("too deeply nested")
                .help("combine conditions with `and` in one `check`"),
        );
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
    super::lambda::check(p, step, diags);
    match &step.kind {
        StepKind::Sql(sql) => check_sql(p, step, sql, diags),
        StepKind::Processing(_)
        | StepKind::Training(_)
        | StepKind::Transform(_)
        | StepKind::Python(_)
        | StepKind::Condition(_)
        | StepKind::Fail(_)
        | StepKind::Model(_)
        | StepKind::Register(_)
        | StepKind::Lambda(_)
        | StepKind::Endpoint(_)
        | StepKind::Tuning(_) => {}
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
    if p.settings.role.is_none() {
        diags.push(
            Diagnostic::new(
                Code::MissingKey,
                step.name.span,
                format!("sql step `{name}` needs the pipeline's `role` on SageMaker"),
            )
            .label("runs as a processing job, which needs a role")
            .help(
                "SageMaker runs the query in a processing job: set `role = \"arn:aws:iam::…:role/…\"` in the pipeline",
            ),
        );
    }
    if let Some(seconds) = step.timeout.filter(|s| *s > crate::aws::limits::PROCESSING_MAX_RUNTIME) {
        diags.push(
            Diagnostic::new(Code::InvalidValue, step.name.span, format!("the `timeout` of sql step `{name}`, {seconds} s, is its processing job's run-time limit on SageMaker, which takes at most {} s", crate::aws::limits::PROCESSING_MAX_RUNTIME))
                .label("runs as a processing job")
                .help("shorten the timeout to 9 days (`9d`) or less"),
        );
    }
    // The job's image is resolved for the pipeline's region.
    if p.settings.region.is_none() {
        diags.push(
            Diagnostic::new(Code::MissingKey, step.name.span, format!("sql step `{name}` needs the pipeline's `region` on SageMaker"))
                .label("runs as a processing job in a regional image")
                .help("SageMaker runs the query in a processing job whose image is regional: set `region = \"us-east-1\"` (or yours) in the pipeline"),
        );
    }
    for out in &step.outputs {
        if let ArtifactType::Dataset(format) = out.ty {
            if output_format(sql.engine, format).is_none() {
                diags.push(
                    Diagnostic::new(
                        Code::UnrepresentableValue,
                        out.span,
                        format!("a SageMaker dataset definition cannot write the result of `{name}` as {}", out.ty),
                    )
                    .label("format not available")
                    .help("a Redshift dataset definition writes PARQUET or CSV: declare `dataset<parquet>` or `dataset<csv>`"),
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
