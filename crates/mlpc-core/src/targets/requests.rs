//! The SageMaker API requests a pipeline's jobs make (CreateProcessingJob,
//! CreateTrainingJob, CreateModel, CreateTransformJob), built once for every target.
//! Strings that are only known at run time are kept as `Piece`s; each target decides
//! how to express them (Jinja on Airflow, `Get`/`Std:Join` on SageMaker, JSONata or
//! `States.Format` on Step Functions).

use crate::aws::{limits, names};
use crate::ir::{
    ArtifactType, CreateModel, Distribution, Endpoint, Format, InputSource, ParameterRange, Pipeline, Processing,
    Python, PythonJob, Register, Resources, Step, StepId, StepKind, Text, TextPart, Training, Transform,
    TransformModel, Tuning, Value,
};

/// A request body: JSON-shaped, with run-time strings and integers.
#[derive(Clone, Debug, PartialEq)]
pub enum Node {
    Text(Vec<Piece>),
    Int(i64),
    /// An integer parameter, in a field SageMaker takes as an integer.
    IntParam(String),
    Bool(bool),
    List(Vec<Node>),
    Map(Vec<(String, Node)>),
}

/// A piece of a run-time string.
#[derive(Clone, Debug, PartialEq)]
pub enum Piece {
    Literal(String),
    /// A parameter's value as text (`true`/`false` for booleans).
    Param(String),
    RunId,
    /// The run's id as a segment of an S3 key: every character other than an ASCII
    /// letter, digit, `-`, `_` or `.` as `-`, so that Hadoop, Spark and Glue readers,
    /// which refuse `:` in a path, can read outputs. Only Airflow's run ids
    /// (`scheduled__2026-01-01T00:00:00+00:00`) change; SageMaker's execution ids and
    /// Step Functions' execution names are already safe.
    RunKey,
    /// The run's date, `YYYY-MM-DD`.
    RunDate,
    /// A name for this step's job, unique per run, matching SageMaker's name pattern.
    JobName(StepId),
    /// The S3 URI of a step output: `<artifacts>/<pipeline>/<run.id>/<step>/<output>/`.
    OutputUri {
        step: StepId,
        output: String,
    },
    /// The S3 URI of the model a training step wrote.
    ModelArtifact(StepId),
    /// The name of the SageMaker model a `model` step created.
    ModelName(StepId),
    /// The name of the best training job of a tuning step (`best_model`).
    BestTrainingJob(StepId),
}

impl Node {
    pub fn text(s: impl Into<String>) -> Node {
        Node::Text(vec![Piece::Literal(s.into())])
    }

    pub(crate) fn map(entries: Vec<(&str, Node)>) -> Node {
        Node::Map(entries.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
    }
}

/// Where a processing container finds its inputs and code, and leaves its outputs.
/// `CODE_INPUT` is the processing input that carries the step's `code` file.
pub use crate::ir::{CODE_INPUT, PROCESSING_INPUT_DIR, PROCESSING_OUTPUT_DIR};

/// The static part of a step's job name: `<pipeline>-<step>` with `_` turned into
/// `-`, shortened so that a 12-character run suffix (`-` + 11) still fits in 63.
pub fn job_name_prefix(pipeline: &str, step: &str) -> String {
    job_name_prefix_within(pipeline, step, JOB_PREFIX_MAX)
}

/// The static part of step `id`'s job names on a target whose other jobs' prefixes
/// have at most `max` characters: a tuning job's name is 31 characters shorter
/// (`limits::TUNING_JOB_NAME`), so its prefix is too.
pub fn job_prefix(p: &Pipeline, id: StepId, max: usize) -> String {
    match p.step(id) {
        Some(step) => job_name_prefix_within(&p.name.node, &step.name.node, prefix_max(step, max)),
        None => job_name_prefix_within(&p.name.node, "", max),
    }
}

fn prefix_max(step: &Step, max: usize) -> usize {
    match step.kind {
        StepKind::Tuning(_) => max.saturating_sub(limits::SAGEMAKER_JOB_NAME - limits::TUNING_JOB_NAME),
        StepKind::Sql(_)
        | StepKind::Processing(_)
        | StepKind::Training(_)
        | StepKind::Transform(_)
        | StepKind::Python(_)
        | StepKind::Condition(_)
        | StepKind::Fail(_)
        | StepKind::Model(_)
        | StepKind::Register(_)
        | StepKind::Lambda(_)
        | StepKind::Endpoint(_) => max,
    }
}

/// `job_name_prefix` for a target whose run suffix is longer: at most `max` characters.
pub fn job_name_prefix_within(pipeline: &str, step: &str, max: usize) -> String {
    let mut out = String::with_capacity(pipeline.len() + step.len() + 1);
    for c in pipeline.chars().chain(std::iter::once('-')).chain(step.chars()) {
        let c = if c.is_ascii_alphanumeric() { c } else { '-' };
        if c == '-' && (out.is_empty() || out.ends_with('-')) {
            continue;
        }
        out.push(c);
    }
    out.truncate(max);
    while out.ends_with('-') {
        out.pop();
    }
    if out.is_empty() {
        out.push_str("mlpc");
    }
    out
}

/// Longest static job-name part: 63 − `-` − 11 hex digits of the run's hash. (When
/// Airflow retries a task, its operators add a timestamp and truncate the name
/// themselves.)
pub const JOB_PREFIX_MAX: usize = names::job_prefix_within(1 + JOB_SUFFIX_HEX);
/// How many hex digits of the run id's hash end a job name.
pub const JOB_SUFFIX_HEX: usize = 11;

/// The S3 prefix every artifact of a run of this pipeline is written under, before
/// the run id: `<artifacts>/<pipeline>/`.
pub fn run_root(p: &Pipeline) -> String {
    // concat, not format!: called for every location of every step.
    [p.settings.artifacts.as_deref().unwrap_or(""), "/", &p.name.node, "/"].concat()
}

/// The content-addressed prefix a `file()` input's files go under.
fn data_root(p: &Pipeline, data: &crate::ir::LocalData) -> String {
    [&run_root(p), "data/", &data.sha256, "/"].concat()
}

/// The content-addressed S3 URI of a `file()` input: the file's, or a folder's prefix.
pub fn data_uri(p: &Pipeline, data: &crate::ir::LocalData) -> String {
    let root = data_root(p, data);
    match (data.folder, data.files.first()) {
        (false, Some(file)) => root + &file.path,
        _ => root,
    }
}

/// Every file a run needs in S3 before its steps start, by S3 URI, each once: code
/// (`code_uri`), and the files of `file()` inputs (`data_uri`, plus a folder file's
/// path in it). What `mlpc deploy` and Airflow's tasks upload.
pub fn uploads(p: &Pipeline) -> std::collections::BTreeMap<String, &[u8]> {
    let mut out: std::collections::BTreeMap<String, &[u8]> =
        p.shipped_files().into_iter().map(|f| (code_uri(p, f), &f.contents[..])).collect();
    for data in p.steps.iter().flat_map(|s| s.local_inputs()) {
        out.extend(data_files(p, data));
    }
    out
}

/// The S3 URI and bytes of each file of a `file()` input.
pub fn data_files<'a>(p: &Pipeline, data: &'a crate::ir::LocalData) -> Vec<(String, &'a [u8])> {
    let root = data_root(p, data);
    data.files.iter().map(|f| ([root.as_str(), &f.path].concat(), &f.contents[..])).collect()
}

