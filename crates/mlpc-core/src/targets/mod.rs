//! The targets: one closed enum, the options each takes (`TargetOptions`), and
//! `build`: the checks every target runs on the IR (names, step kinds, SageMaker's
//! request limits, the target's own rules), then the target's back end, which lowers
//! the pipeline once into its own tree, checks that tree and writes it.

#![deny(clippy::wildcard_enum_match_arm)]

pub mod airflow;
pub mod python;
pub mod queries;
pub mod requests;
pub mod sagemaker;
pub mod size;
pub mod stepfunctions;
mod templates;

use crate::aws::limits;
use crate::diagnostics::{Code, Diagnostic};
use crate::ir::Pipeline;

/// Where a pipeline can be compiled to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Target {
    Airflow,
    Sagemaker,
    StepFunctions,
}

impl Target {
    pub const ALL: [Target; 3] = [Target::Airflow, Target::Sagemaker, Target::StepFunctions];

    /// The name on the command line (`--target NAME`).
    pub fn name(self) -> &'static str {
        match self {
            Target::Airflow => "airflow",
            Target::Sagemaker => "sagemaker",
            Target::StepFunctions => "stepfunctions",
        }
    }

    /// Other names the command line accepts.
    pub fn aliases(self) -> &'static [&'static str] {
        match self {
            Target::Airflow | Target::Sagemaker => &[],
            Target::StepFunctions => &["step-functions"],
        }
    }

    /// What the target generates, for `--help`.
    pub fn description(self) -> &'static str {
        match self {
            Target::Airflow => "An Airflow DAG file (Python) using the Amazon provider's operators",
            Target::Sagemaker => "A SageMaker Pipeline definition (JSON)",
            Target::StepFunctions => "A Step Functions state machine (Amazon States Language JSON)",
        }
    }

    /// The longest step name the target accepts, and what the name becomes there.
    fn step_name_limit(self) -> (usize, &'static str) {
        match self {
            Target::Airflow => (limits::AIRFLOW_ID, "an Airflow task id"),
            Target::Sagemaker => (limits::SAGEMAKER_STEP_NAME, "a SageMaker pipeline step name"),
            Target::StepFunctions => (limits::STATE_NAME, "a Step Functions state name"),
        }
    }

    fn pipeline_name_limit(self) -> (usize, &'static str) {
        match self {
            Target::Airflow => (limits::AIRFLOW_ID, "an Airflow DAG id"),
            Target::Sagemaker => (limits::SAGEMAKER_PIPELINE_NAME, "a SageMaker pipeline name"),
            Target::StepFunctions => (limits::STATE_MACHINE_NAME, "a Step Functions state machine name"),
        }
    }
}

/// A generated file: a path relative to the output location, and its contents.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutputFile {
    pub path: String,
    pub contents: String,
}

/// How to build for each target: one variant per target, with only its own options.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TargetOptions {
    Airflow {
        version: airflow::AirflowVersion,
        /// Run SageMaker jobs with the SageMaker SDK's local mode on the worker.
        local_mode: bool,
    },
    Sagemaker,
    StepFunctions {
        query_language: stepfunctions::QueryLanguage,
    },
}

impl TargetOptions {
    /// The target's default options.
    pub fn defaults(target: Target) -> TargetOptions {
        match target {
            Target::Airflow => TargetOptions::Airflow { version: Default::default(), local_mode: false },
            Target::Sagemaker => TargetOptions::Sagemaker,
            Target::StepFunctions => TargetOptions::StepFunctions { query_language: Default::default() },
        }
    }

    pub fn target(self) -> Target {
        match self {
            TargetOptions::Airflow { .. } => Target::Airflow,
            TargetOptions::Sagemaker => Target::Sagemaker,
            TargetOptions::StepFunctions { .. } => Target::StepFunctions,
        }
    }
}

/// What a target's back end returns: the diagnostics of its checks (of the pipeline,
/// and of the tree it built), and the written text when there is no error.
#[derive(Debug, Default)]
pub struct Built {
    pub diagnostics: Vec<Diagnostic>,
    pub text: Option<String>,
}

/// A bug in mlpc found while lowering (never a problem of the input): the CLI reports
/// it as an internal error, exit 101.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InternalError(pub String);

/// Why lowering stopped.
#[derive(Debug)]
pub enum LowerError {
    /// The definition grew over the target's size limit.
    TooLarge(size::TooLarge),
    Internal(String),
}

