//! Scale benchmark: parse, check and emit of generated pipelines of 10 to 10,000 steps
//! (chains, fan-out/fan-in, layered random DAGs with every job kind), in-process
//! medians, plus whole-process `mlpc check` / `mlpc build` medians and peak memory of
//! the release binary, for each target; and `mlpc check` over 100 typical files (a
//! pre-commit run). Not a test: nothing fails on a timing.
//!
//! Run: `cargo bench --bench scale` (prints a Markdown table; see BENCHMARKS.md).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use mlpc::targets::{Target, TargetOptions};
use mlpc::MemoryFiles;

/// The allocator the `mlpc` binary uses, so in-process figures match it.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const HEADER: &str = "  role = \"arn:aws:iam::123456789012:role/R\"\n  artifacts = \"s3://bench-bucket/p\"\n  region = \"us-east-1\"\n  image i = \"123456789012.dkr.ecr.us-east-1.amazonaws.com/i:1\"\n  param depth: int = 6 { min = 1, max = 20 }\n";

fn processing(name: &str, inputs: &[String], extra: &str) -> String {
    let ins: String = inputs.iter().enumerate().map(|(k, src)| format!("    in x{k} = {src}\n")).collect();
    format!("  step {name}: processing {{\n    image = i, instance = \"ml.m5.large\", code = \"job.py\"\n    args = [\"--depth\", \"${{params.depth}}\"]\n{ins}{extra}    out o: dataset<csv>\n  }}\n")
}

fn chain(n: usize) -> String {
    let mut s = format!("pipeline chain {{\n{HEADER}");
    for k in 0..n {
        let inputs = if k == 0 { vec![] } else { vec![format!("s{}.o", k - 1)] };
        s.push_str(&processing(&format!("s{k}"), &inputs, ""));
    }
    s + "}\n"
}

fn fan(n: usize) -> String {
    let mut s = format!("pipeline fan {{\n{HEADER}");
    s.push_str(&processing("source", &[], ""));
    let middle = n.saturating_sub(2).max(1);
    for k in 0..middle {
        s.push_str(&processing(&format!("m{k}"), &["source.o".to_string()], ""));
    }
    let after: Vec<String> = (0..middle).map(|k| format!("m{k}")).collect();
    s.push_str(&processing("sink", &[], &format!("    after = [{}]\n", after.join(", "))));
    s + "}\n"
}

