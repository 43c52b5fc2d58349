//! The command line (clap): parses arguments, reads files, calls the library, prints
//! diagnostics and writes outputs. The only module that touches the file system.

use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};
use clap::{Args, Parser, Subcommand, ValueEnum};

use mlpc::diagnostics::render::{self, Style};
use mlpc::targets::airflow::AirflowVersion;
use mlpc::targets::stepfunctions::QueryLanguage;
use mlpc::{CheckOptions, Checked, Code, Diagnostic, SourceFile, Target, TargetOptions};

const EXAMPLES: &str = "\
Examples:
  mlpc check pipelines/*.mlp                   check files (pre-commit, CI)
  mlpc check churn.mlp --target sagemaker      also check what SageMaker can run
  mlpc build churn.mlp --target airflow -o dags/churn.py
  mlpc deploy churn.mlp --target sagemaker --start --param max_depth=7
  mlpc deploy churn.mlp --target stepfunctions --role-arn arn:aws:iam::123456789012:role/sfn --start
  mlpc graph churn.mlp --format mermaid        the step graph, artifacts on edges
  mlpc explain E0201                           what a diagnostic code means
  cat churn.mlp | mlpc check -                 read the pipeline from stdin";

/// Compile machine-learning pipeline definitions (.mlp) to Airflow, SageMaker Pipelines
/// and Step Functions.
#[derive(Parser, Debug)]
#[command(name = "mlpc", version, about, after_help = EXAMPLES, propagate_version = true)]
struct Cli {
    /// When to colour diagnostics (NO_COLOR in the environment means never).
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    color: ColorChoice,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Check pipelines and report every problem; writes nothing.
    #[command(
        after_help = "Exit status: 0 when clean (warnings allowed unless --deny-warnings), 1 when a file has errors, 2 on usage or I/O errors."
    )]
    Check {
        /// Files to check; `-` reads standard input.
        #[arg(required = true)]
        files: Vec<String>,
        /// Also check what this target can run and name (its checks run on what it would build).
        #[arg(long, value_parser = target_parser())]
        target: Option<Target>,
        /// Step Functions: the query language to check the state machine in (its size differs).
        #[arg(long, value_parser = query_language_parser(), default_value = QueryLanguage::Jsonata.name())]
        query_language: QueryLanguage,
        #[command(flatten)]
        common: CommonArgs,
    },
    /// Check a pipeline and generate the target's artifact.
    Build {
        /// The pipeline; `-` reads standard input.
        file: String,
        #[arg(long, value_parser = target_parser())]
        target: Target,
        /// Where to write; `-` is standard output. Default: `<pipeline>.py` (Airflow), `<pipeline>.json` (SageMaker) or `<pipeline>.asl.json` next to the input.
        #[arg(short, long)]
        output: Option<String>,
        /// Write nothing; exit 1 if the file on disk differs from what would be generated (CI drift check).
        #[arg(long)]
        check: bool,
        /// The Airflow major version the DAG is written for.
        #[arg(long, value_parser = airflow_version_parser(), default_value = AirflowVersion::V3.name())]
        airflow_version: AirflowVersion,
        /// Airflow: run SageMaker jobs on the worker with the SageMaker SDK's local mode (needs Docker and `sagemaker<3` there).
        #[arg(long)]
        local_mode: bool,
        /// Step Functions: the state machine's query language.
        #[arg(long, value_parser = query_language_parser(), default_value = QueryLanguage::Jsonata.name())]
        query_language: QueryLanguage,
        #[command(flatten)]
        common: CommonArgs,
    },
    /// Check a pipeline, build it and put it into the target service (AWS credentials and region from the usual sources).
    #[command(
        after_help = "Exit status: 0 when deployed, 1 when the file has errors, 2 on usage or I/O errors, 3 when an AWS call fails or the endpoint cannot be reached (re-running completes a partial deploy)."
    )]
    Deploy {
        /// The pipeline.
        file: String,
        #[arg(long, value_parser = target_parser())]
        target: Target,
        /// Send every AWS call to this endpoint (e.g. a local emulator) instead of AWS's.
        #[arg(long, value_name = "URL")]
        endpoint_url: Option<String>,
        /// Start an execution once the pipeline is created or updated.
        #[arg(long)]
        start: bool,
        /// A parameter value for the started execution (repeatable); checked against the pipeline's declaration.
        #[arg(long = "param", value_name = "NAME=VALUE")]
        params: Vec<String>,
        /// Step Functions: the started execution's input, a JSON object (`--param` values are set in it).
        #[arg(long, value_name = "JSON")]
        input: Option<String>,
        /// The IAM role the service runs the pipeline as (Step Functions: required to create; SageMaker: instead of `role`).
        #[arg(long, value_name = "ARN")]
        role_arn: Option<String>,
        /// Step Functions: the state machine's query language.
        #[arg(long, value_parser = query_language_parser(), default_value = QueryLanguage::Jsonata.name())]
        query_language: QueryLanguage,
        #[command(flatten)]
        common: CommonArgs,
    },
    /// Print the step graph with artifact names on the edges.
    Graph {
        /// The pipeline; `-` reads standard input.
        file: String,
        #[arg(long, value_enum, default_value_t = GraphFormat::Mermaid)]
        format: GraphFormat,
    },
    /// Explain a diagnostic code (`mlpc explain E0201`), or list them all.
    Explain {
        /// A code such as E0201, or its name such as unknown-step.
        code: Option<String>,
    },
}

/// `--target`: the core's targets, each with its description and aliases (the core
/// links no clap, so the values are listed here from `Target::ALL`).
fn target_parser() -> impl TypedValueParser<Value = Target> {
    let values = Target::ALL.map(|t| PossibleValue::new(t.name()).help(t.description()).aliases(t.aliases()));
    PossibleValuesParser::new(values).try_map(|name| {
        Target::ALL.into_iter().find(|t| t.name() == name || t.aliases().contains(&name.as_str())).ok_or("not a target")
    })
}

fn airflow_version_parser() -> impl TypedValueParser<Value = AirflowVersion> {
    PossibleValuesParser::new(AirflowVersion::ALL.map(AirflowVersion::name))
        .try_map(|name| AirflowVersion::ALL.into_iter().find(|v| v.name() == name).ok_or("not an Airflow version"))
}

fn query_language_parser() -> impl TypedValueParser<Value = QueryLanguage> {
    PossibleValuesParser::new(QueryLanguage::ALL.map(QueryLanguage::name))
        .try_map(|name| QueryLanguage::ALL.into_iter().find(|q| q.name() == name).ok_or("not a query language"))
}

#[derive(Args, Debug)]
struct CommonArgs {
    /// How to print diagnostics.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// Exit with status 1 when there are warnings.
    #[arg(long)]
    deny_warnings: bool,
    /// Accept instance types missing from mlpc's SageMaker lists (newer types), as warnings.
    #[arg(long)]
    allow_unknown_instance_types: bool,
    /// Read `config`, `code` and `file()` paths outside the .mlp file's folder (`..`,
    /// absolute paths, symbolic links leading out); refused by default.
    #[arg(long)]
    allow_outside_paths: bool,
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq)]
enum Format {
    Human,
    Json,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum GraphFormat {
    Mermaid,
    Dot,
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq)]
enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// Why a command stopped: a usage or I/O failure (exit status 2), or a bug in mlpc
/// (exit status 101, as the README promises).
enum Failure {
    Usage(String),
    Internal(String),
}

pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            // `--help` and `--version` print to standard output: a failed write is an
            // I/O error there too.
            if err.print().is_err() {
                return ExitCode::from(2);
            }
            return ExitCode::from(if err.use_stderr() { 2 } else { 0 });
        }
    };
    let style = Style { color: use_color(cli.color), width: 100 };
    let result = match cli.command {
        Command::Check { files, target, query_language, common } => {
            let options = target.map(|t| target_options(t, AirflowVersion::V3, false, query_language));
            check(&files, options, &common, style)
        }
        Command::Build { file, target, output, check, airflow_version, local_mode, query_language, common } => {
            let how = BuildArgs { target, output, check, airflow_version, local_mode, query_language };
            build(&file, &how, &common, style)
        }
        Command::Deploy { file, target, endpoint_url, start, params, input, role_arn, query_language, common } => {
            let options = mlpc::deploy::DeployOptions { endpoint_url, start, params, input, role_arn };
            deploy(&file, target, &options, query_language, &common, style)
        }
        Command::Graph { file, format } => graph(&file, format, style),
        Command::Explain { code } => explain(code.as_deref()),
    };
    let code = match result {
        Ok(code) => code,
        Err(failure) => {
            match &failure {
                Failure::Usage(message) => err(&format!("error: {message}\n")),
                Failure::Internal(message) => report_internal_error(message),
            }
            ExitCode::from(failure.exit_status())
        }
    };
    if STDERR_FAILED.load(std::sync::atomic::Ordering::Relaxed) {
        return ExitCode::from(2);
    }
    code
}

/// Set when writing to standard error failed: the run then exits with status 2.
static STDERR_FAILED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Writes to standard error. A failure (a full disk, a closed pipe) is remembered for
/// the exit status, never a panic: there is nowhere left to report it.
fn err(text: &str) {
    let mut stderr = std::io::stderr().lock();
    if stderr.write_all(text.as_bytes()).and_then(|()| stderr.flush()).is_err() {
        STDERR_FAILED.store(true, std::sync::atomic::Ordering::Relaxed);
    }
}

/// Writes to standard output. A reader that closed the pipe (`| head`) ends the output
/// quietly; any other failure is an I/O error (exit status 2).
fn out(bytes: &[u8]) -> Result<(), Failure> {
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(bytes).and_then(|()| stdout.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Failure::Usage(format!("cannot write to standard output: {e}"))),
    }
}

impl Failure {
    /// 2 for usage and I/O errors, 101 for a bug in mlpc (README, "Exit status").
    fn exit_status(&self) -> u8 {
        match self {
            Failure::Usage(_) => 2,
            Failure::Internal(_) => 101,
        }
    }
}

/// The report of a bug in mlpc (a panic, or an internal error met while building).
pub fn report_internal_error(what: &dyn std::fmt::Display) {
    err(&format!(
        "internal compiler error: {what}\n\nThis is a bug in mlpc {}, not in your pipeline. Please report it with the input that caused it.\n",
        env!("CARGO_PKG_VERSION")
    ));
}

fn use_color(choice: ColorChoice) -> bool {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => !no_color && std::io::stderr().is_terminal(),
    }
}

/// A pipeline file read from disk or stdin, with the folder its paths are relative to.
struct Input {
    source: SourceFile,
    base: PathBuf,
    /// Set when the bytes were not UTF-8.
    decode_error: Option<Diagnostic>,
}

/// The largest pipeline file mlpc reads. A 10,000-step pipeline is under 2 MiB; a larger
/// input is refused before it is read, instead of costing gigabytes of memory.
const MAX_INPUT_BYTES: u64 = 16 * 1024 * 1024;

fn too_large(name: &str, size: u64) -> Failure {
    Failure::Usage(format!(
        "`{name}` is {size} bytes; mlpc reads pipeline files of up to {MAX_INPUT_BYTES} bytes (16 MiB): split the pipeline"
    ))
}

fn read_input(path: &str) -> Result<Input, Failure> {
    let (name, bytes, base) = if path == "-" {
        let mut bytes = Vec::new();
        std::io::stdin()
            .take(MAX_INPUT_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| Failure::Usage(format!("cannot read standard input: {e}")))?;
        if bytes.len() as u64 > MAX_INPUT_BYTES {
            return Err(too_large("<stdin>", bytes.len() as u64));
        }
        ("<stdin>".to_string(), bytes, PathBuf::from("."))
    } else {
        let bytes = mlpc::files::read_limited(Path::new(path))
            .map_err(|reason| Failure::Usage(format!("cannot read `{path}`: {reason}")))?;
        let base = Path::new(path).parent().map(Path::to_path_buf).unwrap_or_default();
        (path.to_string(), bytes, base)
    };
    Ok(match mlpc::decode_source(bytes) {
        Ok(text) => Input { source: SourceFile::new(name, text), base, decode_error: None },
        Err(boxed) => {
            let (text, d) = *boxed;
            Input { source: SourceFile::new(name, text), base, decode_error: Some(d) }
        }
    })
}

/// Checks the input and, with target options, builds the target's file (once).
fn compile_input(input: &Input, target: Option<&TargetOptions>, common: &CommonArgs) -> Result<Checked, Failure> {
    if let Some(d) = &input.decode_error {
        return Ok(Checked { diagnostics: vec![d.clone()], ..Checked::default() });
    }
    let options = CheckOptions { allow_unknown_instance_types: common.allow_unknown_instance_types };
    let files = mlpc::files::DiskFiles { base: input.base.clone(), allow_outside: common.allow_outside_paths };
    let checked = mlpc::compile(&input.source.text, &files, &options, target, &display_name(input));
    match checked.internal_error {
        Some(mlpc::InternalError(e)) => Err(Failure::Internal(e)),
        None => Ok(checked),
    }
}

fn check_input(input: &Input, target: Option<TargetOptions>, common: &CommonArgs) -> Result<Checked, Failure> {
    let mut checked = compile_input(input, target.as_ref(), common)?;
    checked.output = None;
    Ok(checked)
}

/// A target's options from the command line's flags: each target takes its own.
fn target_options(
    target: Target,
    airflow_version: AirflowVersion,
    local_mode: bool,
    query_language: QueryLanguage,
) -> TargetOptions {
    match target {
        Target::Airflow => TargetOptions::Airflow { version: airflow_version, local_mode },
        Target::Sagemaker => TargetOptions::Sagemaker,
        Target::StepFunctions => TargetOptions::StepFunctions { query_language },
    }
}

/// Prints diagnostics (human to stderr, JSON collected by the caller).
fn report(checked: &Checked, input: &Input, style: Style, format: Format, json: &mut Vec<serde_json::Value>) {
    match format {
        Format::Json => json.extend(render::json(&checked.diagnostics, &input.source)),
        Format::Human => {
            let text = render::human(&checked.diagnostics, &input.source, style);
            if !text.is_empty() {
                err(&text);
            }
            if let Some(summary) = render::summary(&checked.diagnostics, &input.source.name) {
                err(&format!("{summary}\n"));
            }
        }
    }
}

fn failed(checked: &Checked, deny_warnings: bool) -> bool {
    checked.has_errors() || (deny_warnings && !checked.diagnostics.is_empty())
}

fn check(
    files: &[String],
    target: Option<TargetOptions>,
    common: &CommonArgs,
    style: Style,
) -> Result<ExitCode, Failure> {
    let mut json = Vec::new();
    let mut any_failed = false;
    let mut io_error = false;
    for path in files {
        let input = match read_input(path) {
            Ok(input) => input,
            Err(Failure::Usage(message)) => {
                // A CI that reads only the JSON must see the file it could not check.
                if common.format == Format::Json {
                    json.push(serde_json::json!({
                        "file": path,
                        "code": null,
                        "name": "io-error",
                        "severity": "error",
                        "message": message,
                    }));
                }
                err(&format!("error: {message}\n"));
                io_error = true;
                continue;
            }
            Err(internal) => return Err(internal),
        };
        let checked = check_input(&input, target, common)?;
        report(&checked, &input, style, common.format, &mut json);
        any_failed |= failed(&checked, common.deny_warnings);
    }
    if common.format == Format::Json {
        print_json(&json)?;
    }
    Ok(if io_error {
        ExitCode::from(2)
    } else if any_failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn print_json(values: &[serde_json::Value]) -> Result<(), Failure> {
    let mut text = serde_json::to_string_pretty(values).map_err(|e| Failure::Usage(e.to_string()))?;
    text.push('\n');
    out(text.as_bytes())
}

struct BuildArgs {
    target: Target,
    output: Option<String>,
    check: bool,
    airflow_version: AirflowVersion,
    local_mode: bool,
    query_language: QueryLanguage,
}

fn build(file: &str, how: &BuildArgs, common: &CommonArgs, style: Style) -> Result<ExitCode, Failure> {
    let input = read_input(file)?;
    if how.local_mode && how.target != Target::Airflow {
        return Err(Failure::Usage("--local-mode applies to --target airflow only".to_string()));
    }
    let options = target_options(how.target, how.airflow_version, how.local_mode, how.query_language);
    let checked = compile_input(&input, Some(&options), common)?;
    let mut json = Vec::new();
    report(&checked, &input, style, common.format, &mut json);
    if common.format == Format::Json {
        print_json(&json)?;
    }
    if failed(&checked, common.deny_warnings) {
        return Ok(ExitCode::from(1));
    }
    let Some(generated) = checked.output else {
        return Err(Failure::Internal("a pipeline that checks clean produced no output".to_string()));
    };
    let destination = match how.output.as_deref() {
        Some("-") => None,
        Some(path) => Some(PathBuf::from(path)),
        None if file == "-" => None,
        None => Some(input.base.join(&generated.path)),
    };
    let Some(path) = destination else {
        if how.check {
            return Err(Failure::Usage("--check compares with a file: give it with -o PATH".to_string()));
        }
        out(generated.contents.as_bytes())?;
        return Ok(ExitCode::SUCCESS);
    };
    if how.check {
        let current = std::fs::read(&path).unwrap_or_default();
        if current == generated.contents.as_bytes() {
            return Ok(ExitCode::SUCCESS);
        }
        err(&format!(
            "{} is out of date: run `mlpc build {file} --target {}` to regenerate it\n",
            path.display(),
            how.target.name()
        ));
        return Ok(ExitCode::from(1));
    }
    write_atomically(&path, generated.contents.as_bytes())
        .map_err(|e| Failure::Usage(format!("cannot write `{}`: {e}", path.display())))?;
    err(&format!("wrote {}\n", path.display()));
    Ok(ExitCode::SUCCESS)
}

/// The name of the input as the generated file's header shows it: the file name only,
/// so that builds in different folders give the same bytes.
fn display_name(input: &Input) -> String {
    Path::new(&input.source.name)
        .file_name()
        .map_or_else(|| input.source.name.clone(), |n| n.to_string_lossy().into_owned())
}

/// Writes through a temporary file in the same folder and renames it into place, so
/// that a reader (a scheduler) sees the old file or the new one, never half of one.
/// A destination that is not a regular file (`/dev/null`, a pipe) is written directly:
/// renaming over it would replace it.
fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    if std::fs::metadata(path).is_ok_and(|m| !m.is_file()) {
        return std::fs::write(path, bytes);
    }
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let name = path.file_name().map_or_else(|| "output".into(), |n| n.to_string_lossy().into_owned());
    let temp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut file = std::fs::File::create(&temp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&temp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    result
}

fn deploy(
    file: &str,
    target: Target,
    options: &mlpc::deploy::DeployOptions,
    query_language: QueryLanguage,
    common: &CommonArgs,
    style: Style,
) -> Result<ExitCode, Failure> {
    use mlpc::deploy::DeployError;
    let input = read_input(file)?;
    let built_for = target_options(target, AirflowVersion::V3, false, query_language);
    let checked = compile_input(&input, Some(&built_for), common)?;
    let mut json = Vec::new();
    report(&checked, &input, style, common.format, &mut json);
    if common.format == Format::Json {
        print_json(&json)?;
    }
    let (Some(pipeline), Some(generated), false) =
        (&checked.pipeline, &checked.output, failed(&checked, common.deny_warnings))
    else {
        return Ok(ExitCode::from(1));
    };
    let mut log = |line: String| err(&format!("{line}\n"));
    let result = match target {
        Target::Sagemaker => {
            mlpc::deploy::block_on(mlpc::deploy::sagemaker::deploy(pipeline, &generated.contents, options, &mut log))
        }
        Target::Airflow => {
            return Err(Failure::Usage(
                "Airflow has no deploy API: copy the DAG from `mlpc build --target airflow` into the DAGs folder"
                    .to_string(),
            ))
        }
        Target::StepFunctions => mlpc::deploy::block_on(mlpc::deploy::stepfunctions::deploy(
            pipeline,
            &generated.contents,
            options,
            &mut log,
        )),
    };
    match result.and_then(|r| r) {
        Ok(()) => Ok(ExitCode::SUCCESS),
        Err(DeployError::Usage(message)) => Err(Failure::Usage(message)),
        Err(DeployError::Remote(message)) => {
            err(&format!("error: {message}\n"));
            Ok(ExitCode::from(3))
        }
    }
}

fn graph(file: &str, format: GraphFormat, style: Style) -> Result<ExitCode, Failure> {
    let input = read_input(file)?;
    // The graph shows structure only: files are read to check the pipeline, never
    // copied into the output, so where they are does not matter here.
    let common = CommonArgs {
        format: Format::Human,
        deny_warnings: false,
        allow_unknown_instance_types: true,
        allow_outside_paths: true,
    };
    let checked = check_input(&input, None, &common)?;
    let Some(pipeline) = &checked.pipeline else {
        report(&checked, &input, style, Format::Human, &mut Vec::new());
        return Ok(ExitCode::from(1));
    };
    let text = match format {
        GraphFormat::Mermaid => mlpc::graph::mermaid(pipeline),
        GraphFormat::Dot => mlpc::graph::dot(pipeline),
    };
    out(text.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}

fn explain(code: Option<&str>) -> Result<ExitCode, Failure> {
    let Some(code) = code else {
        let list: String =
            Code::ALL.iter().map(|c| format!("{}  {:<28} {}\n", c.as_str(), c.name(), c.severity().as_str())).collect();
        out(list.as_bytes())?;
        return Ok(ExitCode::SUCCESS);
    };
    match Code::lookup(code) {
        Some(c) => {
            out(c.explanation().as_bytes())?;
            Ok(ExitCode::SUCCESS)
        }
        None => Err(Failure::Usage(format!("`{code}` is not a diagnostic code; `mlpc explain` lists them all"))),
    }
}

#[cfg(test)]
mod tests {
    use super::Failure;

    #[test]
    fn internal_errors_exit_101_and_usage_errors_2() {
        assert_eq!(Failure::Internal("a guard no target lowers".into()).exit_status(), 101);
        assert_eq!(Failure::Usage("no such file".into()).exit_status(), 2);
    }
}
