//! Helpers shared by the integration tests.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};

use mlpc::diagnostics::render::{self, Style};
use mlpc::{CheckOptions, Checked, Files, SourceFile, Target};

/// Reads files relative to a folder, as the CLI does with `--allow-outside-paths`
/// (fixtures share code across folders; tests/cli.rs holds the default).
pub struct Dir(pub PathBuf);

impl Files for Dir {
    fn read(&self, path: &str) -> Result<Vec<u8>, String> {
        mlpc::files::DiskFiles::new(self.0.clone(), true).read(path)
    }

    fn list(&self, folder: &str) -> Result<Vec<String>, String> {
        mlpc::files::DiskFiles::new(self.0.clone(), true).list(folder)
    }
}

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Header directives of a test file: `# mlpc-target: T`, `# mlpc-options: allow-unknown-instance-types`.
pub fn directives(text: &str) -> (Option<Target>, CheckOptions) {
    let mut target = None;
    let mut options = CheckOptions::default();
    for line in text.lines().take_while(|l| l.starts_with('#')) {
        if let Some(t) = line.strip_prefix("# mlpc-target:") {
            target = match t.trim() {
                "airflow" => Some(Target::Airflow),
                "sagemaker" => Some(Target::Sagemaker),
                "stepfunctions" => Some(Target::StepFunctions),
                other => panic!("unknown target {other}"),
            };
        }
        if line.contains("allow-unknown-instance-types") {
            options.allow_unknown_instance_types = true;
        }
    }
    (target, options)
}

/// Checks a file on disk as the CLI would, honouring its directives.
pub fn check_path(path: &Path) -> (SourceFile, Checked) {
    let bytes = std::fs::read(path).expect("test file");
    let name = path.file_name().expect("file name").to_string_lossy().into_owned();
    match mlpc::decode_source(bytes) {
        Ok(text) => {
            let (target, options) = directives(&text);
            let dir = Dir(path.parent().expect("parent").to_path_buf());
            let checked = mlpc::check(&text, &dir, &options, target);
            (SourceFile::new(name, text), checked)
        }
        Err(boxed) => {
            let (text, d) = *boxed;
            (SourceFile::new(name, text), Checked { diagnostics: vec![d], ..Checked::default() })
        }
    }
}

/// Diagnostics rendered without colour at a fixed width.
pub fn render(file: &SourceFile, checked: &Checked) -> String {
    render::human(&checked.diagnostics, file, Style { color: false, width: 100 })
}

