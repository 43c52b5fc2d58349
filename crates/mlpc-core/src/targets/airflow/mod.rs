//! The Airflow target: one flat DAG file, each step an Airflow task running the
//! Amazon provider's operator for it, each `param` an Airflow `Param`.

mod control;

use std::collections::BTreeMap;
use std::sync::Arc;

use minijinja::value::Object;
use minijinja::{context, Value as TemplateValue};
use serde::Serialize;

use super::python::{jinja_text, node, push_jinja_text, string_literal, Pieces};
use super::queries;
use super::requests::{self, Node, Piece};
use super::templates;
use crate::diagnostics::{Code, Diagnostic};
use crate::ir::{Literal, ParamType, Pipeline, Schedule, SqlEngine, Step, StepKind, Text, Value};

/// Which Airflow the DAG is written for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum AirflowVersion {
    V2,
    #[default]
    V3,
}

impl AirflowVersion {
    pub const ALL: [AirflowVersion; 2] = [AirflowVersion::V2, AirflowVersion::V3];

    /// The name on the command line (`--airflow-version 2`).
    pub fn name(self) -> &'static str {
        match self {
            AirflowVersion::V2 => "2",
            AirflowVersion::V3 => "3",
        }
    }
}

/// The start date of a DAG whose pipeline sets none: any past date works, since
/// mlpc DAGs do not catch up unless asked to (and then `start` is required).
pub const DEFAULT_START: &str = "2025-01-01";

/// The `template_ext` of the SQL operators: any templated string (not only the query)
/// ending in one of these would be loaded as a template file instead of used as text.
/// The SageMaker operators and python tasks have none (`template_ext`).
const SQL_EXT: &[&str] = &[".sql"];
const SQL_EXECUTE_QUERY_EXT: &[&str] = &[".sql", ".json"];

/// An operator's `template_ext`, by the operator's name.
fn template_ext(operator: &str) -> &'static [&'static str] {
    match operator {
        "AthenaOperator" | "RedshiftDataOperator" | "RedshiftToS3Operator" => SQL_EXT,
        "SQLExecuteQueryOperator" => SQL_EXECUTE_QUERY_EXT,
        // SageMakerProcessingOperator, SageMakerTrainingOperator, SageMakerTransformOperator
        _ => &[],
    }
}

/// What only the Airflow target cannot do.
pub fn check(p: &Pipeline) -> Vec<Diagnostic> {
    // Airflow's tasks name their SageMaker jobs `<prefix>-<hash of the run>`.
    let mut diags = requests::job_name_collisions(p, requests::JOB_PREFIX_MAX, "SageMaker");
    if p.settings.catchup && p.settings.start.is_none() {
        diags.push(
            Diagnostic::new(Code::MissingKey, p.name.span, "`catchup = true` needs a `start` date")
                .label("catchup without start")
                .help("add `start = 2026-01-01` (the first date to run for), or remove `catchup`"),
        );
    }
    for step in &p.steps {
        if let StepKind::Python(py) = &step.kind {
            let names = step.inputs.iter().map(|i| &i.name).chain(step.outputs.iter().map(|o| &o.name));
            for name in names.filter(|n| PYTHON_KEYWORDS.contains(&n.node.as_str())) {
                diags.push(
                    Diagnostic::new(
                        Code::UnrepresentableValue,
                        name.span,
                        format!("`{}` of python step `{}` is a Python keyword", name.node, step.name.node),
                    )
                    .label("cannot be a keyword argument")
                    .help("the callable receives each input and output as a keyword argument: rename it"),
                );
            }
            if PYTHON_KEYWORDS.contains(&py.function.as_str()) {
                diags.push(
                    Diagnostic::new(
                        Code::UnrepresentableValue,
                        step.name.span,
                        format!(
                            "the callable of step `{}` is named `{}`, a Python keyword",
                            step.name.node, py.function
                        ),
                    )
                    .label("not a usable function name")
                    .help("name a function that is not a Python keyword"),
                );
            }
        }
        let StepKind::Sql(sql) = &step.kind else {
            continue;
        };
        if sql.engine != SqlEngine::Redshift {
            continue;
        }
        if sql.connection.is_none() && sql.cluster.is_none() {
            diags.push(
                Diagnostic::new(Code::MissingKey, step.name.span, format!("step `{}` needs `connection` or `cluster` on Airflow", step.name.node))
                    .label("no way to reach Redshift")
                    .help("set `connection = \"redshift_default\"` (an Airflow connection) or `cluster`, `database` and `db_user` (Redshift Data API)"),
            );
        }
        let literal: String = sql.query.literal_parts().collect();
        if queries::has_dollar_quote(sql) || has_doubled_quote_pair(&literal) {
            diags.push(
                Diagnostic::new(Code::UnrepresentableValue, step.name.span, format!("the query of step `{}` cannot reach Redshift unchanged through Airflow", step.name.node))
                    .label("query would be altered")
                    .help("RedshiftToS3Operator wraps the query in `$$...$$` and rewrites `''text''` to `'text'`: avoid `$$` and doubled quotes around text, e.g. use `chr(39)`"),
            );
        }
    }
    diags
}

/// `''x''`, which RedshiftToS3Operator rewrites to `'x'` before running the query.
fn has_doubled_quote_pair(q: &str) -> bool {
    q.match_indices("''").count() >= 2
}

/// Builds the DAG's view of a checked pipeline once and renders it.
pub fn build(
    p: &Pipeline,
    version: AirflowVersion,
    local_mode: bool,
    source_name: &str,
) -> Result<super::Built, super::InternalError> {
    super::count_lowering();
    let text = emit(p, version, local_mode, source_name).map_err(super::InternalError)?;
    Ok(super::Built { diagnostics: Vec::new(), text: Some(text) })
}