/// The content-addressed S3 URI of a step's code file, or where code already in S3 is.
pub fn code_uri(p: &Pipeline, code: &crate::ir::CodeFile) -> String {
    if let Some(uri) = &code.s3_uri {
        return uri.clone();
    }
    [&run_root(p), "code/", &code.sha256, "/", &code.file_name].concat()
}

/// `<artifacts>/<pipeline>/<run.id>/<step>/<output>/` as pieces.
pub fn output_location(p: &Pipeline, step: &Step, output: &str) -> Vec<Piece> {
    if let Some(uri) = step.outputs.iter().find(|o| o.name.node == output).and_then(|o| o.uri.as_ref()) {
        // A run id in an S3 key is the run key there too, as under `artifacts`.
        return text_pieces(uri).into_iter().map(|p| if p == Piece::RunId { Piece::RunKey } else { p }).collect();
    }
    vec![Piece::Literal(run_root(p)), Piece::RunKey, Piece::Literal(["/", &step.name.node, "/", output, "/"].concat())]
}

/// The S3 URI of a report output's document: the output's location and the report's
/// `file`; `None` for an output that is not a report.
pub fn report_location(p: &Pipeline, step: &Step, output: &str) -> Option<Vec<Piece>> {
    let file = &step.output(output)?.report.as_ref()?.file;
    let mut pieces = output_location(p, step, output);
    pieces.push(Piece::Literal(file.clone()));
    Some(pieces)
}

/// `report_location` as a bucket and a key; `None` also when the bucket is not known
/// before the run (the targets' checks refuse it where they need it apart).
pub fn report_object(p: &Pipeline, step: &Step, output: &str) -> Option<(String, Vec<Piece>)> {
    let mut pieces = report_location(p, step, output)?;
    let Some(Piece::Literal(first)) = pieces.first_mut() else { return None };
    let (bucket, key) = first.strip_prefix("s3://")?.split_once('/')?;
    let bucket = bucket.to_string();
    *first = key.to_string();
    Some((bucket, pieces))
}

/// A run-time text as pieces.
pub fn text_pieces(t: &Text) -> Vec<Piece> {
    t.parts
        .iter()
        .map(|p| match p {
            TextPart::Literal(s) => Piece::Literal(s.clone()),
            TextPart::Param(n) => Piece::Param(n.clone()),
            TextPart::RunId => Piece::RunId,
            TextPart::RunDate => Piece::RunDate,
            TextPart::Output { step, archive: true, .. } => Piece::ModelArtifact(*step),
            TextPart::Output { step, output, archive: false } => {
                Piece::OutputUri { step: *step, output: output.clone() }
            }
            TextPart::ModelName(step) => Piece::ModelName(*step),
        })
        .collect()
}

fn text(t: &Text) -> Node {
    Node::Text(text_pieces(t))
}

/// A value as text, as SageMaker takes hyperparameters and arguments.
pub fn value_pieces(v: &Value) -> Vec<Piece> {
    match v {
        Value::Int(n) => vec![Piece::Literal(n.to_string())],
        Value::Float(f) => vec![Piece::Literal(crate::ir::format_float(*f))],
        Value::Bool(b) => vec![Piece::Literal(b.to_string())],
        Value::Text(t) => text_pieces(t),
        Value::Param(name) => vec![Piece::Param(name.clone())],
    }
}

/// A value placed in a string field (hyperparameters are strings in SageMaker).
pub fn value_text(v: &Value) -> Node {
    Node::Text(value_pieces(v))
}

