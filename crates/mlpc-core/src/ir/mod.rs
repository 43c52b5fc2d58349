//! The checked pipeline: what every target reads. Names are resolved, types are
//! concrete, `config.*` is inlined, defaults are filled in, and the step graph with a
//! topological order is computed. Spans are kept so target checks can point at source.

mod control;
mod tuning;

use petgraph::graph::{DiGraph, NodeIndex};

pub use control::*;
pub use tuning::*;

use crate::source::{Span, Spanned};

/// Index of a step in `Pipeline::steps`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct StepId(pub usize);

#[derive(Clone, Debug)]
pub struct Pipeline {
    pub name: Spanned<String>,
    pub span: Span,
    pub settings: Settings,
    pub params: Vec<Param>,
    pub images: Vec<Image>,
    pub steps: Vec<Step>,
    /// Nodes are step ids (node index `i` is step `i`); an edge runs from producer to consumer.
    pub graph: DiGraph<StepId, Edge>,
    /// Every step, each after all the steps it depends on; ties keep source order.
    pub order: Vec<StepId>,
}

impl Pipeline {
    pub fn step(&self, id: StepId) -> Option<&Step> {
        self.steps.get(id.0)
    }

    /// The name of step `id`, which the IR guarantees exists: a dangling id is a bug,
    /// loud in tests (debug builds), an empty name in a release build.
    pub fn step_name(&self, id: StepId) -> &str {
        let step = self.step(id);
        debug_assert!(step.is_some(), "the IR names step {} of {}", id.0, self.steps.len());
        step.map_or("", |s| s.name.node.as_str())
    }

    /// The step whose name a target-invented name starts from: the name itself, or the
    /// name followed by `separator` and a suffix (`<step> model`, `<step>-CreateModel`);
    /// the longest such step name when several fit.
    pub fn step_naming(&self, invented: &str, separator: char) -> Option<&Step> {
        self.steps
            .iter()
            .filter(|s| {
                invented
                    .strip_prefix(s.name.node.as_str())
                    .is_some_and(|rest| rest.is_empty() || rest.starts_with(separator))
            })
            .max_by_key(|s| s.name.node.len())
    }

    pub fn param(&self, name: &str) -> Option<&Param> {
        self.params.iter().find(|p| p.name.node == name)
    }

    /// The steps `id` depends on directly, in source order.
    pub fn upstream(&self, id: StepId) -> Vec<StepId> {
        let mut ids: Vec<StepId> = self
            .graph
            .neighbors_directed(NodeIndex::new(id.0), petgraph::Direction::Incoming)
            .filter_map(|n| self.graph.node_weight(n).copied())
            .collect();
        ids.sort();
        ids.dedup();
        ids
    }

    /// Guards step `id`: sets its guard and adds the guard's edge to the graph (the
    /// caller keeps `order` topological).
    pub fn add_guard(&mut self, id: StepId, guard: Guard) {
        if let Some(step) = self.steps.get_mut(id.0) {
            step.guard = Some(guard);
            self.graph.add_edge(NodeIndex::new(guard.condition.0), NodeIndex::new(id.0), Edge::Guard);
        }
    }

    /// The steps that depend on `id` directly, in source order.
    pub fn downstream(&self, id: StepId) -> Vec<StepId> {
        let mut ids: Vec<StepId> = self
            .graph
            .neighbors_directed(NodeIndex::new(id.0), petgraph::Direction::Outgoing)
            .filter_map(|n| self.graph.node_weight(n).copied())
            .collect();
        ids.sort();
        ids.dedup();
        ids
    }
}

/// Why one step waits for another.
#[derive(Clone, Debug, PartialEq)]
pub enum Edge {
    /// The consumer reads `output` of the producer, as its input `input`.
    Artifact { output: String, input: String },
    /// The consumer uses the producer's model (`model = train.model`).
    Model { output: String },
    /// The consumer writes the URI of `output` into a text (`"${split.train}"`).
    Text { output: String },
    /// The consumer reads values of the producer's report `output` (a condition, a
    /// fail message).
    Report { output: String },
    /// `after = [producer]`
    After,
    /// The consumer runs only when the producer, a condition step, comes out as its
    /// guard asks (`when = COND` / `when = not COND`).
    Guard,
}