/// Renders the DAG file. An error here is a bug in mlpc (the template is embedded).
fn emit(p: &Pipeline, version: AirflowVersion, local_mode: bool, source_name: &str) -> Result<String, String> {
    let view = DagView::new(p, version, local_mode, source_name);
    // Sized up front: a large DAG is tens of megabytes, and growing the buffer by
    // doubling copies it again and again.
    let mut out = Vec::with_capacity(view.size_hint());
    let env = templates::environment();
    let has_code = !view.code_files.is_empty();
    let rendered = env.get_template(templates::AIRFLOW_DAG).and_then(|t| {
        t.render_captured_to(
            context! {
                version => env!("CARGO_PKG_VERSION"),
                source => view.source,
                stdlib_imports => view.stdlib_imports,
                airflow_imports => view.airflow_imports,
                uses_jobs => view.uses_jobs,
                uses_run_key => view.uses_run_key,
                uses_run_date => view.uses_run_date,
                uses_control => view.uses_control,
                aws_conn_id => view.aws_conn_id,
                suffix_len => requests::JOB_SUFFIX_HEX,
                python_tasks => view.python_tasks,
                dag_args => view.dag_args,
                tasks => TemplateValue::from_iter(view.tasks.into_iter().map(TemplateValue::from)),
                edges => view.edges,
                code_files => view.code_files,
                upload_operators => view.upload_operators,
                uses_register => view.uses_register,
                uses_lambda => view.uses_lambda,
                uses_endpoint => view.uses_endpoint,
                local_mode => local_mode,
                // Nothing between the imports and the python steps' functions: one
                // newline fewer keeps two blank lines there.
                imports_only => !(view.uses_jobs
                    || view.uses_run_key
                    || view.uses_run_date
                    || view.uses_control
                    || view.uses_register
                    || view.uses_endpoint
                    || has_code
                    || local_mode),
            },
            &mut out,
        )
        .map(|_| ())
    });
    rendered.map_err(|e| format!("the Airflow template failed: {e:#}"))?;
    String::from_utf8(out).map_err(|e| format!("the Airflow template wrote invalid UTF-8: {e}"))
}

#[derive(Serialize)]
struct Arg {
    name: String,
    value: String,
}