/// A value placed in an integer field.
fn value_int(v: &Value) -> Node {
    match v {
        Value::Int(n) => Node::Int(*n),
        Value::Param(name) => Node::IntParam(name.clone()),
        other @ (Value::Float(_) | Value::Bool(_) | Value::Text(_)) => value_text(other),
    }
}

pub fn role(p: &Pipeline) -> Node {
    p.settings.role.as_ref().map_or_else(|| Node::text(""), text)
}

fn env(entries: &[(String, Text)]) -> Option<Node> {
    (!entries.is_empty()).then(|| Node::Map(entries.iter().map(|(k, v)| (k.clone(), text(v))).collect()))
}

fn resources(r: &Resources, volume: bool) -> Vec<(&'static str, Node)> {
    let mut out = vec![("InstanceCount", value_int(&r.count)), ("InstanceType", value_text(&r.instance))];
    if volume {
        out.push(("VolumeSizeInGB", value_int(&r.volume_gb)));
    }
    out
}

/// The S3 URI an input reads: the producer's output location (for a training step,
/// the model archive it wrote), or the URI given from outside.
pub fn input_uri(p: &Pipeline, source: &InputSource) -> Vec<Piece> {
    let reference = match source {
        InputSource::Step(reference) => reference,
        InputSource::External(uri) => return text_pieces(uri),
        InputSource::Local(data) => return vec![Piece::Literal(data_uri(p, data))],
    };
    match p.step(reference.step).map(|s| &s.kind) {
        Some(crate::ir::StepKind::Training(_) | crate::ir::StepKind::Tuning(_)) => {
            vec![Piece::ModelArtifact(reference.step)]
        }
        _ => vec![Piece::OutputUri { step: reference.step, output: reference.output.clone() }],
    }
}

/// Where the best job of a tuning step left its model, for a `Piece::ModelArtifact` of
/// a tuning step: the step's output location, the job's name, `/output/model.tar.gz`
/// (how SageMaker lays out a training job's output; the SDK's `get_top_model_s3_uri`).
/// `None` for any other step, whose `ModelArtifact` is the training job's own report.
pub fn best_model(p: &Pipeline, id: StepId) -> Option<Vec<Piece>> {
    let step = p.step(id)?;
    let StepKind::Tuning(_) = step.kind else { return None };
    let model = step.outputs.first().map_or("model", |o| o.name.node.as_str());
    let mut pieces = output_location(p, step, model);
    if !pieces.last().is_some_and(|piece| matches!(piece, Piece::Literal(l) if l.ends_with('/'))) {
        pieces.push(Piece::Literal("/".to_string()));
    }
    pieces.push(Piece::BestTrainingJob(id));
    pieces.push(Piece::Literal("/output/model.tar.gz".to_string()));
    Some(pieces)
}

/// The job's run-time limit: `max_runtime`, else the step's `timeout`.
fn max_runtime(explicit: Option<u64>, step: &Step) -> Option<u64> {
    explicit.or(step.timeout)
}

/// The command that runs a processing step's code: the script, or, for a packed folder,
/// a shell that unpacks it in place, installs its `requirements.txt` if it has one, and
/// runs `entry` with the step's arguments, as the SageMaker SDK's `FrameworkProcessor`
/// does with its `runproc.sh`. Like the SDK's `ScriptProcessor`, the command ends with
/// the shipped file's path, here the shell's `$0`.
pub fn entrypoint(code: &crate::ir::CodeFile) -> Vec<String> {
    let path = [PROCESSING_INPUT_DIR, "/", CODE_INPUT, "/", &code.file_name].concat();
    if let Some(entry) = code.packed.as_ref().and_then(|p| p.entry.as_deref()) {
        // `entry` is checked to be a plain relative path: no quoting needed.
        let run = if entry.ends_with(".sh") { "bash" } else { "python3" };
        let script = [
            "cd ",
            PROCESSING_INPUT_DIR,
            "/",
            CODE_INPUT,
            " && tar -xzf \"$0\" && if [ -f requirements.txt ]; then python3 -m pip install -r requirements.txt; fi && exec ",
            run,
            " ",
            entry,
            " \"$@\"",
        ]
        .concat();
        return vec!["/bin/sh".to_string(), "-c".to_string(), script, path];
    }
    if code.file_name.ends_with(".sh") {
        vec!["bash".to_string(), path]
    } else if code.file_name.ends_with(".py") {
        vec!["python3".to_string(), path]
    } else {
        vec![path]
    }
}

/// One ProcessingInput: `uri` copied to `/opt/ml/processing/input/<name>`.
pub fn processing_input(name: &str, uri: Vec<Piece>, distribution: Distribution) -> Node {
    processing_input_at(name, uri, distribution, &format!("{PROCESSING_INPUT_DIR}/{name}"))
}

/// One ProcessingInput: `uri` copied to `local_path` in the container.
pub fn processing_input_at(name: &str, uri: Vec<Piece>, distribution: Distribution, local_path: &str) -> Node {
    Node::map(vec![
        ("InputName", Node::text(name)),
        (
            "S3Input",
            Node::map(vec![
                ("S3Uri", Node::Text(uri)),
                ("LocalPath", Node::text(local_path)),
                ("S3DataType", Node::text("S3Prefix")),
                ("S3InputMode", Node::text("File")),
                ("S3DataDistributionType", Node::text(distribution.as_api())),
            ]),
        ),
    ])
}

