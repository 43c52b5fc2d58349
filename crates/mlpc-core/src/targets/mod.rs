//! The targets: one closed enum, and per target the checks of what it can run and
//! the limits of names, reported with spans before anything is generated.

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
use crate::ir::{Pipeline, StepKind};

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

    /// Whether this build of mlpc can generate code for the target yet.
    pub fn is_implemented(self) -> bool {
        match self {
            Target::Airflow | Target::Sagemaker | Target::StepFunctions => true,
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

/// How to generate code, per target.
#[derive(Clone, Debug, Default)]
pub struct EmitOptions {
    pub airflow_version: airflow::AirflowVersion,
    /// Airflow: run SageMaker jobs with the SageMaker SDK's local mode on the worker.
    pub local_mode: bool,
    /// Step Functions: the query language of the state machine.
    pub query_language: stepfunctions::QueryLanguage,
    /// The input's name, for the generated file's header.
    pub source_name: String,
}

/// Generates the target's file. `Err` is an internal error (a bug in mlpc).
pub fn emit(target: Target, pipeline: &Pipeline, options: &EmitOptions) -> Result<OutputFile, String> {
    match target {
        Target::Airflow => Ok(OutputFile {
            path: format!("{}.py", pipeline.name.node),
            contents: airflow::emit(pipeline, options.airflow_version, options.local_mode, &options.source_name)?,
        }),
        Target::Sagemaker => {
            Ok(OutputFile { path: format!("{}.json", pipeline.name.node), contents: sagemaker::emit(pipeline)? })
        }
        Target::StepFunctions => Ok(OutputFile {
            path: format!("{}.asl.json", pipeline.name.node),
            contents: stepfunctions::emit(pipeline, options.query_language)?,
        }),
    }
}

/// What `target` cannot run or name, as diagnostics pointing at the source.
pub fn check(target: Target, pipeline: &Pipeline) -> Vec<Diagnostic> {
    let mut diags = requests::check(pipeline);
    if target == Target::Airflow {
        diags.extend(airflow::check(pipeline));
    }
    if target == Target::Sagemaker {
        diags.extend(sagemaker::check(pipeline));
    }
    if target == Target::StepFunctions {
        diags.extend(stepfunctions::check(pipeline));
    }
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
        if let StepKind::Python(_) = step.kind {
            if target != Target::Airflow {
                diags.push(
                    Diagnostic::new(Code::UnsupportedStepKind, step.span, format!("the {} target cannot run `python` steps", target.name()))
                        .label(format!("step `{}` is a python task", step.name.node))
                        .help("run python steps on `--target airflow`, or turn this step into a `processing` step with a script"),
                );
            }
        }
    }
    diags
}