// Tasks reach the template as objects built directly rather than through serde: a
// DAG of 10,000 tasks carries tens of megabytes of arguments, and serializing them
// into maps was a sixth of the build.
#[derive(Debug)]
struct Fields(Vec<(&'static str, TemplateValue)>);

impl Object for Fields {
    fn get_value(self: &Arc<Self>, key: &TemplateValue) -> Option<TemplateValue> {
        let key = key.as_str()?;
        self.0.iter().find(|(k, _)| *k == key).map(|(_, v)| v.clone())
    }
}

impl From<Arg> for TemplateValue {
    fn from(a: Arg) -> TemplateValue {
        TemplateValue::from_object(Fields(vec![("name", a.name.into()), ("value", a.value.into())]))
    }
}

impl From<TaskView> for TemplateValue {
    fn from(t: TaskView) -> TemplateValue {
        let args = |args: Vec<Arg>| TemplateValue::from_iter(args.into_iter().map(TemplateValue::from));
        TemplateValue::from_object(Fields(vec![
            ("var", t.var.into()),
            ("decorator", t.decorator.into()),
            ("operator", t.operator.into()),
            ("args", args(t.args)),
            ("python", t.python.into()),
            ("call_args", TemplateValue::from_iter(t.call_args)),
            ("args_list", t.args_list.into()),
            ("call_kwargs", args(t.call_kwargs)),
        ]))
    }
}

fn arg(name: &str, value: impl Into<String>) -> Arg {
    Arg { name: name.to_string(), value: value.into() }
}

struct TaskView {
    var: String,
    operator: String,
    args: Vec<Arg>,
    /// The module-level function a python step's task runs (empty for operators).
    python: String,
    /// How that function becomes a task: `task`, or `task.branch` for a condition.
    decorator: &'static str,
    call_args: Vec<String>,
    /// A python step's wrapper takes its `call_args` as one list, `mlpc_args`.
    args_list: bool,
    call_kwargs: Vec<Arg>,
}

#[derive(Serialize)]
struct PythonTaskView {
    function_name: String,
    module: String,
    function: String,
    /// The step's inputs and outputs, in order: the wrapper's parameters after
    /// `mlpc_args` (the step's `args`, as one list). Named one by one (no `**kwargs`) so
    /// that Airflow passes the task's context to none of them and the callable gets
    /// exactly what the step declares; everything is passed by keyword because Airflow 2
    /// refuses positional arguments whose parameter names are also keywords of the call.
    keywords: Vec<String>,
    /// The `file()` inputs it puts in S3 before the call, as Python literals.
    uploads: Vec<String>,
}

/// An operator subclass that uploads what its job reads (`Mlpc<kind>Operator`).
#[derive(Clone, Copy, Serialize)]
struct UploadOperatorView {
    /// `Processing`, `Training`, `Transform` or `Tuning`.
    kind: &'static str,
    job: &'static str,
    files: &'static str,
}

/// Every operator subclass a DAG may define, for its docstring.
const UPLOAD_OPERATORS: [UploadOperatorView; 4] = [
    UploadOperatorView { kind: "Processing", job: "processing", files: "its code, `file()` inputs" },
    UploadOperatorView { kind: "Training", job: "training", files: "its code archive in script mode, `file()` inputs" },
    UploadOperatorView { kind: "Transform", job: "batch transform", files: "`file()` inputs" },
    UploadOperatorView {
        kind: "Tuning",
        job: "hyperparameter tuning",
        files: "its code archive in script mode, `file()` inputs",
    },
];

#[derive(Serialize)]
struct CodeFileView {
    uri: String,
    contents: String,
}

struct DagView {
    code_files: Vec<CodeFileView>,
    /// The operator subclasses whose tasks upload files first.
    upload_operators: Vec<UploadOperatorView>,
    source: String,
    stdlib_imports: Vec<String>,
    airflow_imports: Vec<String>,
    uses_jobs: bool,
    /// Some step writes an output: its S3 key holds `mlpc_run_key(run_id)`.
    uses_run_key: bool,
    /// Some text holds `run.date`: `mlpc_run_date(dag_run)`.
    uses_run_date: bool,
    /// Some step is a condition or a fail step: the DAG defines `mlpc_condition`,
    /// `mlpc_fail` and the report helpers they share.
    uses_control: bool,
    /// Some step registers a model: the DAG defines `MlpcRegisterModelVersionOperator`.
    uses_register: bool,
    /// Some step calls Lambda: the DAG defines `MlpcLambdaInvokeFunctionOperator`.
    uses_lambda: bool,
    /// Some step deploys an endpoint: the DAG defines `MlpcEndpointOperator`.
    uses_endpoint: bool,
    /// The AWS connection as a Python literal: `aws_connection`, or Airflow's default.
    aws_conn_id: String,
    python_tasks: Vec<PythonTaskView>,
    dag_args: Vec<Arg>,
    tasks: Vec<TaskView>,
    edges: Vec<(String, String)>,
}

/// How run-time values are written in this DAG's templated fields.
struct Jinja<'a> {
    p: &'a Pipeline,
}

impl Pieces for Jinja<'_> {
    fn push_piece(&self, out: &mut String, piece: &Piece) {
        let step_name = |id| self.p.step_name(id);
        match piece {
            Piece::Literal(_) => push_jinja_text(out, std::slice::from_ref(piece), self, &[]),
            Piece::Param(name) => {
                let bool = matches!(self.p.param(name).map(|p| p.ty), Some(ParamType::Bool));
                // `params['items']`, not `params.items`: Jinja looks an attribute up
                // first, and a param named like a dict method would render the method.
                let (open, close) =
                    if bool { ("{{ 'true' if params['", "'] else 'false' }}") } else { ("{{ params['", "'] }}") };
                out.push_str(open);
                out.push_str(name);
                out.push_str(close);
            }
            Piece::RunId => out.push_str("{{ run_id }}"),
            Piece::RunKey => out.push_str("{{ mlpc_run_key(run_id) }}"),
            Piece::RunDate => out.push_str("{{ mlpc_run_date(dag_run) }}"),
            Piece::JobName(id) => {
                // SageMakerTuningOperator, unlike the other job operators, does not rename
                // a job whose name exists: a retry hashes its try number in too.
                let tuning = matches!(self.p.step(*id).map(|s| &s.kind), Some(StepKind::Tuning(_)));
                out.push_str("{{ mlpc_job_name('");
                out.push_str(&requests::job_prefix(self.p, *id, requests::JOB_PREFIX_MAX));
                out.push_str(if tuning { "', run_id ~ '-' ~ ti.try_number) }}" } else { "', run_id) }}" });
            }
            Piece::OutputUri { step, output } => {
                if let Some(s) = self.p.step(*step) {
                    push_jinja_text(out, &requests::output_location(self.p, s, output), self, &[]);
                }
            }
            // A model step names its model as a job: the prefix and the run's hash.
            Piece::ModelName(id) => {
                out.push_str("{{ mlpc_job_name('");
                out.push_str(&requests::job_name_prefix(&self.p.name.node, step_name(*id)));
                out.push_str("', run_id) }}");
            }
            Piece::BestTrainingJob(id) => {
                out.push_str("{{ ti.xcom_pull(task_ids='");
                out.push_str(step_name(*id));
                out.push_str("')['Tuning']['BestTrainingJob']['TrainingJobName'] }}");
            }
            // A tuning step's model is in its best job's folder; a training step's is
            // where its job reported it.
            Piece::ModelArtifact(id) => match requests::best_model(self.p, *id) {
                Some(pieces) => push_jinja_text(out, &pieces, self, &[]),
                None => {
                    out.push_str("{{ ti.xcom_pull(task_ids='");
                    out.push_str(step_name(*id));
                    out.push_str("')['Training']['ModelArtifacts']['S3ModelArtifacts'] }}");
                }
            },
        }
    }
}

fn var(step: &Step) -> String {
    format!("{}_task", step.name.node)
}

impl DagView {
    /// A little more than the rendered file's length.
    fn size_hint(&self) -> usize {
        let args = |args: &[Arg]| args.iter().map(|a| a.name.len() + a.value.len() + 16).sum::<usize>();
        let tasks: usize = self
            .tasks
            .iter()
            .map(|t| {
                64 + args(&t.args) + args(&t.call_kwargs) + t.call_args.iter().map(|a| a.len() + 16).sum::<usize>()
            })
            .sum();
        let code: usize = self.code_files.iter().map(|c| c.uri.len() + c.contents.len() + 16).sum();
        16 * 1024
            + tasks
            + code
            + args(&self.dag_args)
            + self.edges.iter().map(|(a, b)| a.len() + b.len() + 16).sum::<usize>()
    }