pub fn processing_job(p: &Pipeline, step: &Step, job: &Processing) -> Node {
    let mut inputs: Vec<Node> = step
        .inputs
        .iter()
        .map(|i| processing_input_at(&i.name.node, input_uri(p, &i.source), i.distribution, &i.local_path()))
        .collect();
    inputs.push(processing_input(CODE_INPUT, vec![Piece::Literal(code_uri(p, &job.code))], Distribution::Replicated));
    let outputs: Vec<Node> = step
        .outputs
        .iter()
        .map(|out| {
            Node::map(vec![
                ("OutputName", Node::text(&out.name.node)),
                (
                    "S3Output",
                    Node::map(vec![
                        ("S3Uri", Node::Text(output_location(p, step, &out.name.node))),
                        ("LocalPath", Node::text(out.local_path())),
                        ("S3UploadMode", Node::text("EndOfJob")),
                    ]),
                ),
            ])
        })
        .collect();
    let mut app = vec![
        ("ImageUri", Node::text(&job.image.uri)),
        ("ContainerEntrypoint", Node::List(entrypoint(&job.code).into_iter().map(Node::text).collect())),
    ];
    if !job.args.is_empty() {
        app.push(("ContainerArguments", Node::List(job.args.iter().map(text).collect())));
    }
    let mut body = vec![
        ("ProcessingJobName", Node::Text(vec![Piece::JobName(step.id)])),
        ("ProcessingResources", Node::map(vec![("ClusterConfig", Node::map(resources(&job.resources, true)))])),
        ("AppSpecification", Node::map(app)),
        ("ProcessingInputs", Node::List(inputs)),
    ];
    if !outputs.is_empty() {
        body.push(("ProcessingOutputConfig", Node::map(vec![("Outputs", Node::List(outputs))])));
    }
    if let Some(env) = env(&job.env) {
        body.push(("Environment", env));
    }
    if let Some(seconds) = max_runtime(job.max_runtime, step) {
        body.push(("StoppingCondition", Node::map(vec![("MaxRuntimeInSeconds", Node::Int(seconds as i64))])));
    }
    body.push(("RoleArn", role(p)));
    Node::map(body)
}

/// The processing input that holds the script running a python step's callable.
pub const RUNNER_INPUT: &str = "mlpc_runner";

/// A python step's processing job (off Airflow): `mlpc_runner.py MODULE FUNCTION ARGS --
/// NAME=URI...` in the step's image, each argument tagged with its type, each input and
/// output passed as its S3 URI; the code file, if any, is the input `code`.
pub fn python_job(p: &Pipeline, step: &Step, py: &Python, job: &PythonJob) -> Node {
    let runner = [PROCESSING_INPUT_DIR, "/", RUNNER_INPUT, "/", &job.runner.file_name].concat();
    let mut inputs =
        vec![processing_input(RUNNER_INPUT, vec![Piece::Literal(code_uri(p, &job.runner))], Distribution::Replicated)];
    if let Some(code) = &job.code {
        inputs.push(processing_input(CODE_INPUT, vec![Piece::Literal(code_uri(p, code))], Distribution::Replicated));
    }
    let mut args = vec![Node::text(&py.module), Node::text(&py.function)];
    args.extend(py.args.iter().map(|v| Node::Text(tagged_value(p, v))));
    args.push(Node::text("--"));
    let named = |name: &str, uri: Vec<Piece>| {
        let mut pieces = vec![Piece::Literal(format!("{name}="))];
        pieces.extend(uri);
        Node::Text(pieces)
    };
    args.extend(step.inputs.iter().map(|i| named(&i.name.node, input_uri(p, &i.source))));
    args.extend(step.outputs.iter().map(|o| named(&o.name.node, output_location(p, step, &o.name.node))));
    let app = vec![
        ("ImageUri", Node::text(&job.image.uri)),
        ("ContainerEntrypoint", Node::List(vec![Node::text("python3"), Node::text(runner)])),
        ("ContainerArguments", Node::List(args)),
    ];
    let mut body = vec![
        ("ProcessingJobName", Node::Text(vec![Piece::JobName(step.id)])),
        ("ProcessingResources", Node::map(vec![("ClusterConfig", Node::map(resources(&job.resources, true)))])),
        ("AppSpecification", Node::map(app)),
        ("ProcessingInputs", Node::List(inputs)),
    ];
    if let Some(seconds) = step.timeout {
        body.push(("StoppingCondition", Node::map(vec![("MaxRuntimeInSeconds", Node::Int(seconds as i64))])));
    }
    body.push(("RoleArn", role(p)));
    Node::map(body)
}

/// A python step's argument for the runner: its type tag (`s:`, `i:`, `f:`, `b:`) and
/// its text, so the callable gets an int as an int.
fn tagged_value(p: &Pipeline, v: &Value) -> Vec<Piece> {
    let tag = match v {
        Value::Int(_) => "i:",
        Value::Float(_) => "f:",
        Value::Bool(_) => "b:",
        Value::Text(_) => "s:",
        Value::Param(name) => match p.param(name).map(|q| q.ty) {
            Some(crate::ir::ParamType::Int) => "i:",
            Some(crate::ir::ParamType::Float) => "f:",
            Some(crate::ir::ParamType::Bool) => "b:",
            Some(crate::ir::ParamType::String) | None => "s:",
        },
    };
    let mut pieces = vec![Piece::Literal(tag.to_string())];
    pieces.extend(value_pieces(v));
    pieces
}