/// Layers of width 10; each step reads up to 3 steps of the layer before, and the
/// kinds rotate through sql, processing, training and transform.
fn layered(n: usize) -> String {
    let mut s = format!("pipeline layered {{\n{HEADER}");
    let mut seed = 42u64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for k in 0..n {
        let layer = k / 10;
        let name = format!("s{k}");
        if layer == 0 {
            s.push_str(&format!(
                "  step {name}: sql {{\n    engine = athena, database = \"db\", query = \"select {k}\"\n    out o: dataset<csv>\n  }}\n"
            ));
            continue;
        }
        let inputs: Vec<String> =
            (0..1 + next() as usize % 3).map(|_| format!("s{}.o", (layer - 1) * 10 + next() as usize % 10)).collect();
        let mut inputs = inputs;
        inputs.sort();
        inputs.dedup();
        match k % 4 {
            0 | 1 => s.push_str(&processing(&name, &inputs, "")),
            2 => {
                let ins: String = inputs.iter().enumerate().map(|(j, src)| format!("    in c{j} = {src}\n")).collect();
                s.push_str(&format!("  step {name}: training {{\n    image = i, instance = \"ml.m5.xlarge\"\n    hyperparameters = {{ max_depth = params.depth }}\n{ins}    out o: model\n  }}\n"));
            }
            _ => {
                let model = format!("s{}", k - 1);
                let src = inputs.first().cloned().unwrap_or_default();
                s.push_str(&format!("  step {name}: transform {{\n    model = {model}.o, instance = \"ml.m5.large\"\n    in d = {src}\n    out o: dataset<csv>\n  }}\n"));
            }
        }
    }
    s + "}\n"
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn time<T>(runs: usize, mut f: impl FnMut() -> T) -> Duration {
    median(
        (0..runs)
            .map(|_| {
                let start = Instant::now();
                std::hint::black_box(f());
                start.elapsed()
            })
            .collect(),
    )
}

fn ms(d: Duration) -> String {
    format!("{:.2}", d.as_secs_f64() * 1000.0)
}

/// Median wall time and peak RSS (KB) of the release binary over `runs` runs.
fn process(runs: usize, bin: &Path, args: &[&str]) -> (Duration, u64) {
    process_status(runs, bin, args, true).0
}

/// As `process`, also returning whether the runs succeeded (a target limit may refuse
/// a size; how fast that refusal comes is measured too).
fn process_status(runs: usize, bin: &Path, args: &[&str], must_succeed: bool) -> ((Duration, u64), bool) {
    let mut times = Vec::new();
    let mut peak = 0;
    let mut ok = true;
    for _ in 0..runs {
        let start = Instant::now();
        let out =
            Command::new("/usr/bin/time").arg("-f").arg("%M").arg(bin).args(args).output().expect("/usr/bin/time");
        times.push(start.elapsed());
        ok &= out.status.success();
        assert!(!must_succeed || out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let stderr = String::from_utf8_lossy(&out.stderr);
        peak = peak.max(stderr.lines().last().and_then(|l| l.trim().parse().ok()).unwrap_or(0));
    }
    ((median(times), peak), ok)
}

fn main() {
    let files = MemoryFiles::default().with("job.py", "print(1)\n");
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("bench");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("job.py"), "print(1)\n").unwrap();
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_mlpc"));
    let only = std::env::var("MLPC_BENCH").unwrap_or_default();
    if only.is_empty() || only == "airflow" {
        airflow_table(&files, &dir, &bin);
    }
    if only.is_empty() || only == "json" {
        json_table(&files, &dir, &bin);
    }
    if only.is_empty() || only == "precommit" {
        precommit(&dir, &bin);
    }
    if only.is_empty() || only == "recovery" {
        recovery(&files, &dir, &bin);
    }
    if only.is_empty() || only == "fmt" {
        fmt_table(&dir, &bin);
    }
    if only.is_empty() || only == "lsp" {
        lsp_table(&dir, &bin);
    }
}

/// A language client speaking to `mlpc lsp` over its stdio pipes.
struct Lsp {
    child: std::process::Child,
    reader: std::io::BufReader<std::process::ChildStdout>,
    next_id: u64,
}

impl Lsp {
    fn start(bin: &Path) -> Lsp {
        use std::process::Stdio;
        let mut child = Command::new(bin).arg("lsp").stdin(Stdio::piped()).stdout(Stdio::piped()).spawn().unwrap();
        let reader = std::io::BufReader::new(child.stdout.take().unwrap());
        let mut lsp = Lsp { child, reader, next_id: 0 };
        lsp.request("initialize", serde_json::json!({ "capabilities": {} }));
        lsp.notify("initialized", serde_json::json!({}));
        lsp
    }

    fn send(&mut self, message: serde_json::Value) {
        use std::io::Write;
        let body = serde_json::to_vec(&message).unwrap();
        let stdin = self.child.stdin.as_mut().unwrap();
        write!(stdin, "Content-Length: {}\r\n\r\n", body.len()).unwrap();
        stdin.write_all(&body).unwrap();
        stdin.flush().unwrap();
    }

    fn receive(&mut self) -> serde_json::Value {
        use std::io::{BufRead, Read};
        let mut length = 0;
        loop {
            let mut line = String::new();
            self.reader.read_line(&mut line).unwrap();
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some(n) = line.strip_prefix("Content-Length: ") {
                length = n.parse().unwrap();
            }
        }
        let mut body = vec![0; length];
        self.reader.read_exact(&mut body).unwrap();
        serde_json::from_slice(&body).unwrap()
    }

    fn notify(&mut self, method: &str, params: serde_json::Value) {
        self.send(serde_json::json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    fn request(&mut self, method: &str, params: serde_json::Value) -> serde_json::Value {
        self.next_id += 1;
        let id = self.next_id;
        self.send(serde_json::json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        loop {
            let message = self.receive();
            if message["id"] == id {
                return message;
            }
        }
    }

    /// Waits for the diagnostics of `version`.
    fn diagnostics(&mut self, version: u64) -> serde_json::Value {
        loop {
            let message = self.receive();
            if message["method"] == "textDocument/publishDiagnostics" && message["params"]["version"] == version {
                return message;
            }
        }
    }
}

/// `mlpc lsp`: the time from a change to its diagnostics (the whole text sent, parsed and
/// checked), and each query's round trip, on a pipeline of n steps (release binary,
/// stdio, medians).
fn lsp_table(dir: &Path, bin: &Path) {
    println!();
    println!("| steps | bytes | change → diagnostics ms | definition ms | hover ms | completion ms | symbols ms | formatting ms |");
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|");
    for n in [100, 1_000, 10_000] {
        let text = mlpc::fmt::format(&chain(n)).unwrap();
        let runs = if n >= 10_000 { 5 } else { 15 };
        let mut lsp = Lsp::start(bin);
        // Beside job.py, which the steps' `code` names: the check is clean.
        let uri = format!("file://{}/chain.mlp", dir.display());
        let document = serde_json::json!({ "uri": uri });
        lsp.notify(
            "textDocument/didOpen",
            serde_json::json!({ "textDocument": { "uri": uri, "languageId": "mlp", "version": 0, "text": text } }),
        );
        lsp.diagnostics(0);
        let mut version = 0;
        let change = time(runs, || {
            version += 1;
            // An edit in the middle: a step's argument changes.
            let edited = text.replacen("\"--depth\"", &format!("\"--d{version}\""), 1 + (n / 2) % 7);
            lsp.notify(
                "textDocument/didChange",
                serde_json::json!({
                    "textDocument": { "uri": uri, "version": version },
                    "contentChanges": [{ "text": edited }],
                }),
            );
            lsp.diagnostics(version)
        });
        let last = text.rfind("in  x0 = s").unwrap();
        let line = text[..last].matches('\n').count();
        let at = serde_json::json!({ "line": line, "character": 14 });
        let mut query = |method: &str, params: serde_json::Value| time(runs, || lsp.request(method, params.clone()));
        let definition =
            query("textDocument/definition", serde_json::json!({ "textDocument": document, "position": at }));
        let hover = query("textDocument/hover", serde_json::json!({ "textDocument": document, "position": at }));
        let completion = query(
            "textDocument/completion",
            serde_json::json!({ "textDocument": document, "position": { "line": line, "character": 4 } }),
        );
        let symbols = query("textDocument/documentSymbol", serde_json::json!({ "textDocument": document }));
        let formatting = query(
            "textDocument/formatting",
            serde_json::json!({ "textDocument": document, "options": { "tabSize": 2, "insertSpaces": true } }),
        );
        lsp.request("shutdown", serde_json::Value::Null);
        lsp.notify("exit", serde_json::Value::Null);
        lsp.child.wait().unwrap();
        println!(
            "| {n} | {} | {} | {} | {} | {} | {} | {} |",
            text.len(),
            ms(change),
            ms(definition),
            ms(hover),
            ms(completion),
            ms(symbols),
            ms(formatting)
        );
    }
}

/// `mlpc fmt`: in process (which includes parsing the result again and comparing the
/// trees) against a parse of the same text, and `mlpc fmt --check` as a process.
fn fmt_table(dir: &Path, bin: &Path) {
    println!();
    println!("| shape | steps | bytes | parse ms | fmt ms | fmt / parse | `mlpc fmt --check` ms | RSS MB |");
    println!("|---|---:|---:|---:|---:|---:|---:|---:|");
    for (shape, make) in [("chain", chain as fn(usize) -> String), ("layered", layered)] {
        for n in [100, 1_000, 10_000] {
            let text = make(n);
            let runs = if n >= 10_000 { 5 } else { 15 };
            let parse = time(runs, || mlpc::syntax::parse(&text));
            let formatted = mlpc::fmt::format(&text).unwrap();
            let fmt = time(runs, || mlpc::fmt::format(&text).unwrap());
            let path = dir.join(format!("fmt-{shape}{n}.mlp"));
            std::fs::write(&path, &formatted).unwrap();
            let (whole, rss) = process(runs, bin, &["fmt", "--check", path.to_str().unwrap()]);
            println!(
                "| {shape} | {n} | {} | {} | {} | {:.1} | {} | {:.1} |",
                text.len(),
                ms(parse),
                ms(fmt),
                fmt.as_secs_f64() / parse.as_secs_f64(),
                ms(whole),
                rss as f64 / 1024.0
            );
        }
    }
}

/// Error storms at 1×, 10× and 100× a base size: the time to every diagnostic must
/// grow with the input, not faster (the human format shows the first 100; JSON all).
fn recovery(files: &MemoryFiles, dir: &Path, bin: &Path) {
    type Storm = fn(usize) -> String;
    let storms: [(&str, usize, Storm); 5] = [
        // 10 KB of `]`, the storm the hardening issue measured, is the base.
        ("`]` alone", 10_000, |n| "]".repeat(n)),
        ("`]` in a pipeline", 10_000, |n| format!("pipeline p {{\n{}\n}}\n", "]".repeat(n))),
        // Errors that differ from their neighbour are each kept (a run of one is merged).
        ("`])` alternating", 5_000, |n| "])".repeat(n)),
        ("nested closers", 1_000, |n| format!("pipeline p {{\n  x = {}{}\n}}\n", "[".repeat(200), ")]}".repeat(n))),
        ("unknown keys", 200, |n| {
            let keys: String = (0..n).map(|i| format!("  key{i} = 1\n")).collect();
            format!("pipeline p {{\n{keys}}}\n")
        }),
    ];
    println!();
    println!("| storm | size | bytes | diagnostics | in-process ms | × base | `mlpc check` ms | × base | `--format json` ms | × base |");
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (name, base, make) in storms {
        let mut first: Option<(f64, f64, f64)> = None;
        for factor in [1, 10, 100] {
            let text = make(base * factor);
            let runs = if factor == 100 { 3 } else { 11 };
            let diagnostics = mlpc::check(&text, files, &Default::default(), None).diagnostics.len();
            let inproc = time(runs, || mlpc::check(&text, files, &Default::default(), None)).as_secs_f64();
            let path = dir.join("storm.mlp");
            std::fs::write(&path, &text).unwrap();
            let p = path.to_str().unwrap();
            let human = process_status(runs, bin, &["check", p], false).0 .0.as_secs_f64();
            let json = process_status(runs, bin, &["check", "--format", "json", p], false).0 .0.as_secs_f64();
            let (b_in, b_human, b_json) = *first.get_or_insert((inproc, human, json));
            println!(
                "| {name} | {factor}× | {} | {diagnostics} | {:.2} | {:.1} | {:.2} | {:.1} | {:.2} | {:.1} |",
                text.len(),
                inproc * 1000.0,
                inproc / b_in,
                human * 1000.0,
                human / b_human,
                json * 1000.0,
                json / b_json
            );
        }
    }
}

/// SageMaker and Step Functions: in-process emit, whole-process build and peak RSS.
/// Sizes over a target's 1 MB definition limit end in that diagnostic (exit 1): the
/// time to it is measured the same way and marked "limit".
fn json_table(files: &MemoryFiles, dir: &Path, bin: &Path) {
    use mlpc::targets::stepfunctions::QueryLanguage;
    println!();
    println!("| shape | steps | target | emit ms | `mlpc build` ms | peak RSS MB | result |");
    println!("|---|---:|---|---:|---:|---:|---|");
    for (shape, make) in [("chain", chain as fn(usize) -> String), ("fan", fan), ("layered", layered)] {
        for n in [10, 100, 200, 1_000, 10_000] {
            let text = make(n);
            let path = dir.join(format!("{shape}{n}.mlp"));
            std::fs::write(&path, &text).unwrap();
            let p = path.to_str().unwrap();
            let runs = if n >= 10_000 { 3 } else { 11 };
            for (target, name) in [(Target::Sagemaker, "sagemaker"), (Target::StepFunctions, "stepfunctions")] {
                let checked = mlpc::check(&text, files, &Default::default(), Some(target));
                let emit = match &checked.pipeline {
                    Some(ir) => {
                        let options = match target {
                            Target::StepFunctions => {
                                TargetOptions::StepFunctions { query_language: QueryLanguage::Jsonata }
                            }
                            other => TargetOptions::defaults(other),
                        };
                        ms(time(runs, || mlpc::targets::build(ir, &options, "").unwrap().output.unwrap()))
                    }
                    None => "–".to_string(),
                };
                let out = dir.join(format!("{shape}{n}.{name}.json"));
                let args = ["build", p, "--target", name, "-o", out.to_str().unwrap()];
                let ((build, rss), ok) = process_status(runs, bin, &args, false);
                let result = match (&checked.pipeline, ok) {
                    (Some(_), true) => "built".to_string(),
                    _ => checked
                        .diagnostics
                        .iter()
                        .find(|d| d.is_error())
                        .map_or("refused".to_string(), |d| format!("{} {}", d.code, d.code.name())),
                };
                println!("| {shape} | {n} | {name} | {emit} | {} | {:.1} | {result} |", ms(build), rss as f64 / 1024.0);
            }
        }
    }
}

/// `mlpc check` over 100 copies of the churn example in one run, as pre-commit does.
fn precommit(dir: &Path, bin: &Path) {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/churn");
    let into = dir.join("precommit");
    std::fs::create_dir_all(into.join("code")).unwrap();
    std::fs::copy(root.join("config.json"), into.join("config.json")).unwrap();
    std::fs::copy(root.join("code/preprocessing.py"), into.join("code/preprocessing.py")).unwrap();
    let text = std::fs::read_to_string(root.join("churn.mlp")).unwrap();
    let mut args = vec!["check".to_string()];
    for k in 0..100 {
        let path = into.join(format!("churn{k}.mlp"));
        std::fs::write(&path, text.replace("pipeline churn", &format!("pipeline churn{k}"))).unwrap();
        args.push(path.to_str().unwrap().to_string());
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (t, rss) = process(15, bin, &args);
    println!();
    println!(
        "`mlpc check` of 100 files like examples/churn/churn.mlp: {} ms, peak RSS {:.1} MB",
        ms(t),
        rss as f64 / 1024.0
    );
}

fn airflow_table(files: &MemoryFiles, dir: &Path, bin: &Path) {
    println!("| shape | steps | bytes | parse ms | check ms | airflow emit ms | `mlpc check` ms | `mlpc build --target airflow` ms | check RSS MB | build RSS MB |");
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (shape, make) in [("chain", chain as fn(usize) -> String), ("fan", fan), ("layered", layered)] {
        for n in [10, 100, 1_000, 10_000] {
            let text = make(n);
            let runs = if n >= 10_000 { 5 } else { 15 };
            let parse = time(runs, || mlpc::syntax::parse(&text));
            let checked = mlpc::check(&text, files, &Default::default(), Some(Target::Airflow));
            assert!(!checked.has_errors(), "{shape} {n}: {:?}", checked.diagnostics.first());
            let check = time(runs, || mlpc::check(&text, files, &Default::default(), Some(Target::Airflow)));
            let ir = checked.pipeline.unwrap();
            let emit = time(runs, || {
                mlpc::targets::build(&ir, &TargetOptions::defaults(Target::Airflow), "").unwrap().output.unwrap()
            });
            let path = dir.join(format!("{shape}{n}.mlp"));
            std::fs::write(&path, &text).unwrap();
            let p = path.to_str().unwrap();
            let (whole_check, rss_check) = process(runs, bin, &["check", p]);
            // Written to a file, as a user does (atomically: temp file, fsync, rename).
            let out = dir.join(format!("{shape}{n}.py"));
            let (whole_build, rss_build) =
                process(runs, bin, &["build", p, "--target", "airflow", "-o", out.to_str().unwrap()]);
            println!(
                "| {shape} | {n} | {} | {} | {} | {} | {} | {} | {:.1} | {:.1} |",
                text.len(),
                ms(parse),
                ms(check),
                ms(emit),
                ms(whole_check),
                ms(whole_build),
                rss_check as f64 / 1024.0,
                rss_build as f64 / 1024.0
            );
        }
    }
}