impl Edge {
    /// The label for graph renderings: the artifact's name, "after" or "when".
    pub fn label(&self) -> String {
        match self {
            Edge::Artifact { output, input } if output == input => output.clone(),
            Edge::Artifact { output, input } => format!("{output} → {input}"),
            Edge::Model { output } => output.clone(),
            Edge::Text { output } => format!("${{{output}}}"),
            Edge::Report { output } => format!("{output} values"),
            Edge::After => "after".to_string(),
            Edge::Guard => "when".to_string(),
        }
    }
}

#[derive(Clone, Debug, Default)]
pub struct Settings {
    pub description: Option<String>,
    pub schedule: Option<Schedule>,
    /// `YYYY-MM-DD`
    pub start: Option<String>,
    pub catchup: bool,
    pub timeout: Option<u64>,
    pub tags: Vec<String>,
    pub owner: Option<String>,
    pub region: Option<String>,
    pub role: Option<Text>,
    /// `s3://bucket/prefix` without a trailing slash.
    pub artifacts: Option<String>,
    /// The config file as written in the source.
    pub config: Option<String>,
    /// The default retry policy of every step.
    pub retry: Option<Retry>,
    /// Airflow: the connection every AWS operator and hook uses (`aws_conn_id`).
    pub aws_connection: Option<Spanned<String>>,
    /// Airflow: how many runs of the DAG may be active at once.
    pub max_active_runs: Option<Spanned<u32>>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Schedule {
    /// A five-field cron expression.
    Cron(String),
    /// `@daily`, `@hourly`, ...
    Preset(String),
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Retry {
    /// Retries after the first attempt fails.
    pub attempts: u32,
    /// Seconds between attempts.
    pub delay: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParamType {
    String,
    Int,
    Float,
    Bool,
}

impl ParamType {
    pub fn as_str(self) -> &'static str {
        match self {
            ParamType::String => "string",
            ParamType::Int => "int",
            ParamType::Float => "float",
            ParamType::Bool => "bool",
        }
    }

    /// The type's name for a sentence: "an int", "a string".
    pub fn with_article(self) -> &'static str {
        match self {
            ParamType::String => "a string",
            ParamType::Int => "an int",
            ParamType::Float => "a float",
            ParamType::Bool => "a bool",
        }
    }
}

/// A literal value known at compile time.
#[derive(Clone, Debug, PartialEq)]
pub enum Literal {
    String(String),
    Int(i64),
    Float(f64),
    Bool(bool),
}

impl Literal {
    /// The value as JSON, typed as declared (a parameter default or an execution input).
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Literal::String(s) => serde_json::Value::from(s.as_str()),
            Literal::Int(n) => serde_json::Value::from(*n),
            Literal::Float(f) => serde_json::Value::from(*f),
            Literal::Bool(b) => serde_json::Value::from(*b),
        }
    }

    /// The value as text, as a job receives it (`5`, `0.2`, `true`).
    pub fn to_text(&self) -> String {
        match self {
            Literal::String(s) => s.clone(),
            Literal::Int(n) => n.to_string(),
            Literal::Float(f) => format_float(*f),
            Literal::Bool(b) => b.to_string(),
        }
    }
}

/// Floats print as Python's `repr` does, on every target: the shortest text that reads
/// back to the same value, always with a fraction or exponent so they stay floats, and
/// exponents signed with at least two digits (`1.0`, `0.2`, `1e-07`, `1e+20`). The
/// SageMaker SDK writes hyperparameters with `str(float)`, so the same `.mlp` value gives
/// the same text whichever tool built the job.
pub fn format_float(f: f64) -> String {
    // Rust's shortest form switches to an exponent where Python's does (below 1e-4, from
    // 1e16 on); only the exponent's spelling differs.
    let text = format!("{f:?}");
    if !f.is_finite() {
        return text;
    }
    match text.split_once('e') {
        Some((mantissa, exponent)) => {
            let (sign, digits) = match exponent.strip_prefix('-') {
                Some(digits) => ('-', digits),
                None => ('+', exponent),
            };
            format!("{mantissa}e{sign}{digits:0>2}")
        }
        None if text.contains('.') => text,
        None => format!("{text}.0"),
    }
}