/// SageMaker's default when a training step sets no limit: one day.
pub const DEFAULT_TRAINING_RUNTIME: u64 = 86_400;

pub fn training_job(p: &Pipeline, step: &Step, job: &Training) -> Node {
    Node::map(training_entries(p, step, job))
}

/// CreateTrainingJob's fields, in order, for `training_job` and a tuning job's trials.
fn training_entries(p: &Pipeline, step: &Step, job: &Training) -> Vec<(&'static str, Node)> {
    let channels: Vec<Node> = step
        .inputs
        .iter()
        .map(|input| {
            let mut channel = vec![
                ("ChannelName", Node::text(&input.name.node)),
                (
                    "DataSource",
                    Node::map(vec![(
                        "S3DataSource",
                        Node::map(vec![
                            ("S3DataType", Node::text("S3Prefix")),
                            ("S3Uri", Node::Text(input_uri(p, &input.source))),
                            ("S3DataDistributionType", Node::text(input.distribution.as_api())),
                        ]),
                    )]),
                ),
            ];
            if let ArtifactType::Dataset(format) = input.ty {
                channel.push(("ContentType", Node::text(format.content_type())));
            }
            Node::map(channel)
        })
        .collect();
    let model = step.outputs.first().map_or("model", |o| o.name.node.as_str());
    let mut algorithm = vec![("TrainingImage", Node::text(&job.image.uri)), ("TrainingInputMode", Node::text("File"))];
    if !job.metrics.is_empty() {
        algorithm.push((
            "MetricDefinitions",
            Node::List(
                job.metrics
                    .iter()
                    .map(|(name, regex)| Node::map(vec![("Name", Node::text(name)), ("Regex", Node::text(regex))]))
                    .collect(),
            ),
        ));
    }
    let runtime = max_runtime(job.max_runtime, step).unwrap_or(DEFAULT_TRAINING_RUNTIME);
    // Checked to fit (`aws::limits`): the arithmetic saturates rather than wrap.
    let seconds = |s: u64| Node::Int(i64::try_from(s).unwrap_or(i64::MAX));
    let mut stopping = vec![("MaxRuntimeInSeconds", seconds(runtime))];
    if job.spot {
        stopping.push(("MaxWaitTimeInSeconds", seconds(runtime.saturating_mul(2))));
    }
    let mut body = vec![
        ("TrainingJobName", Node::Text(vec![Piece::JobName(step.id)])),
        ("AlgorithmSpecification", Node::map(algorithm)),
        ("RoleArn", role(p)),
    ];
    if !channels.is_empty() {
        body.push(("InputDataConfig", Node::List(channels)));
    }
    body.push(("OutputDataConfig", Node::map(vec![("S3OutputPath", Node::Text(output_location(p, step, model)))])));
    body.push(("ResourceConfig", Node::map(resources(&job.resources, true))));
    body.push(("StoppingCondition", Node::map(stopping)));
    let mut hyperparameters: Vec<(String, Node)> =
        job.hyperparameters.iter().map(|(k, v)| (k.clone(), value_text(v))).collect();
    if let Some(code) = &job.code {
        hyperparameters.extend(script_mode(p, code));
    }
    if !hyperparameters.is_empty() {
        body.push(("HyperParameters", Node::Map(hyperparameters)));
    }
    if let Some(env) = env(&job.env) {
        body.push(("Environment", env));
    }
    if job.spot {
        body.push(("EnableManagedSpotTraining", Node::Bool(true)));
    }
    body
}

/// CreateHyperParameterTuningJob: the training job of `training_job` as the trial
/// definition (its fixed hyperparameters as `StaticHyperParameters`), the search space,
/// the objective and the search's size. Each target names the job (`TuningJobName`) or
/// lets SageMaker Pipelines name it.
pub fn tuning_job(p: &Pipeline, step: &Step, t: &Tuning) -> Node {
    let definition: Vec<(&str, Node)> = training_entries(p, step, &t.job)
        .into_iter()
        .filter(|(key, _)| *key != "TrainingJobName")
        .map(|(key, node)| (if key == "HyperParameters" { "StaticHyperParameters" } else { key }, node))
        .collect();
    let mut continuous = Vec::new();
    let mut integer = Vec::new();
    let mut categorical = Vec::new();
    for (name, range) in &t.ranges {
        let bounds = |lo: Value, hi: Value| {
            Node::map(vec![
                ("Name", Node::text(name)),
                ("MinValue", value_text(&lo)),
                ("MaxValue", value_text(&hi)),
                ("ScalingType", Node::text(range.scaling())),
            ])
        };
        match range {
            ParameterRange::Integer { lo, hi, .. } => integer.push(bounds(Value::Int(*lo), Value::Int(*hi))),
            ParameterRange::Continuous { lo, hi, .. } => continuous.push(bounds(Value::Float(*lo), Value::Float(*hi))),
            ParameterRange::Categorical(values) => categorical.push(Node::map(vec![
                ("Name", Node::text(name)),
                ("Values", Node::List(values.iter().map(value_text).collect())),
            ])),
        }
    }
    let mut ranges = Vec::new();
    for (key, list) in [
        ("ContinuousParameterRanges", continuous),
        ("IntegerParameterRanges", integer),
        ("CategoricalParameterRanges", categorical),
    ] {
        if !list.is_empty() {
            ranges.push((key, Node::List(list)));
        }
    }
    let config = Node::map(vec![
        ("Strategy", Node::text(t.strategy.as_api())),
        (
            "HyperParameterTuningJobObjective",
            Node::map(vec![
                ("Type", Node::text(t.objective.goal.as_api())),
                ("MetricName", Node::text(&t.objective.metric)),
            ]),
        ),
        (
            "ResourceLimits",
            Node::map(vec![
                ("MaxNumberOfTrainingJobs", Node::Int(t.max_jobs)),
                ("MaxParallelTrainingJobs", Node::Int(t.parallel)),
            ]),
        ),
        ("ParameterRanges", Node::map(ranges)),
        ("TrainingJobEarlyStoppingType", Node::text("Off")),
    ]);
    Node::map(vec![
        ("HyperParameterTuningJobName", Node::Text(vec![Piece::JobName(step.id)])),
        ("HyperParameterTuningJobConfig", config),
        ("TrainingJobDefinition", Node::map(definition)),
    ])
}