    fn new(p: &Pipeline, version: AirflowVersion, local_mode: bool, source_name: &str) -> Self {
        let jinja = Jinja { p };
        let mut operators: Vec<&str> = Vec::new();
        let mut tasks = Vec::new();
        let mut python_tasks = Vec::new();
        // What each step's task uploads, by step index: computed once, read by the
        // task's arguments, the DAG's CODE_FILES and the operator subclasses it defines.
        let uploads: Vec<Vec<(String, &[u8])>> = p.steps.iter().map(|s| step_uploads(p, s)).collect();
        for id in &p.order {
            let Some(step) = p.step(*id) else { continue };
            let step_uploads = uploads.get(id.0).map_or(&[][..], Vec::as_slice);
            let (task, operator) = task_view(p, step, step_uploads, &jinja, local_mode);
            if let Some(op) = operator {
                operators.push(op);
            } else if let StepKind::Python(py) = &step.kind {
                python_tasks.push(PythonTaskView {
                    function_name: task.python.clone(),
                    module: string_literal(&py.module),
                    // An attribute: the checker allows only identifiers.
                    function: py.function.clone(),
                    keywords: step
                        .inputs
                        .iter()
                        .map(|i| i.name.node.clone())
                        .chain(step.outputs.iter().map(|o| o.name.node.clone()))
                        .collect(),
                    uploads: step_uploads.iter().map(|(uri, _)| string_literal(uri)).collect(),
                });
            }
            tasks.push(task);
        }
        let uses_jobs = p.steps.iter().any(|s| {
            matches!(
                s.kind,
                StepKind::Processing(_)
                    | StepKind::Training(_)
                    | StepKind::Transform(_)
                    | StepKind::Sql(_)
                    | StepKind::Model(_)
                    | StepKind::Endpoint(_)
            )
        });
        let uses_run_key = p.steps.iter().any(|s| !s.outputs.is_empty());
        let uses_run_date =
            p.steps.iter().any(|s| s.texts().iter().any(|t| t.parts.contains(&crate::ir::TextPart::RunDate)));
        let decides = p.steps.iter().any(|s| s.kind.kind().decides());
        let uses_lambda = p.steps.iter().any(|s| matches!(s.kind, StepKind::Lambda(_)));
        // The helpers that read reports and resolve operands serve lambda tasks too.
        let uses_control = decides || uses_lambda;
        let uses_endpoint = p.steps.iter().any(|s| matches!(s.kind, StepKind::Endpoint(_)));
        let dag_args = dag_args(p, uses_jobs, uses_run_key, uses_run_date);
        let uses_datetime =
            dag_args.iter().chain(tasks.iter().flat_map(|t| t.args.iter())).any(|a| a.value.contains("datetime."));
        let mut stdlib = Vec::new();
        if uses_datetime {
            stdlib.push("import datetime".to_string());
        }
        let third_party = vec!["import pendulum".to_string()];
        if uses_jobs {
            stdlib.push("import hashlib".to_string());
        }
        if !python_tasks.is_empty() {
            stdlib.push("import importlib".to_string());
        }
        if uses_control {
            stdlib.push("import json".to_string());
            stdlib.push("import operator".to_string());
        }
        if uses_jobs {
            stdlib.push("import os".to_string());
        }
        if uses_run_key {
            stdlib.push("import re".to_string());
        }
        let mut airflow_imports = third_party;
        airflow_imports.extend(airflow_imports_for(
            version,
            &operators,
            !python_tasks.is_empty() || decides,
            !p.params.is_empty(),
            // The endpoint operator fails the run when it must not update.
            uses_control || uses_endpoint,
        ));
        let mut edges: Vec<(String, String)> = Vec::new();
        for id in &p.order {
            let Some(step) = p.step(*id) else { continue };
            for up in crate::schedule::waits_for(p, *id) {
                if let Some(u) = p.step(up) {
                    edges.push((var(u), var(step)));
                }
            }
        }
        // What the DAG's own tasks upload: the code of processing and training jobs and
        // `file()` inputs (python steps run on the worker; their runner is for the other
        // targets).
        let mut shipped = std::collections::BTreeSet::new();
        let mut code_files: Vec<CodeFileView> = Vec::new();
        for (uri, bytes) in uploads.iter().flatten() {
            if shipped.insert(uri) {
                let contents = match std::str::from_utf8(bytes) {
                    Ok(text) => string_literal(text),
                    Err(_) => super::python::bytes_literal(bytes),
                };
                code_files.push(CodeFileView { uri: string_literal(uri), contents });
            }
        }
        // The subclasses the tasks use, defined in the DAG file.
        let upload_operators = UPLOAD_OPERATORS
            .into_iter()
            .filter(|op| tasks.iter().any(|t| t.operator == format!("Mlpc{}Operator", op.kind)))
            .collect();
        DagView {
            code_files,
            upload_operators,
            uses_register: p.steps.iter().any(|s| matches!(s.kind, StepKind::Register(_))),
            uses_lambda,
            uses_endpoint,
            source: comment_safe(source_name),
            stdlib_imports: stdlib,
            airflow_imports,
            uses_jobs,
            uses_run_key,
            uses_run_date,
            uses_control,
            aws_conn_id: string_literal(p.settings.aws_connection.as_ref().map_or("aws_default", |c| c.node.as_str())),
            python_tasks,
            dag_args,
            tasks,
            edges,
        }
    }
}

/// A file name for a `#` comment: no line breaks or other control characters.
fn comment_safe(name: &str) -> String {
    name.chars().map(|c| if c.is_control() { '?' } else { c }).collect()
}