#[derive(Clone, Debug)]
pub struct Param {
    pub name: Spanned<String>,
    pub ty: ParamType,
    /// `None`: the parameter is required, and every run must give it.
    pub default: Option<Literal>,
    pub description: Option<String>,
    pub min: Option<Literal>,
    pub max: Option<Literal>,
    pub allowed: Vec<Literal>,
    pub span: Span,
}

/// A string that may embed parameters and the run id, resolved at run time.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Text {
    pub parts: Vec<TextPart>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum TextPart {
    Literal(String),
    Param(String),
    RunId,
    /// The run's date, `YYYY-MM-DD` (UTC): Airflow's logical date (its start where it
    /// has none), the execution's start elsewhere.
    RunDate,
    /// `${step.output}`: the S3 URI of that output in this run; for a training step's
    /// model, the model archive (`archive`). The step reading it waits for the producer.
    Output {
        step: StepId,
        output: String,
        archive: bool,
    },
    /// `${m.created}`: the name of the SageMaker model the `model` step `m` created.
    ModelName(StepId),
}

impl Text {
    pub fn literal(s: impl Into<String>) -> Text {
        Text { parts: vec![TextPart::Literal(s.into())] }
    }

    /// The text when it has no run-time part.
    pub fn as_literal(&self) -> Option<String> {
        let mut out = String::new();
        for part in &self.parts {
            match part {
                TextPart::Literal(s) => out.push_str(s),
                _ => return None,
            }
        }
        Some(out)
    }

    /// The written parts of the text, in order, without its run-time parts: what can be
    /// judged before a run.
    pub fn literal_parts(&self) -> impl Iterator<Item = &str> {
        self.parts.iter().filter_map(|p| match p {
            TextPart::Literal(s) => Some(s.as_str()),
            TextPart::Param(_)
            | TextPart::RunId
            | TextPart::RunDate
            | TextPart::Output { .. }
            | TextPart::ModelName(_) => None,
        })
    }

    /// The parameter when the whole text is exactly one parameter.
    pub fn as_param(&self) -> Option<&str> {
        match self.parts.as_slice() {
            [TextPart::Param(name)] => Some(name),
            _ => None,
        }
    }
}

/// A field value: a literal, a run-time parameter, or text.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Int(i64),
    Float(f64),
    Bool(bool),
    Text(Text),
    /// The whole value is this parameter (its type fits the field).
    Param(String),
}

#[derive(Clone, Debug)]
pub struct Image {
    pub name: Spanned<String>,
    /// The container image URI, resolved at compile time.
    pub uri: String,
    /// `sagemaker_image(framework, version)`, when the image was written that way.
    pub framework: Option<(String, String)>,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    Csv,
    Parquet,
    Json,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Parquet => "parquet",
            Format::Json => "json",
        }
    }

    /// The MIME type SageMaker uses for this format.
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Csv => "text/csv",
            Format::Parquet => "application/x-parquet",
            Format::Json => "application/json",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ArtifactType {
    Dataset(Format),
    Model,
    Files,
    /// A JSON document whose values a run reads (`report { file, schema }`).
    Report,
    /// A model created in SageMaker (a `model` step's output): its name.
    SagemakerModel,
}

impl std::fmt::Display for ArtifactType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ArtifactType::Dataset(format) => write!(f, "dataset<{}>", format.as_str()),
            ArtifactType::Model => f.write_str("model"),
            ArtifactType::Files => f.write_str("files"),
            ArtifactType::Report => f.write_str("report"),
            ArtifactType::SagemakerModel => f.write_str("sagemaker_model"),
        }
    }
}