/// The hyperparameters of a framework image's script mode, JSON-encoded as the SageMaker
/// SDK's framework estimators write them: the script to run, the archive it is in, the
/// log level and the region. The images' training toolkit reads them.
fn script_mode(p: &Pipeline, code: &crate::ir::CodeFile) -> Vec<(String, Node)> {
    let json = |s: &str| serde_json::Value::from(s).to_string();
    let entry = code.packed.as_ref().and_then(|packed| packed.entry.as_deref()).unwrap_or(&code.file_name);
    let [program, directory, log_level, region_key] = SCRIPT_MODE_KEYS;
    let mut out = vec![
        (program.to_string(), Node::text(json(entry))),
        (directory.to_string(), Node::text(json(&code_uri(p, code)))),
        (log_level.to_string(), Node::text("20")),
    ];
    if let Some(region) = &p.settings.region {
        out.push((region_key.to_string(), Node::text(json(region))));
    }
    out
}

/// The hyperparameters script mode sets (`script_mode`), which a step may not set too.
pub const SCRIPT_MODE_KEYS: [&str; 4] =
    ["sagemaker_program", "sagemaker_submit_directory", "sagemaker_container_log_level", "sagemaker_region"];

/// CreateModel for a transform step that creates its own model (`None` when it runs
/// a model a `model` step created): the trained model in its serving container.
pub fn model(p: &Pipeline, step: &Step, job: &Transform) -> Option<Node> {
    match &job.model {
        TransformModel::Own { model, image, env } => {
            Some(create_model(p, Piece::JobName(step.id), model.step, &image.uri, env))
        }
        TransformModel::Created(_) => None,
    }
}

/// CreateModel for a `model` step.
pub fn model_step(p: &Pipeline, step: &Step, m: &CreateModel) -> Node {
    create_model(p, Piece::ModelName(step.id), m.model.step, &m.image.uri, &m.env)
}

/// CreateModelPackage for a `register` step: a version of the trained model in its
/// group, the container and instances it serves on, and its quality metrics.
pub fn register(p: &Pipeline, step: &Step, r: &Register) -> Node {
    let strings = |items: &[String]| Node::List(items.iter().map(Node::text).collect());
    let container = Node::map(vec![
        ("Image", Node::text(&r.image.uri)),
        ("ModelDataUrl", Node::Text(vec![Piece::ModelArtifact(r.model.step)])),
    ]);
    let mut spec = vec![("Containers", Node::List(vec![container]))];
    for (key, items) in [
        ("SupportedContentTypes", &r.content_types),
        ("SupportedResponseMIMETypes", &r.response_types),
        ("SupportedRealtimeInferenceInstanceTypes", &r.inference_instances),
        ("SupportedTransformInstanceTypes", &r.transform_instances),
    ] {
        if !items.is_empty() {
            spec.push((key, strings(items)));
        }
    }
    let mut out = vec![("ModelPackageGroupName", text(&r.group))];
    if let Some(description) = &step.description {
        out.push(("ModelPackageDescription", Node::text(description)));
    }
    if let Some(approval) = &r.approval {
        out.push(("ModelApprovalStatus", text(approval)));
    }
    out.push(("InferenceSpecification", Node::map(spec)));
    if let Some(location) = r.metrics.as_ref().and_then(|m| metrics_location(p, m)) {
        let statistics =
            Node::map(vec![("ContentType", Node::text("application/json")), ("S3Uri", Node::Text(location))]);
        out.push(("ModelMetrics", Node::map(vec![("ModelQuality", Node::map(vec![("Statistics", statistics)]))])));
    }
    Node::map(out)
}

/// CreateEndpointConfig for an endpoint step: one variant serving the created model,
/// named per run as a job is, so each run's configuration is its own.
pub fn endpoint_config(step: &Step, e: &Endpoint) -> Node {
    let variant = Node::map(vec![
        ("VariantName", Node::text("AllTraffic")),
        ("ModelName", Node::Text(vec![Piece::ModelName(e.model.step)])),
        ("InitialInstanceCount", value_int(&e.count)),
        ("InstanceType", value_text(&e.instance)),
    ]);
    Node::map(vec![
        ("EndpointConfigName", Node::Text(vec![Piece::JobName(step.id)])),
        ("ProductionVariants", Node::List(vec![variant])),
    ])
}

/// CreateEndpoint (or UpdateEndpoint) for an endpoint step: its name, and this run's
/// configuration.
pub fn endpoint(step: &Step, e: &Endpoint) -> Node {
    Node::map(vec![("EndpointName", text(&e.name)), ("EndpointConfigName", Node::Text(vec![Piece::JobName(step.id)]))])
}