fn airflow_imports_for(
    version: AirflowVersion,
    operators: &[&str],
    python: bool,
    params: bool,
    fails: bool,
) -> Vec<String> {
    // Each provider module with the operators used from it, in isort's order (the
    // module path), as `ruff check` wants them.
    let module = |o: &str| match o {
        "AthenaOperator" => "airflow.providers.amazon.aws.operators.athena",
        "RedshiftDataOperator" => "airflow.providers.amazon.aws.operators.redshift_data",
        "RedshiftToS3Operator" => "airflow.providers.amazon.aws.transfers.redshift_to_s3",
        "SQLExecuteQueryOperator" => "airflow.providers.common.sql.operators.sql",
        "LambdaInvokeFunctionOperator" => "airflow.providers.amazon.aws.operators.lambda_function",
        // SageMakerProcessingOperator, SageMakerTrainingOperator, SageMakerTransformOperator
        _ => "airflow.providers.amazon.aws.operators.sagemaker",
    };
    let mut by_module: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for o in operators {
        by_module.entry(module(o)).or_default().push(o);
    }
    let mut lines: Vec<String> = by_module
        .into_iter()
        .map(|(module, mut names)| {
            names.sort_unstable();
            names.dedup();
            // One line while it fits ruff's 88 columns.
            match names.as_slice() {
                [one] if module.len() + one.len() + 13 <= 88 => format!("from {module} import {one}"),
                many => {
                    let body: String = many.iter().map(|o| format!("    {o},\n")).collect();
                    format!("from {module} import (\n{body})")
                }
            }
        })
        .collect();
    match version {
        AirflowVersion::V3 => {
            let mut names = vec!["DAG"];
            if params {
                names.push("Param");
            }
            if python {
                names.push("task");
            }
            lines.push(format!("from airflow.sdk import {}", names.join(", ")));
            if fails {
                lines.push("from airflow.sdk.exceptions import AirflowFailException".to_string());
            }
        }
        AirflowVersion::V2 => {
            lines.insert(0, "from airflow import DAG".to_string());
            if python {
                lines.insert(1, "from airflow.decorators import task".to_string());
            }
            if fails {
                let at = if python { 2 } else { 1 };
                lines.insert(at, "from airflow.exceptions import AirflowFailException".to_string());
            }
            if params {
                let at = lines.iter().position(|l| l.starts_with("from airflow.providers")).unwrap_or(lines.len());
                lines.insert(at, "from airflow.models.param import Param".to_string());
            }
        }
    }
    lines
}

fn duration(seconds: u64) -> String {
    format!("datetime.timedelta(seconds={seconds})")
}

fn literal(l: &Literal) -> String {
    match l {
        Literal::String(s) => string_literal(s),
        Literal::Int(n) => n.to_string(),
        Literal::Float(f) => crate::ir::format_float(*f),
        Literal::Bool(b) => if *b { "True" } else { "False" }.to_string(),
    }
}

fn dag_args(p: &Pipeline, uses_jobs: bool, uses_run_key: bool, uses_run_date: bool) -> Vec<Arg> {
    let s = &p.settings;
    let mut args = vec![arg("dag_id", string_literal(&p.name.node))];
    if let Some(d) = &s.description {
        args.push(arg("description", string_literal(d)));
    }
    args.push(arg(
        "schedule",
        match &s.schedule {
            Some(Schedule::Cron(c)) | Some(Schedule::Preset(c)) => string_literal(c),
            None => "None".to_string(),
        },
    ));
    let start = s.start.as_deref().unwrap_or(DEFAULT_START);
    let mut parts = start.split('-').map(|n| n.trim_start_matches('0').parse::<u32>().unwrap_or(0));
    let (y, m, d) = (parts.next().unwrap_or(2025), parts.next().unwrap_or(1), parts.next().unwrap_or(1));
    args.push(arg("start_date", format!("pendulum.datetime({y}, {m}, {d}, tz=\"UTC\")")));
    args.push(arg("catchup", if s.catchup { "True" } else { "False" }));
    if let Some(t) = s.timeout {
        args.push(arg("dagrun_timeout", duration(t)));
    }
    if let Some(n) = &s.max_active_runs {
        args.push(arg("max_active_runs", n.node.to_string()));
    }
    if !s.tags.is_empty() {
        let tags: String = s.tags.iter().map(|t| format!("        {},\n", string_literal(t))).collect();
        args.push(arg("tags", format!("[\n{tags}    ]")));
    }
    if let Some(owner) = &s.owner {
        args.push(arg("default_args", format!("{{\n        \"owner\": {},\n    }}", string_literal(owner))));
    }
    if !p.params.is_empty() {
        let params: String = p
            .params
            .iter()
            .map(|param| format!("        {}: {},\n", string_literal(&param.name.node), param_expr(param)))
            .collect();
        args.push(arg("params", format!("{{\n{params}    }}")));
    }
    let macros: String =
        [(uses_jobs, "mlpc_job_name"), (uses_run_key, "mlpc_run_key"), (uses_run_date, "mlpc_run_date")]
            .iter()
            .filter(|(used, _)| *used)
            .map(|(_, name)| format!("        \"{name}\": {name},\n"))
            .collect();
    if !macros.is_empty() {
        args.push(arg("user_defined_macros", format!("{{\n{macros}    }}")));
    }
    args
}

fn param_expr(param: &crate::ir::Param) -> String {
    let ty = match param.ty {
        ParamType::String => "string",
        ParamType::Int => "integer",
        ParamType::Float => "number",
        ParamType::Bool => "boolean",
    };
    // A required parameter has no default: Airflow refuses to trigger a run without it.
    let mut args: Vec<String> = param.default.iter().map(literal).collect();
    args.push(format!("type={}", string_literal(ty)));
    if let Some(d) = &param.description {
        args.push(format!("description={}", string_literal(d)));
    }
    if let Some(min) = &param.min {
        args.push(format!("minimum={}", literal(min)));
    }
    if let Some(max) = &param.max {
        args.push(format!("maximum={}", literal(max)));
    }
    if !param.allowed.is_empty() {
        let values: Vec<String> = param.allowed.iter().map(literal).collect();
        let items: String = values.iter().map(|v| format!("                {v},\n")).collect();
        args.push(format!("enum=[\n{items}            ]"));
    }
    let body: String = args.iter().map(|a| format!("            {a},\n")).collect();
    format!("Param(\n{body}        )")
}