/// `STEP.OUTPUT`, resolved.
#[derive(Clone, Debug, PartialEq)]
pub struct ArtifactRef {
    pub step: StepId,
    pub output: String,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct Input {
    pub name: Spanned<String>,
    pub ty: ArtifactType,
    pub source: InputSource,
    pub distribution: Distribution,
    /// `{ path = "/opt/ml/processing/…" }` (processing): where the job finds it.
    pub path: Option<String>,
    pub span: Span,
}

/// Where a processing job's container finds and leaves its data by default.
pub const PROCESSING_INPUT_DIR: &str = "/opt/ml/processing/input";
pub const PROCESSING_OUTPUT_DIR: &str = "/opt/ml/processing/output";
/// The processing input that carries the step's `code` file.
pub const CODE_INPUT: &str = "code";
/// The folder a processing job's code is unpacked in: the input `code`
/// (`PROCESSING_INPUT_DIR/CODE_INPUT`, which a test holds it to).
pub const PROCESSING_CODE_DIR: &str = "/opt/ml/processing/input/code";
/// The longest container path SageMaker takes (`LocalPath`).
pub const MAX_CONTAINER_PATH: usize = 256;

/// Whether a processing job may have an input or output at `path`: under
/// `/opt/ml/processing/`, without `.`, `..`, empty parts, white space or control
/// characters, at most 256 characters, not the code's folder or inside it.
pub fn is_container_path(path: &str) -> bool {
    let parts_ok = path
        .strip_prefix("/opt/ml/processing/")
        .is_some_and(|rest| rest.split('/').all(|part| !part.is_empty() && part != "." && part != ".."));
    parts_ok
        && path.len() <= MAX_CONTAINER_PATH
        && !path.chars().any(|c| c.is_whitespace() || c.is_control())
        && path != PROCESSING_CODE_DIR
        && !path.starts_with(&format!("{PROCESSING_CODE_DIR}/"))
}

impl Input {
    /// Where a processing job finds this input: its `path`, or `/opt/ml/processing/input/NAME`.
    pub fn local_path(&self) -> String {
        self.path.clone().unwrap_or_else(|| format!("{PROCESSING_INPUT_DIR}/{}", self.name.node))
    }

    /// The step output this input reads, when a step of the pipeline produced it.
    pub fn producer(&self) -> Option<&ArtifactRef> {
        match &self.source {
            InputSource::Step(reference) => Some(reference),
            InputSource::External(_) | InputSource::Local(_) => None,
        }
    }
}

/// Where an input's data comes from.
#[derive(Clone, Debug, PartialEq)]
pub enum InputSource {
    /// An output of a step of the pipeline (an edge of the graph).
    Step(ArtifactRef),
    /// An S3 URI from outside the pipeline: a literal, a string parameter, or text
    /// made of both (and the run's id); the caller's data, read as it is.
    External(Text),
    /// `file("…")`: a local file or folder next to the .mlp, shipped with the pipeline
    /// and uploaded content-addressed before the steps that read it run.
    Local(LocalData),
}

/// The data of a `file("…")` input.
#[derive(Clone, Debug)]
pub struct LocalData {
    /// The path as written, relative to the .mlp file.
    pub path: String,
    /// Lower-case hex SHA-256 of the file, or of a folder's listing (each file's path
    /// and digest): the S3 key's content address.
    pub sha256: String,
    /// The files: one, named by its file name, or a folder's, by their paths in it.
    pub files: Vec<CodeFile>,
    pub folder: bool,
}

/// Two `file()` inputs are the same data when their contents and layout are.
impl PartialEq for LocalData {
    fn eq(&self, other: &Self) -> bool {
        self.sha256 == other.sha256 && self.folder == other.folder
    }
}

/// How a job's instances share an input: each gets all of it, or a share of the
/// objects under it (`ShardedByS3Key`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Distribution {
    #[default]
    Replicated,
    Sharded,
}

impl Distribution {
    /// The value SageMaker's API takes (`S3DataDistributionType`).
    pub fn as_api(self) -> &'static str {
        match self {
            Distribution::Replicated => "FullyReplicated",
            Distribution::Sharded => "ShardedByS3Key",
        }
    }
}

#[derive(Clone, Debug)]
pub struct Output {
    pub name: Spanned<String>,
    pub ty: ArtifactType,
    /// `{ uri = "s3://.../" }`: written there instead of under the pipeline's
    /// `artifacts`; a prefix, ending in `/`.
    pub uri: Option<Text>,
    /// Set for a `report` output: its file and schema.
    pub report: Option<Report>,
    /// `{ path = "/opt/ml/processing/…" }` (processing): where the job leaves it.
    pub path: Option<String>,
    pub span: Span,
}