/// Every file under `dir` (recursively) whose name ends in `.ext`, sorted.
pub fn files_with_extension(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == ext) {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// A parameter's default as the job receives it (`5`, `0.2`, `true`, the text); for a
/// required parameter, the sample value the test harnesses give it (`required_sample`).
pub fn default_text(p: &mlpc::ir::Pipeline, name: &str) -> String {
    let param = p.param(name).expect("declared parameter");
    match &param.default {
        Some(default) => default.to_text(),
        None => required_sample(param).to_text(),
    }
}

/// The value tests give a required parameter: `given-<name>` for a string, 1 for an
/// int, 1.5 for a float, true for a bool (as `tests/airflow/check_dags.py` does).
pub fn required_sample(param: &mlpc::ir::Param) -> mlpc::ir::Literal {
    use mlpc::ir::{Literal, ParamType};
    match param.ty {
        ParamType::String => Literal::String(format!("given-{}", param.name.node)),
        ParamType::Int => Literal::Int(1),
        ParamType::Float => Literal::Float(1.5),
        ParamType::Bool => Literal::Bool(true),
    }
}

/// A run id as the S3 keys of outputs hold it: characters other than letters, digits,
/// `-`, `_` and `.` as `-` (as `mlpc_run_key` in the DAG does).
pub fn run_key(run_id: &str) -> String {
    run_id.chars().map(|c| if c.is_ascii_alphanumeric() || "-_.".contains(c) { c } else { '-' }).collect()
}

/// The date of the runs the Airflow harness renders (`tests/airflow/check_dags.py`).
pub const RUN_DATE: &str = "2026-11-28";

/// What a run-time text renders to in run `run` with default parameters.
pub fn rendered_text(t: &mlpc::ir::Text, p: &mlpc::ir::Pipeline, run: &str) -> String {
    use mlpc::ir::TextPart;
    t.parts
        .iter()
        .map(|part| match part {
            TextPart::Literal(s) => s.clone(),
            TextPart::RunId => run.to_string(),
            TextPart::RunDate => RUN_DATE.to_string(),
            TextPart::Param(name) => default_text(p, name),
            TextPart::Output { step, output, archive: false } => format!(
                "{}/{}/{}/{}/{output}/",
                p.settings.artifacts.as_deref().unwrap_or_default(),
                p.name.node,
                run_key(run),
                p.steps[step.0].name.node
            ),
            // The model archive as tests/airflow/check_dags.py's stand-in task instance
            // returns it from XCom.
            TextPart::Output { step, archive: true, .. } => rendered_model(p, *step, run),
            TextPart::ModelName(step) => {
                panic!("`${{{}.…}}` is a model's name, which each target spells its own way", p.steps[step.0].name.node)
            }
        })
        .collect()
}

/// The model archive of a training or tuning step as tests/airflow/check_dags.py's
/// stand-in task instance returns it from XCom: a training job's own, or the one in
/// the folder of the tuning job's best training job.
pub fn rendered_model(p: &mlpc::ir::Pipeline, step: mlpc::ir::StepId, run: &str) -> String {
    let producer = &p.steps[step.0];
    let name = &producer.name.node;
    match &producer.kind {
        mlpc::ir::StepKind::Tuning(_) => format!(
            "{}/{}/{}/{name}/{}/xcom-{name}-best/output/model.tar.gz",
            p.settings.artifacts.as_deref().unwrap_or_default(),
            p.name.node,
            run_key(run),
            producer.outputs.first().map_or("model", |o| o.name.node.as_str()),
        ),
        _ => format!("s3://xcom/{name}/model.tar.gz"),
    }
}

/// What a field value renders to, as text, in run `run` with default parameters.
pub fn rendered_value(v: &mlpc::ir::Value, p: &mlpc::ir::Pipeline, run: &str) -> String {
    use mlpc::ir::Value;
    match v {
        Value::Int(n) => n.to_string(),
        Value::Float(f) => mlpc::ir::format_float(*f),
        Value::Bool(b) => b.to_string(),
        Value::Text(t) => rendered_text(t, p, run),
        Value::Param(name) => default_text(p, name),
    }
}

/// Every `.mlp` under these folders of the repository that mlpc parses without a
/// syntax error, sorted by folder then path: what an editor's grammar must read.
pub fn mlp_files_that_parse(dirs: &[&str]) -> Vec<PathBuf> {
    dirs.iter()
        .flat_map(|dir| files_with_extension(&root().join(dir), "mlp"))
        .filter(|path| std::fs::read_to_string(path).is_ok_and(|t| mlpc::syntax::parse(&t).errors.is_empty()))
        .collect()
}

/// Every pipeline of examples/ and tests/targets/, sorted.
pub fn pipelines() -> Vec<PathBuf> {
    let mut out = files_with_extension(&root().join("examples"), "mlp");
    out.extend(files_with_extension(&root().join("tests/targets"), "mlp"));
    out.sort();
    out
}

/// A moto server on a free loopback port, stopped when dropped.
pub struct Moto {
    child: std::process::Child,
    pub port: u16,
}

impl Moto {
    pub fn start() -> Moto {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let server = root().join("target/py/moto/bin/moto_server");
        assert!(server.exists(), "run scripts/setup-python");
        let child = std::process::Command::new(server)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(std::time::Instant::now() < deadline, "moto did not start");
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        Moto { child, port }
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Moto {
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

/// Every Task's Arguments of a JSONata state machine, rendered by the `jsonata` package
/// (`tests/stepfunctions/render_jsonata.js`) with `bindings` for `$states`, `$params`
/// and `$jobid`; by state name.
pub fn render_jsonata(machine: &serde_json::Value, bindings: &serde_json::Value) -> serde_json::Value {
    let dir = std::env::temp_dir().join(format!("mlpc-jsonata-{}-{}", std::process::id(), unique()));
    std::fs::create_dir_all(&dir).unwrap();
    let (def_path, bindings_path) = (dir.join("machine.json"), dir.join("bindings.json"));
    std::fs::write(&def_path, machine.to_string()).unwrap();
    std::fs::write(&bindings_path, bindings.to_string()).unwrap();
    let out = std::process::Command::new("node")
        .arg(root().join("tests/stepfunctions/render_jsonata.js"))
        .args([&def_path, &bindings_path])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

fn unique() -> usize {
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

/// Runs a JSONPath state machine in moto with Tasks as Pass states that keep their
/// rendered requests (`tests/stepfunctions/run_in_moto.py ... render`); returns the
/// execution's status and every Task's rendered request by state name.
pub fn render_in_moto(
    moto: &Moto,
    machine: &Path,
    input: &str,
    name: &str,
) -> (serde_json::Value, serde_json::Map<String, serde_json::Value>) {
    let (r, rendered) = render_in_moto_with_reports(moto, machine, input, name, &serde_json::json!({}));
    (r["status"].clone(), rendered)
}

/// `render_in_moto`, the report reads getting `reports` (`{"STEP.OUTPUT": document}`):
/// the whole execution (status, error, cause, events), and what every Task rendered.
pub fn render_in_moto_with_reports(
    moto: &Moto,
    machine: &Path,
    input: &str,
    name: &str,
    reports: &serde_json::Value,
) -> (serde_json::Value, serde_json::Map<String, serde_json::Value>) {
    let python = root().join("target/py/moto/bin/python");
    assert!(python.exists(), "run scripts/setup-python");
    let out = std::process::Command::new(python)
        .arg(root().join("tests/stepfunctions/run_in_moto.py"))
        .args([moto.url().as_str(), machine.to_str().unwrap(), input, name, "render"])
        .arg(format!("reports={reports}"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut rendered = serde_json::Map::new();
    collect_rendered(&r["output"], &mut rendered);
    (r, rendered)
}

/// Every `rendered` object anywhere in a moto execution's output, merged.
fn collect_rendered(v: &serde_json::Value, out: &mut serde_json::Map<String, serde_json::Value>) {
    use serde_json::Value as Json;
    match v {
        Json::Object(m) => {
            for (k, x) in m {
                if k == "rendered" {
                    out.extend(x.as_object().unwrap().clone());
                } else {
                    collect_rendered(x, out);
                }
            }
        }
        Json::Array(a) => a.iter().for_each(|x| collect_rendered(x, out)),
        _ => {}
    }
}