/// A templated string argument.
fn templated(pieces: &[Piece], jinja: &Jinja, ext: &[&str]) -> String {
    string_literal(&jinja_text(pieces, jinja, ext))
}

/// Python's keywords: a callable named like one cannot be written as an attribute.
pub const PYTHON_KEYWORDS: &[&str] = &[
    "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue", "def", "del",
    "elif", "else", "except", "finally", "for", "from", "global", "if", "import", "in", "is", "lambda", "nonlocal",
    "not", "or", "pass", "raise", "return", "try", "while", "with", "yield",
];

/// Local mode runs jobs on the worker: GPU instance types map to `local_gpu`.
fn local_instances(node: Node) -> Node {
    match node {
        Node::Map(entries) => Node::Map(
            entries
                .into_iter()
                .map(|(k, v)| {
                    if k == "InstanceType" {
                        let gpu = matches!(&v, Node::Text(p) if matches!(p.as_slice(), [Piece::Literal(t)] if t.starts_with("ml.p") || t.starts_with("ml.g")));
                        (k, Node::text(if gpu { "local_gpu" } else { "local" }))
                    } else {
                        (k, local_instances(v))
                    }
                })
                .collect(),
        ),
        Node::List(items) => Node::List(items.into_iter().map(local_instances).collect()),
        other @ (Node::Text(_) | Node::Int(_) | Node::IntParam(_) | Node::Bool(_)) => other,
    }
}

/// The files a step's task puts in S3 before its job runs, by S3 URI: its code
/// (processing; training in script mode) and its `file()` inputs' files.
fn step_uploads<'a>(p: &Pipeline, step: &'a Step) -> Vec<(String, &'a [u8])> {
    let code = match &step.kind {
        StepKind::Processing(job) => Some(&job.code),
        StepKind::Training(job) | StepKind::Tuning(crate::ir::Tuning { job, .. }) => job.code.as_ref(),
        StepKind::Sql(_)
        | StepKind::Transform(_)
        | StepKind::Python(_)
        | StepKind::Condition(_)
        | StepKind::Fail(_)
        | StepKind::Model(_)
        | StepKind::Register(_)
        | StepKind::Lambda(_)
        | StepKind::Endpoint(_) => None,
    };
    let mut out: Vec<(String, &[u8])> =
        code.filter(|c| c.s3_uri.is_none()).map(|c| (requests::code_uri(p, c), &c.contents[..])).into_iter().collect();
    out.extend(step.local_inputs().flat_map(|data| requests::data_files(p, data)));
    out
}

/// The `uploads=[...]` argument of a task that uploads files: one item a line with a
/// trailing comma (as ruff formats it), for an argument at 8 spaces.
fn uploads_arg(uploads: &[(String, &[u8])]) -> Option<Arg> {
    if uploads.is_empty() {
        return None;
    }
    let items: String = uploads.iter().map(|(uri, _)| format!("            {},\n", string_literal(uri))).collect();
    Some(arg("uploads", format!("[\n{items}        ]")))
}