impl Output {
    /// Where a processing job leaves this output: its `path`, or `/opt/ml/processing/output/NAME`.
    pub fn local_path(&self) -> String {
        self.path.clone().unwrap_or_else(|| format!("{PROCESSING_OUTPUT_DIR}/{}", self.name.node))
    }
}

#[derive(Clone, Debug)]
pub struct Step {
    pub id: StepId,
    pub name: Spanned<String>,
    pub kind: StepKind,
    pub inputs: Vec<Input>,
    pub outputs: Vec<Output>,
    /// `after = [...]`, each with the span of its mention.
    pub after: Vec<(StepId, Span)>,
    /// The step's own retry policy, or the pipeline's default.
    pub retry: Option<Retry>,
    pub timeout: Option<u64>,
    pub cache: Option<u64>,
    pub description: Option<String>,
    /// Runs the step only when a condition step comes out as asked; the condition is
    /// also an `Edge::Guard` of the graph. Read through `schedule`.
    pub guard: Option<Guard>,
    pub span: Span,
}

impl Step {
    /// Every run-time text the step holds (arguments, environment, hyperparameters,
    /// queries and their settings, the URIs of external inputs and of outputs), for
    /// checks of what text may carry.
    pub fn texts(&self) -> Vec<&Text> {
        let mut out = self.kind_texts();
        out.extend(self.inputs.iter().filter_map(|i| match &i.source {
            InputSource::External(uri) => Some(uri),
            InputSource::Step(_) | InputSource::Local(_) => None,
        }));
        out.extend(self.outputs.iter().filter_map(|o| o.uri.as_ref()));
        out
    }

    fn kind_texts(&self) -> Vec<&Text> {
        match &self.kind {
            StepKind::Processing(job) => job.args.iter().chain(job.env.iter().map(|(_, t)| t)).collect(),
            StepKind::Training(job) | StepKind::Tuning(Tuning { job, .. }) => {
                let mut out: Vec<&Text> = job.env.iter().map(|(_, t)| t).collect();
                out.extend(job.hyperparameters.iter().filter_map(|(_, v)| text_of(v)));
                out
            }
            StepKind::Transform(job) => job.content_type.iter().chain(job.env().iter().map(|(_, t)| t)).collect(),
            StepKind::Model(m) => m.env.iter().map(|(_, t)| t).collect(),
            StepKind::Register(r) => std::iter::once(&r.group).chain(&r.approval).collect(),
            StepKind::Lambda(l) => l
                .payload
                .iter()
                .filter_map(|(_, v)| match v {
                    PayloadValue::Value(v) => text_of(v),
                    PayloadValue::Report(_) => None,
                })
                .collect(),
            StepKind::Endpoint(e) => std::iter::once(&e.name).chain(text_of(&e.instance)).collect(),
            StepKind::Sql(sql) => std::iter::once(&sql.query)
                .chain(
                    [&sql.database, &sql.workgroup, &sql.catalog, &sql.cluster, &sql.db_user, &sql.iam_role]
                        .into_iter()
                        .flatten(),
                )
                .collect(),
            StepKind::Python(py) => py.args.iter().filter_map(text_of).collect(),
            StepKind::Condition(_) => Vec::new(),
            StepKind::Fail(fail) => fail
                .message
                .iter()
                .filter_map(|part| match part {
                    MessagePart::Text(text) => Some(text),
                    MessagePart::Report(_) => None,
                })
                .collect(),
        }
    }
}

fn text_of(v: &Value) -> Option<&Text> {
    match v {
        Value::Text(t) => Some(t),
        Value::Int(_) | Value::Float(_) | Value::Bool(_) | Value::Param(_) => None,
    }
}

/// `when = COND` (`when: true`) or `when = not COND` (`when: false`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Guard {
    pub condition: StepId,
    pub when: bool,
    pub span: Span,
}

impl Step {
    /// The data of the step's `file()` inputs.
    pub fn local_inputs(&self) -> impl Iterator<Item = &LocalData> {
        self.inputs.iter().filter_map(|i| match &i.source {
            InputSource::Local(data) => Some(data),
            InputSource::Step(_) | InputSource::External(_) => None,
        })
    }

    pub fn output(&self, name: &str) -> Option<&Output> {
        self.outputs.iter().find(|o| o.name.node == name)
    }