/// Where a register step's metrics are: the report's document in its output, the
/// output as a reference where a target can follow one (a processing job's output on
/// SageMaker), as the SDK's examples write it.
fn metrics_location(p: &Pipeline, metrics: &crate::ir::ArtifactRef) -> Option<Vec<Piece>> {
    let producer = p.step(metrics.step)?;
    let file = &producer.output(&metrics.output)?.report.as_ref()?.file;
    match producer.kind {
        StepKind::Processing(_) | StepKind::Sql(_) => Some(vec![
            Piece::OutputUri { step: producer.id, output: metrics.output.clone() },
            Piece::Literal(file.clone()),
        ]),
        StepKind::Python(_)
        | StepKind::Training(_)
        | StepKind::Transform(_)
        | StepKind::Condition(_)
        | StepKind::Fail(_)
        | StepKind::Model(_)
        | StepKind::Register(_)
        | StepKind::Lambda(_)
        | StepKind::Endpoint(_)
        | StepKind::Tuning(_) => report_location(p, producer, &metrics.output),
    }
}

fn create_model(p: &Pipeline, name: Piece, trained: StepId, image: &str, environment: &[(String, Text)]) -> Node {
    let mut container =
        vec![("Image", Node::text(image)), ("ModelDataUrl", Node::Text(vec![Piece::ModelArtifact(trained)]))];
    if let Some(env) = env(environment) {
        container.push(("Environment", env));
    }
    Node::map(vec![
        ("ModelName", Node::Text(vec![name])),
        ("PrimaryContainer", Node::map(container)),
        ("ExecutionRoleArn", role(p)),
    ])
}

pub fn transform_job(p: &Pipeline, step: &Step, job: &Transform) -> Node {
    let input = step.inputs.first();
    let mut transform_input = vec![(
        "DataSource",
        Node::map(vec![(
            "S3DataSource",
            Node::map(vec![
                ("S3DataType", Node::text("S3Prefix")),
                ("S3Uri", input.map_or_else(|| Node::text(""), |i| Node::Text(input_uri(p, &i.source)))),
            ]),
        )]),
    )];
    let content_type = job.content_type.as_ref().map(text).or_else(|| match input.map(|i| i.ty) {
        Some(ArtifactType::Dataset(f @ (Format::Csv | Format::Json))) => Some(Node::text(f.content_type())),
        _ => None,
    });
    if let Some(ct) = content_type {
        transform_input.push(("ContentType", ct));
    }
    if let Some(split) = job.split {
        transform_input.push(("SplitType", Node::text(split.as_api())));
    }
    let output = step.outputs.first().map_or("predictions", |o| o.name.node.as_str());
    let mut transform_output = vec![("S3OutputPath", Node::Text(output_location(p, step, output)))];
    if job.split == Some(crate::ir::SplitType::Line) {
        transform_output.push(("AssembleWith", Node::text("Line")));
    }
    Node::map(vec![
        ("TransformJobName", Node::Text(vec![Piece::JobName(step.id)])),
        ("ModelName", Node::Text(vec![transform_model_name(step, job)])),
        ("TransformInput", Node::map(transform_input)),
        ("TransformOutput", Node::map(transform_output)),
        ("TransformResources", Node::map(resources(&job.resources, false))),
    ])
}

/// The name of the model a transform runs: its own (named as its job), or the one a
/// `model` step created.
pub fn transform_model_name(step: &Step, job: &Transform) -> Piece {
    match &job.model {
        TransformModel::Own { .. } => Piece::JobName(step.id),
        TransformModel::Created(created) => Piece::ModelName(created.step),
    }
}

/// Job steps whose names would share their static part (`job_name_prefix_within`
/// with `max`), and so differ only in the run suffix: one diagnostic per later step.
pub fn job_name_collisions(p: &Pipeline, max: usize, service: &str) -> Vec<crate::diagnostics::Diagnostic> {
    use crate::diagnostics::{Code, Diagnostic};
    let mut diags = Vec::new();
    let mut prefixes: std::collections::HashMap<String, &Step> = std::collections::HashMap::new();
    for step in &p.steps {
        // An endpoint names its configuration as a job.
        if !matches!(
            step.kind,
            StepKind::Processing(_)
                | StepKind::Training(_)
                | StepKind::Transform(_)
                | StepKind::Endpoint(_)
                | StepKind::Tuning(_)
        ) {
            continue;
        }
        let prefix = job_name_prefix_within(&p.name.node, &step.name.node, prefix_max(step, max));
        if let Some(other) = prefixes.get(&prefix) {
            diags.push(
                Diagnostic::new(
                    Code::NameTooLong,
                    step.name.span,
                    format!(
                        "steps `{}` and `{}` get the same {service} job name `{prefix}-…`",
                        other.name.node, step.name.node
                    ),
                )
                .label("same job name prefix")
                .secondary(other.name.span, "this step's job name")
                .help(format!(
                    "job names keep the first {} characters of `<pipeline>-<step>`: make the step names differ earlier",
                    prefix_max(step, max)
                )),
            );
        } else {
            prefixes.insert(prefix, step);
        }
    }
    diags
}