fn task_view(
    p: &Pipeline,
    step: &Step,
    uploads: &[(String, &[u8])],
    jinja: &Jinja,
    local_mode: bool,
) -> (TaskView, Option<&'static str>) {
    let mut args = vec![arg("task_id", string_literal(&step.name.node))];
    let upload = uploads_arg(uploads);
    let region = p.settings.region.as_deref().map(string_literal);
    let mut python = String::new();
    let mut call_args = Vec::new();
    let mut call_kwargs = Vec::new();
    let operator = match &step.kind {
        StepKind::Processing(job) if local_mode => {
            let request = local_instances(requests::processing_job(p, step, job));
            python = "mlpc_local_processing".to_string();
            call_kwargs.push(arg("request", node(&request, 8, jinja)));
            call_kwargs.extend(upload);
            None
        }
        StepKind::Training(job) if local_mode => {
            python = "mlpc_local_training".to_string();
            call_kwargs.push(arg("request", node(&local_instances(requests::training_job(p, step, job)), 8, jinja)));
            call_kwargs.extend(upload);
            None
        }
        StepKind::Model(m) if local_mode => {
            python = "mlpc_local_model".to_string();
            call_kwargs.push(arg("request", node(&requests::model_step(p, step, m), 8, jinja)));
            None
        }
        StepKind::Transform(job) if local_mode => {
            python = "mlpc_local_transform".to_string();
            // None: it runs the model a model step created.
            let model = requests::model(p, step, job).map_or_else(|| "None".to_string(), |m| node(&m, 8, jinja));
            call_kwargs.push(arg("model", model));
            call_kwargs.push(arg("transform", node(&local_instances(requests::transform_job(p, step, job)), 8, jinja)));
            call_kwargs.extend(upload);
            None
        }
        StepKind::Processing(job) => {
            args.push(arg("config", node(&requests::processing_job(p, step, job), 8, jinja)));
            args.extend(upload);
            Some("SageMakerProcessingOperator")
        }
        StepKind::Training(job) => {
            args.push(arg("config", node(&requests::training_job(p, step, job), 8, jinja)));
            args.extend(upload);
            Some("SageMakerTrainingOperator")
        }
        StepKind::Model(m) => {
            args.push(arg("config", node(&requests::model_step(p, step, m), 8, jinja)));
            Some("SageMakerModelOperator")
        }
        // SageMaker's local mode has no tuning: the job runs on SageMaker in local mode too.
        StepKind::Tuning(t) => {
            args.push(arg("config", node(&requests::tuning_job(p, step, t), 8, jinja)));
            args.extend(upload);
            Some("SageMakerTuningOperator")
        }
        StepKind::Endpoint(e) => {
            let config = Node::Map(vec![
                ("EndpointConfig".to_string(), requests::endpoint_config(step, e)),
                ("Endpoint".to_string(), requests::endpoint(step, e)),
            ]);
            args.push(arg("config", node(&config, 8, jinja)));
            args.push(arg("update", if e.update { "True" } else { "False" }.to_string()));
            args.push(arg("check_interval", "CHECK_INTERVAL"));
            Some("SageMakerEndpointOperator")
        }
        StepKind::Lambda(l) => {
            args.extend(control::lambda_args(p, step, l, jinja));
            Some("LambdaInvokeFunctionOperator")
        }
        // A call to the model registry, not a job: the same in local mode.
        StepKind::Register(r) => {
            args.push(arg("request", node(&requests::register(p, step, r), 8, jinja)));
            Some("SageMakerRegisterModelVersionOperator")
        }
        StepKind::Transform(job) => {
            // Its own model first, unless it runs one a model step created.
            let own = requests::model(p, step, job).map(|model| ("Model".to_string(), model));
            let transform = ("Transform".to_string(), requests::transform_job(p, step, job));
            let config = Node::Map(own.into_iter().chain([transform]).collect());
            args.push(arg("config", node(&config, 8, jinja)));
            args.extend(upload);
            Some("SageMakerTransformOperator")
        }
        StepKind::Sql(sql) => Some(sql_args(p, step, sql, jinja, &mut args)),
        StepKind::Python(py) => {
            python = format!("run_{}", step.name.node);
            call_args = py
                .args
                .iter()
                .map(|v| match v {
                    Value::Int(n) => n.to_string(),
                    Value::Float(f) => crate::ir::format_float(*f),
                    Value::Bool(b) => if *b { "True" } else { "False" }.to_string(),
                    other @ (Value::Text(_) | Value::Param(_)) => {
                        string_literal(&jinja_text(&requests::value_pieces(other), jinja, &[]))
                    }
                })
                .collect();
            // Each input's and output's S3 URI: the callable reads and writes there.
            call_kwargs = step
                .inputs
                .iter()
                .map(|i| arg(&i.name.node, templated(&requests::input_uri(p, &i.source), jinja, &[])))
                .chain(step.outputs.iter().map(|o| {
                    arg(&o.name.node, templated(&requests::output_location(p, step, &o.name.node), jinja, &[]))
                }))
                .collect();
            None
        }
        StepKind::Condition(condition) => {
            let (function, kwargs) = control::condition_call(p, step, &condition.check, jinja);
            python = function.to_string();
            call_kwargs = kwargs;
            None
        }
        StepKind::Fail(fail) => {
            let (function, kwargs) = control::fail_call(p, &fail.message, jinja);
            python = function.to_string();
            call_kwargs = kwargs;
            None
        }
    };
    if matches!(step.kind, StepKind::Tuning(_))
        || !local_mode && matches!(step.kind, StepKind::Processing(_) | StepKind::Training(_) | StepKind::Transform(_))
    {
        args.push(arg("check_interval", "CHECK_INTERVAL"));
    }
    // SQLExecuteQueryOperator talks to the database alone: no AWS connection or region.
    let aws = operator.filter(|o| *o != "SQLExecuteQueryOperator");
    if let (Some(conn), Some(_)) = (&p.settings.aws_connection, aws) {
        args.push(arg("aws_conn_id", aws_conn_id(operator.unwrap_or_default(), &conn.node, jinja)));
    }
    // RedshiftToS3Operator takes no region: its connections carry it.
    if let (Some(region), Some(_)) = (region, aws.filter(|o| *o != "RedshiftToS3Operator")) {
        args.push(arg("region_name", region));
    }
    if let Some(retry) = &step.retry {
        args.push(arg("retries", retry.attempts.to_string()));
        args.push(arg("retry_delay", duration(retry.delay)));
    }
    if let Some(t) = step.timeout {
        args.push(arg("execution_timeout", duration(t)));
    }
    if let Some(d) = &step.description {
        args.push(arg("doc_md", string_literal(d)));
    }
    let view = TaskView {
        var: var(step),
        // The template's subclass uploads the task's files before the job starts.
        operator: match operator {
            Some(
                job @ ("SageMakerProcessingOperator"
                | "SageMakerTrainingOperator"
                | "SageMakerTransformOperator"
                | "SageMakerTuningOperator"),
            ) if !uploads.is_empty() => job.replacen("SageMaker", "Mlpc", 1),
            // The template's subclass takes the whole request, templated.
            Some("SageMakerRegisterModelVersionOperator") => "MlpcRegisterModelVersionOperator".to_string(),
            // The template's subclass resolves the payload and writes the response.
            Some("LambdaInvokeFunctionOperator") => "MlpcLambdaInvokeFunctionOperator".to_string(),
            // The template's subclass updates an endpoint that exists only when asked.
            Some("SageMakerEndpointOperator") => "MlpcEndpointOperator".to_string(),
            other => other.unwrap_or_default().to_string(),
        },
        args,
        python,
        decorator: if matches!(step.kind, StepKind::Condition(_)) { "task.branch" } else { "task" },
        call_args,
        args_list: matches!(step.kind, StepKind::Python(_)),
        call_kwargs,
    };
    (view, operator)
}