    pub fn kind_name(&self) -> &'static str {
        self.kind.name()
    }
}

#[derive(Clone, Debug)]
pub enum StepKind {
    Sql(Sql),
    Processing(Processing),
    Training(Training),
    Transform(Transform),
    Python(Python),
    Condition(Condition),
    Fail(Fail),
    Model(CreateModel),
    Register(Register),
    Lambda(Lambda),
    Endpoint(Endpoint),
    Tuning(Tuning),
}

impl StepKind {
    /// The kind in the table of step kinds (`kinds`).
    pub fn kind(&self) -> crate::kinds::Kind {
        use crate::kinds::Kind;
        match self {
            StepKind::Sql(_) => Kind::Sql,
            StepKind::Processing(_) => Kind::Processing,
            StepKind::Training(_) => Kind::Training,
            StepKind::Transform(_) => Kind::Transform,
            StepKind::Python(_) => Kind::Python,
            StepKind::Condition(_) => Kind::Condition,
            StepKind::Fail(_) => Kind::Fail,
            StepKind::Model(_) => Kind::Model,
            StepKind::Register(_) => Kind::Register,
            StepKind::Lambda(_) => Kind::Lambda,
            StepKind::Endpoint(_) => Kind::Endpoint,
            StepKind::Tuning(_) => Kind::Tuning,
        }
    }