/// SageMaker's request limits, checked before any target generates code. Job names
/// are not among them: only targets that name jobs check those (Airflow, Step
/// Functions); a SageMaker Pipeline names its jobs itself.
pub fn check(p: &Pipeline) -> Vec<crate::diagnostics::Diagnostic> {
    use crate::diagnostics::{Code, Diagnostic};
    let mut diags = Vec::new();
    let limit = |span: crate::source::Span, message: String, help: &str| {
        Diagnostic::new(Code::RequestLimitExceeded, span, message)
            .label("over SageMaker's limit")
            .help(help.to_string())
    };
    for step in &p.steps {
        // SageMaker's limits per job kind: (entries, value length).
        let (env, max_entries, max_value): (&[(String, Text)], usize, usize) = match &step.kind {
            StepKind::Processing(j) => (&j.env, limits::PROCESSING_ENV.0, limits::PROCESSING_ENV.1),
            StepKind::Training(j) | StepKind::Tuning(Tuning { job: j, .. }) => {
                (&j.env, limits::TRAINING_ENV.0, limits::TRAINING_ENV.1)
            }
            StepKind::Transform(j) => (j.env(), limits::TRANSFORM_ENV.0, limits::TRANSFORM_ENV.1),
            StepKind::Model(m) => (&m.env, limits::TRANSFORM_ENV.0, limits::TRANSFORM_ENV.1),
            StepKind::Sql(_)
            | StepKind::Python(_)
            | StepKind::Condition(_)
            | StepKind::Fail(_)
            | StepKind::Register(_)
            | StepKind::Lambda(_)
            | StepKind::Endpoint(_) => (&[], usize::MAX, usize::MAX),
        };
        if env.len() > max_entries {
            diags.push(limit(
                step.name.span,
                format!(
                    "step `{}` sets {} environment variables; this kind of SageMaker job takes at most {max_entries}",
                    step.name.node,
                    env.len()
                ),
                "pass fewer variables, e.g. one JSON value",
            ));
        }
        for (key, value) in env {
            let len = value.as_literal().map_or(0, |v| v.chars().count());
            if len > max_value || key.len() > limits::ENV_NAME {
                diags.push(limit(
                    step.name.span,
                    format!(
                        "environment variable `{key}` of step `{}` is over SageMaker's limits (name 1024, value {max_value} characters)",
                        step.name.node
                    ),
                    "shorten it, or pass the value in a file",
                ));
            }
        }
        match &step.kind {
            StepKind::Processing(job) => {
                if let Some(input) = step.inputs.iter().find(|i| i.name.node == CODE_INPUT) {
                    diags.push(
                        Diagnostic::new(
                            Code::ReservedName,
                            input.name.span,
                            format!("a processing step's input cannot be named `{CODE_INPUT}`"),
                        )
                        .label("reserved")
                        .help("mlpc delivers the step's `code` file as the input `code`: rename this input"),
                    );
                }
                if step.inputs.len() + 1 > 10 {
                    diags.push(limit(
                        step.name.span,
                        format!(
                            "step `{}` has {} inputs plus its code; a SageMaker processing job takes at most 10",
                            step.name.node,
                            step.inputs.len()
                        ),
                        "combine inputs upstream, or split the step",
                    ));
                }
                if job.args.len() > 100 {
                    diags.push(limit(
                        step.name.span,
                        format!(
                            "step `{}` has {} arguments; SageMaker takes at most 100",
                            step.name.node,
                            job.args.len()
                        ),
                        "pass fewer arguments, e.g. a config file",
                    ));
                }
                for a in &job.args {
                    let len: usize = a.literal_parts().map(|s| s.chars().count()).sum();
                    if len > 256 {
                        diags.push(limit(job.code.span, format!("an argument of step `{}` has {len} characters; SageMaker takes at most 256 per argument", step.name.node), "shorten it, or pass the value in a file"));
                    }
                }
            }
            StepKind::Training(job) | StepKind::Tuning(Tuning { job, .. }) => {
                if step.inputs.len() > limits::TRAINING_CHANNELS {
                    diags.push(limit(
                        step.name.span,
                        format!(
                            "step `{}` has {} inputs, each a channel; a SageMaker training job takes at most {}",
                            step.name.node,
                            step.inputs.len(),
                            limits::TRAINING_CHANNELS
                        ),
                        "combine inputs upstream (one prefix holding several folders is one channel)",
                    ));
                }
                if job.hyperparameters.len() > 100 {
                    diags.push(limit(
                        step.name.span,
                        format!(
                            "step `{}` has {} hyperparameters; SageMaker takes at most 100",
                            step.name.node,
                            job.hyperparameters.len()
                        ),
                        "pass fewer hyperparameters",
                    ));
                }
                for (key, value) in &job.hyperparameters {
                    let len = match value {
                        Value::Text(t) => t.as_literal().map_or(0, |v| v.chars().count()),
                        Value::Int(_) | Value::Float(_) | Value::Bool(_) | Value::Param(_) => 0,
                    };
                    if key.len() > 256 || len > 2500 {
                        diags.push(limit(step.name.span, format!("hyperparameter `{key}` of step `{}` is over SageMaker's limits (name 256, value 2500 characters)", step.name.node), "shorten it"));
                    }
                }
            }
            StepKind::Sql(_)
            | StepKind::Transform(_)
            | StepKind::Python(_)
            | StepKind::Condition(_)
            | StepKind::Fail(_)
            | StepKind::Model(_)
            | StepKind::Register(_)
            | StepKind::Lambda(_)
            | StepKind::Endpoint(_) => {}
        }
    }
    diags
}