/// The `aws_conn_id` argument: a templated field of every AWS operator mlpc uses but
/// `RedshiftToS3Operator`, so there it is plain text and elsewhere template text.
fn aws_conn_id(operator: &str, conn: &str, jinja: &Jinja) -> String {
    match operator {
        "RedshiftToS3Operator" => string_literal(conn),
        other => templated(&[Piece::Literal(conn.to_string())], jinja, template_ext(other)),
    }
}

/// A Redshift statement: through the Data API (`RedshiftDataOperator`, waiting for it to
/// finish) when the step names its `cluster`, as Step Functions runs it; else on the
/// step's Airflow connection (`SQLExecuteQueryOperator`, `redshift_default` when unset),
/// as `RedshiftToS3Operator` runs a query.
fn redshift_statement(sql: &crate::ir::Sql, jinja: &Jinja, args: &mut Vec<Arg>) -> &'static str {
    let statement = queries::trim_query(requests::text_pieces(&sql.query));
    match (&sql.connection, &sql.cluster) {
        (None, Some(cluster)) => {
            let text = |pieces: &[Piece]| templated(pieces, jinja, SQL_EXT);
            args.push(arg("cluster_identifier", text(&requests::text_pieces(cluster))));
            if let Some(db) = &sql.database {
                args.push(arg("database", text(&requests::text_pieces(db))));
            }
            if let Some(user) = &sql.db_user {
                args.push(arg("db_user", text(&requests::text_pieces(user))));
            }
            args.push(arg("sql", text(&statement)));
            args.push(arg("wait_for_completion", "True"));
            args.push(arg("poll_interval", "CHECK_INTERVAL"));
            "RedshiftDataOperator"
        }
        (connection, _) => {
            let text = |pieces: &[Piece]| templated(pieces, jinja, SQL_EXECUTE_QUERY_EXT);
            let conn = connection.as_deref().unwrap_or("redshift_default");
            args.push(arg("conn_id", text(&[Piece::Literal(conn.to_string())])));
            args.push(arg("sql", text(&statement)));
            "SQLExecuteQueryOperator"
        }
    }
}

/// Arguments of the operator that runs a `sql` step; returns the operator's name.
fn sql_args(p: &Pipeline, step: &Step, sql: &crate::ir::Sql, jinja: &Jinja, args: &mut Vec<Arg>) -> &'static str {
    let out_name = step.outputs.first().map_or("rows", |o| o.name.node.as_str());
    let parquet = queries::is_parquet(step);
    let query = requests::text_pieces(&sql.query);
    // Every operator here has SQL_EXT.
    let text = |pieces: &[Piece]| templated(pieces, jinja, SQL_EXT);
    let opt_text = |t: &Option<Text>| t.as_ref().map(|t| text(&requests::text_pieces(t)));
    match sql.engine {
        SqlEngine::Athena => {
            let unload = queries::athena_sql(p, step, sql);
            args.push(arg("query", text(&unload)));
            if let Some(db) = opt_text(&sql.database) {
                args.push(arg("database", db));
            }
            if let Some(c) = opt_text(&sql.catalog) {
                args.push(arg("catalog", c));
            }
            if let Some(w) = opt_text(&sql.workgroup) {
                args.push(arg("workgroup", w));
            }
            let meta = queries::athena_metadata_location(p, step);
            args.push(arg("output_location", text(&meta)));
            args.push(arg("sleep_time", "CHECK_INTERVAL"));
            "AthenaOperator"
        }
        SqlEngine::Redshift if sql.statement => redshift_statement(sql, jinja, args),
        SqlEngine::Redshift => {
            let artifacts = p.settings.artifacts.as_deref().unwrap_or("");
            let without_scheme = artifacts.strip_prefix("s3://").unwrap_or(artifacts);
            let bucket = without_scheme.split_once('/').map_or(without_scheme, |(bucket, _)| bucket);
            // The output's location without `s3://BUCKET/`: the operator takes them apart.
            let mut key = requests::output_location(p, step, out_name);
            if let Some(Piece::Literal(root)) = key.first_mut() {
                *root = root.strip_prefix(&format!("s3://{bucket}/")).unwrap_or(root).to_string();
            }
            args.push(arg("s3_bucket", text(&[Piece::Literal(bucket.to_string())])));
            args.push(arg("s3_key", text(&key)));
            args.push(arg("select_query", text(&queries::trim_query(query))));
            let option = if parquet { "FORMAT AS PARQUET" } else { "FORMAT AS CSV" };
            args.push(arg("unload_options", format!("[\n            {},\n        ]", string_literal(option))));
            match (&sql.connection, &sql.cluster) {
                (Some(conn), _) => args.push(arg("redshift_conn_id", text(&[Piece::Literal(conn.clone())]))),
                (None, Some(cluster)) => {
                    let mut api = vec![format!(
                        "            \"cluster_identifier\": {},\n",
                        text(&requests::text_pieces(cluster))
                    )];
                    if let Some(db) = opt_text(&sql.database) {
                        api.push(format!("            \"database\": {db},\n"));
                    }
                    if let Some(user) = opt_text(&sql.db_user) {
                        api.push(format!("            \"db_user\": {user},\n"));
                    }
                    api.push("            \"wait_for_completion\": True,\n".to_string());
                    args.push(arg("redshift_data_api_kwargs", format!("{{\n{}        }}", api.concat())));
                }
                (None, None) => {}
            }
            "RedshiftToS3Operator"
        }
    }
}