    pub fn name(&self) -> &'static str {
        self.kind().name()
    }

    /// The step's own `code` (a script or packed folder from the user's files): a
    /// processing step's, a training step's in script mode, a python job's module.
    pub fn code(&self) -> Option<&CodeFile> {
        match self {
            StepKind::Processing(job) => Some(&job.code),
            StepKind::Training(job) => job.code.as_ref(),
            StepKind::Tuning(t) => t.job.code.as_ref(),
            StepKind::Python(py) => py.job.as_ref().and_then(|job| job.code.as_ref()),
            StepKind::Sql(_)
            | StepKind::Transform(_)
            | StepKind::Condition(_)
            | StepKind::Fail(_)
            | StepKind::Model(_)
            | StepKind::Register(_)
            | StepKind::Lambda(_)
            | StepKind::Endpoint(_) => None,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SqlEngine {
    Athena,
    Redshift,
}

#[derive(Clone, Debug)]
pub struct Sql {
    pub engine: SqlEngine,
    /// The SQL as written: a `query` (one SELECT, whose result the targets unload to the
    /// step's output), or with `statement` set, a statement run as is, with no result.
    pub query: Text,
    pub statement: bool,
    pub database: Option<Text>,
    pub workgroup: Option<Text>,
    pub catalog: Option<Text>,
    pub cluster: Option<Text>,
    pub db_user: Option<Text>,
    /// Redshift's role for UNLOAD; the pipeline's `role` when not set.
    pub iam_role: Option<Text>,
    pub connection: Option<String>,
    /// Where a processing job runs the query (SageMaker), the script that moves its
    /// result to the step's output.
    pub unloader: CodeFile,
}

/// What every SageMaker job has.
#[derive(Clone, Debug)]
pub struct Resources {
    /// `Value::Text` or `Value::Param` (a string parameter).
    pub instance: Value,
    pub instance_span: Span,
    /// `Value::Int` or `Value::Param` (an int parameter); default 1.
    pub count: Value,
    /// `Value::Int` or `Value::Param`; default 30.
    pub volume_gb: Value,
}

/// A local file shipped with the pipeline, identified by its content: a script, or a
/// folder packed as one `sourcedir.tar.gz` (`packed`). Or code already in S3
/// (`s3_uri`), which nothing ships: its bytes are not known.
#[derive(Clone, Debug)]
pub struct CodeFile {
    /// The path as written, relative to the .mlp file; the URI for code in S3.
    pub path: String,
    /// The file name alone, e.g. `preprocessing.py`, or `sourcedir.tar.gz` for a folder.
    pub file_name: String,
    /// Lower-case hex SHA-256 of the contents.
    pub sha256: String,
    pub size: u64,
    /// The file's bytes, for targets that ship the code with what they generate;
    /// shared by every step that ships the same file.
    pub contents: std::sync::Arc<[u8]>,
    /// Set when the shipped file is an archive: what it holds and which script runs.
    pub packed: Option<Packed>,
    /// Code already in S3 (`code = "s3://…"`): used where it is, never uploaded;
    /// `sha256`, `size` and `contents` are then empty.
    pub s3_uri: Option<String>,
    pub span: Span,
}

/// A code folder (or, for training's script mode, one script) packed as
/// `sourcedir.tar.gz`, or an archive already in S3.
#[derive(Clone, Debug)]
pub struct Packed {
    /// The files in the archive, relative to the folder, sorted; empty for an archive
    /// in S3, whose contents mlpc does not read.
    pub files: std::sync::Arc<[String]>,
    /// The script that runs (`entry`), relative to the folder; `None` for a python
    /// step's package folder, whose callable names what runs.
    pub entry: Option<String>,
}

/// The file name of the script mlpc ships to move a sql step's result (SageMaker).
pub const SQL_UNLOADER: &str = "mlpc_sql.py";

/// The file name of a packed code folder, as the SageMaker SDK names it.
pub const SOURCEDIR: &str = "sourcedir.tar.gz";

impl Pipeline {
    /// Every file the pipeline ships (code files, packed folders, python steps' runner),
    /// each once, in step order: what the targets and `deploy` upload before a run.
    pub fn shipped_files(&self) -> Vec<&CodeFile> {
        let mut seen = std::collections::HashSet::new();
        let mut out = Vec::new();
        for step in &self.steps {
            // The scripts mlpc ships for a step, then the step's own code.
            let ours = match &step.kind {
                StepKind::Python(py) => py.job.as_ref().map(|job| &job.runner),
                StepKind::Sql(sql) => Some(&sql.unloader),
                StepKind::Processing(_)
                | StepKind::Training(_)
                | StepKind::Transform(_)
                | StepKind::Condition(_)
                | StepKind::Fail(_)
                | StepKind::Model(_)
                | StepKind::Register(_)
                | StepKind::Lambda(_)
                | StepKind::Endpoint(_)
                | StepKind::Tuning(_) => None,
            };
            for file in ours.into_iter().chain(step.kind.code()).filter(|file| file.s3_uri.is_none()) {
                if seen.insert((&file.sha256, &file.file_name)) {
                    out.push(file);
                }
            }
        }
        out
    }
}

#[derive(Clone, Debug)]
pub struct Processing {
    pub image: ImageRef,
    pub resources: Resources,
    pub code: CodeFile,
    pub args: Vec<Text>,
    pub env: Vec<(String, Text)>,
    pub max_runtime: Option<u64>,
}

#[derive(Clone, Debug)]
pub struct Training {
    pub image: ImageRef,
    pub resources: Resources,
    pub hyperparameters: Vec<(String, Value)>,
    pub env: Vec<(String, Text)>,
    /// Metric name and the regular expression that finds it in the logs.
    pub metrics: Vec<(String, String)>,
    pub spot: bool,
    pub max_runtime: Option<u64>,
    /// `code`: the script or folder of the framework image's script mode, always packed.
    pub code: Option<CodeFile>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SplitType {
    None,
    Line,
    RecordIo,
    TfRecord,
}

impl SplitType {
    /// The value SageMaker's API takes.
    pub fn as_api(self) -> &'static str {
        match self {
            SplitType::None => "None",
            SplitType::Line => "Line",
            SplitType::RecordIo => "RecordIO",
            SplitType::TfRecord => "TFRecord",
        }
    }
}

#[derive(Clone, Debug)]
pub struct Transform {
    pub model: TransformModel,
    pub resources: Resources,
    pub content_type: Option<Text>,
    pub split: Option<SplitType>,
}

/// The model a transform runs.
#[derive(Clone, Debug)]
pub enum TransformModel {
    /// A trained model (`train.model`): the step creates its own SageMaker model first,
    /// in `image` (the step's, or the training step's) with `env`.
    Own { model: ArtifactRef, image: ImageRef, env: Vec<(String, Text)> },
    /// The SageMaker model a `model` step created (`m.created`).
    Created(ArtifactRef),
}

impl Transform {
    /// The environment of the model it creates (none for a created model).
    pub fn env(&self) -> &[(String, Text)] {
        match &self.model {
            TransformModel::Own { env, .. } => env,
            TransformModel::Created(_) => &[],
        }
    }
}

/// `step NAME: model { model = train.model }`: a SageMaker model (CreateModel) of a
/// trained model in its serving container; its output is the model's name.
#[derive(Clone, Debug)]
pub struct CreateModel {
    pub model: ArtifactRef,
    /// The serving container: the step's `image`, or the training step's.
    pub image: ImageRef,
    pub env: Vec<(String, Text)>,
    /// `instance`: the instance type the model is meant to serve on (checked; CreateModel
    /// itself takes none).
    pub instance: Option<Value>,
}

/// `step NAME: register { model = train.model, group = "…" }`: a version of a trained
/// model in a model package group (CreateModelPackage), to approve and deploy later.
#[derive(Clone, Debug)]
pub struct Register {
    pub model: ArtifactRef,
    /// The serving container: the step's `image`, or the training step's.
    pub image: ImageRef,
    /// `group`: the model package group the version joins.
    pub group: Text,
    /// `approval`: `PendingManualApproval`, `Approved` or `Rejected`, a literal or a
    /// string param whose values are all among them. None: the service's default,
    /// `PendingManualApproval`.
    pub approval: Option<Text>,
    pub content_types: Vec<String>,
    pub response_types: Vec<String>,
    pub inference_instances: Vec<String>,
    pub transform_instances: Vec<String>,
    /// `metrics`: a report output, registered as the version's model quality statistics.
    pub metrics: Option<ArtifactRef>,
}

/// `step NAME: endpoint { model = m.created, name = "…", instance = "…" }`: a real-time
/// endpoint serving a created model, in service when the step ends.
#[derive(Clone, Debug)]
pub struct Endpoint {
    /// The `sagemaker_model` output of a model step.
    pub model: ArtifactRef,
    pub name: Text,
    pub instance: Value,
    pub count: Value,
    /// `update = true`: an endpoint of the name that exists is updated; otherwise
    /// creating it fails.
    pub update: bool,
}

/// The approval states of a model package version, as CreateModelPackage takes them.
pub const APPROVAL_STATUSES: [&str; 3] = ["PendingManualApproval", "Approved", "Rejected"];

/// A resolved `image` reference.
#[derive(Clone, Debug, PartialEq)]
pub struct ImageRef {
    pub name: String,
    pub uri: String,
}

#[derive(Clone, Debug)]
pub struct Python {
    /// `package.module`
    pub module: String,
    /// `function`
    pub function: String,
    pub args: Vec<Value>,
    /// Off Airflow, the processing job that runs the callable: set when the step has
    /// `image` and `instance`.
    pub job: Option<PythonJob>,
}

/// A python step as a SageMaker processing job: `runner` (shipped by mlpc) imports the
/// callable, from `code` when the step ships it, and calls it with its args and the S3
/// URIs of the step's inputs and outputs.
#[derive(Clone, Debug)]
pub struct PythonJob {
    pub image: ImageRef,
    pub resources: Resources,
    pub code: Option<CodeFile>,
    pub runner: CodeFile,
}

#[cfg(test)]
mod tests {
    use super::{format_float, is_container_path, CODE_INPUT, PROCESSING_CODE_DIR, PROCESSING_INPUT_DIR};

    #[test]
    fn the_code_folder_is_the_code_input() {
        assert_eq!(PROCESSING_CODE_DIR, format!("{PROCESSING_INPUT_DIR}/{CODE_INPUT}"));
        assert!(!is_container_path(PROCESSING_CODE_DIR));
        assert!(is_container_path(&format!("{PROCESSING_INPUT_DIR}/raw")));
    }

    #[test]
    fn floats_print_as_python_repr_does() {
        for (f, python) in [
            (1.0, "1.0"),
            (0.2, "0.2"),
            (1e-5, "1e-05"),
            (1.5e-7, "1.5e-07"),
            (1e20, "1e+20"),
            (1e16, "1e+16"),
            (1e15, "1000000000000000.0"),
            (0.0001, "0.0001"),
            (-2.5e-300, "-2.5e-300"),
        ] {
            assert_eq!(format_float(f), python, "{f}");
        }
    }
}