thread_local! {
    static LOWERINGS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// Records that a back end lowered a pipeline (`lowerings`).
fn count_lowering() {
    LOWERINGS.with(|n| n.set(n.get() + 1));
}

/// How many times a back end lowered a pipeline on this thread: `mlpc build` lowers
/// once (tests/build_once.rs).
pub fn lowerings() -> usize {
    LOWERINGS.with(std::cell::Cell::get)
}

/// Checks `pipeline` for the target, lowers it once into the target's own tree, checks
/// that tree and writes it. The output is there when no check found an error.
pub fn build(pipeline: &Pipeline, options: &TargetOptions, source_name: &str) -> Result<Outcome, InternalError> {
    let target = options.target();
    let mut diagnostics = check(target, pipeline);
    if diagnostics.iter().any(Diagnostic::is_error) {
        return Ok(Outcome { diagnostics, output: None });
    }
    let (built, extension) = match *options {
        TargetOptions::Airflow { version, local_mode } => {
            (airflow::build(pipeline, version, local_mode, source_name)?, "py")
        }
        TargetOptions::Sagemaker => (sagemaker::build(pipeline)?, "json"),
        TargetOptions::StepFunctions { query_language } => {
            (stepfunctions::build(pipeline, query_language)?, "asl.json")
        }
    };
    diagnostics.extend(built.diagnostics);
    let output =
        built.text.map(|contents| OutputFile { path: format!("{}.{extension}", pipeline.name.node), contents });
    Ok(Outcome { diagnostics, output })
}

/// W0501 for each Airflow setting on another target, which has no such thing.
fn airflow_settings_elsewhere(target: Target, p: &Pipeline) -> Vec<Diagnostic> {
    let what = match target {
        Target::Airflow => return Vec::new(),
        Target::Sagemaker => "SageMaker Pipelines",
        Target::StepFunctions => "Step Functions",
    };
    let s = &p.settings;
    let spans = [
        s.aws_connection.as_ref().map(|c| {
            ("aws_connection", c.span, "credentials come from the deploying identity and the pipeline's `role`")
        }),
        s.max_active_runs.as_ref().map(|n| ("max_active_runs", n.span, "every started execution runs")),
    ];
    spans
        .into_iter()
        .flatten()
        .map(|(key, span, instead)| {
            Diagnostic::new(Code::IgnoredSetting, span, format!("`{key}` is an Airflow setting; {what} ignores it"))
                .label("has no effect here")
                .help(format!("on {what}, {instead}; keep the setting for the Airflow build, or remove it"))
        })
        .collect()
}

/// The result of `build`: every diagnostic, and the file when there was no error.
#[derive(Debug)]
pub struct Outcome {
    pub diagnostics: Vec<Diagnostic>,
    pub output: Option<OutputFile>,
}

/// What a target checks on the pipeline before its back end lowers it: SageMaker's
/// request limits, names, the step kinds the target can run, and the target's own
/// rules.
fn check(target: Target, pipeline: &Pipeline) -> Vec<Diagnostic> {
    let mut diags = requests::check(pipeline);
    diags.extend(match target {
        Target::Airflow => airflow::check(pipeline),
        Target::Sagemaker => sagemaker::check(pipeline),
        Target::StepFunctions => stepfunctions::check(pipeline),
    });
    diags.extend(airflow_settings_elsewhere(target, pipeline));
    let (limit, what) = target.pipeline_name_limit();
    let name = &pipeline.name;
    if name.node.len() > limit {
        diags.push(
            Diagnostic::new(
                Code::NameTooLong,
                name.span,
                format!("pipeline name `{}` has {} characters; {what} has at most {limit}", name.node, name.node.len()),
            )
            .label("too long")
            .help(format!("shorten the name to {limit} characters or fewer")),
        );
    }
    let (limit, what) = target.step_name_limit();
    for step in &pipeline.steps {
        if step.name.node.len() > limit {
            diags.push(
                Diagnostic::new(
                    Code::NameTooLong,
                    step.name.span,
                    format!(
                        "step name `{}` has {} characters; {what} has at most {limit}",
                        step.name.node,
                        step.name.node.len()
                    ),
                )
                .label("too long")
                .help(format!("shorten the name to {limit} characters or fewer")),
            );
        }
        let kind = step.kind.kind();
        if !kind.runs_on(target) {
            diags.push(
                Diagnostic::new(
                    Code::UnsupportedStepKind,
                    step.span,
                    format!("the {} target cannot run `{}` steps", target.name(), kind.name()),
                )
                .label(format!("step `{}` is of kind `{}`", step.name.node, kind.name()))
                .help(kind.info().elsewhere),
            );
        } else if !runs_as_written(step, target) {
            diags.push(
                Diagnostic::new(
                    Code::UnsupportedStepKind,
                    step.name.span,
                    format!(
                        "the {} target runs python step `{}` as a processing job, which needs `image` and `instance`",
                        target.name(),
                        step.name.node
                    ),
                )
                .label("no `image` and `instance`")
                .help(kind.info().elsewhere),
            );
        }
    }
    diags
}

/// Whether the step has what the target needs to run its kind: off Airflow a python
/// step is a processing job, so it needs an image and an instance.
fn runs_as_written(step: &crate::ir::Step, target: Target) -> bool {
    use crate::ir::StepKind;
    match (&step.kind, target) {
        (StepKind::Python(py), Target::Sagemaker | Target::StepFunctions) => py.job.is_some(),
        (StepKind::Python(_), Target::Airflow)
        | (
            StepKind::Sql(_)
            | StepKind::Processing(_)
            | StepKind::Training(_)
            | StepKind::Transform(_)
            | StepKind::Condition(_)
            | StepKind::Fail(_)
            | StepKind::Model(_)
            | StepKind::Register(_)
            | StepKind::Lambda(_)
            | StepKind::Endpoint(_)
            | StepKind::Tuning(_),
            _,
        ) => true,
    }
}
