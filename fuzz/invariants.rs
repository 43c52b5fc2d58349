//! What must hold for any input, shared by the fuzz targets (fuzz_targets/*.rs) and by
//! tests/fuzz_regressions.rs, which replays every input in fuzz/regressions/ through the
//! same checks on each ordinary `cargo test`.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use mlpc::targets::stepfunctions::QueryLanguage;
use mlpc::targets::{Target, TargetOptions};
use mlpc::MemoryFiles;

/// The parser never panics and every diagnostic span lies inside the input; a file
/// that parses formats (`mlpc fmt` compares the trees itself, so a result that means
/// something else is an internal error here), and formatting the result changes
/// nothing.
pub fn parse(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let parsed = mlpc::syntax::parse(&text);
    for d in &parsed.errors {
        let span = d.span();
        assert!(span.start <= span.end && span.end as usize <= text.len(), "span outside the input: {d:?}");
    }
    if parsed.errors.is_empty() {
        match mlpc::fmt::format(&text) {
            Ok(formatted) => {
                let again = mlpc::fmt::format(&formatted);
                assert!(matches!(&again, Ok(f) if *f == formatted), "formatting is not idempotent: {again:?}");
            }
            Err(e) => panic!("a file that parses does not format: {e:?}"),
        }
    }
}

/// Parse → check → emit for every target never panics, a pipeline that checks clean
/// always emits, and the JSON targets' output always parses.
pub fn compile(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let files = MemoryFiles::default()
        .with("code/job.py", "print(1)\n")
        .with("code/preprocessing.py", "print(1)\n")
        .with("code/featurize.py", "print(1)\n")
        .with("code/split.py", "print(1)\n")
        .with(
            "config.json",
            r#"{"label_column": "label", "split": {"train_end": "2021-12"}, "redshift": {"database": "dw"}}"#,
        );
    for target in [Target::Airflow, Target::Sagemaker, Target::StepFunctions] {
        let checked = mlpc::check(&text, &files, &Default::default(), Some(target));
        let Some(ir) = checked.pipeline else { continue };
        for lang in [QueryLanguage::Jsonata, QueryLanguage::Jsonpath] {
            let options = match target {
                Target::StepFunctions => TargetOptions::StepFunctions { query_language: lang },
                other => TargetOptions::defaults(other),
            };
            let out = match mlpc::targets::build(&ir, &options, "") {
                Ok(outcome) => match outcome.output {
                    Some(out) => out,
                    // JSONPath can be larger than the JSONata machine the check built.
                    None if lang == QueryLanguage::Jsonpath => continue,
                    None => {
                        panic!("a pipeline that checks clean built nothing for {target:?}: {:?}", outcome.diagnostics)
                    }
                },
                Err(e) => panic!("a pipeline that checks clean failed to build for {target:?}: {e:?}"),
            };
            if target != Target::Airflow {
                assert!(
                    serde_json::from_str::<serde_json::Value>(&out.contents).is_ok(),
                    "invalid JSON for {target:?}"
                );
            }
        }
    }
}

/// The `mlpc` binary at `bin` on the input saved as a pipeline file, with hostile
/// streams and files around it: diagnostics to a full device, output into a pipe
/// whose reader has gone, a `config.json` that is a named pipe, `code/job.py` a link
/// to /dev/zero, and `--allow-outside-paths` so that the link is followed. Whatever
/// the input, every run ends within 20 s with exit status 0, 1 or 2: never a panic
/// (101), an abort or a signal.
pub fn cli(data: &[u8], bin: &Path) {
    let dir = scratch();
    let file = dir.join("pipeline.mlp");
    std::fs::write(&file, data).expect("write the input");
    let file = file.to_str().expect("a UTF-8 temporary path");
    let runs: [(&[&str], Out, Out); 4] = [
        (&["check", "--target", "airflow", "--allow-outside-paths", file], Out::Null, Out::Full),
        (&["check", "--format", "json", "--allow-outside-paths", file], Out::Full, Out::Null),
        (&["build", file, "--target", "stepfunctions", "-o", "-", "--allow-outside-paths"], Out::Closed, Out::Full),
        (&["graph", file, "--allow-outside-paths"], Out::Closed, Out::Closed),
    ];
    for (args, stdout, stderr) in runs {
        let mut child = Command::new(bin)
            .args(args)
            .current_dir(&dir)
            .stdin(Stdio::null())
            .stdout(stdout.stdio())
            .stderr(stderr.stdio())
            .spawn()
            .expect("start mlpc");
        // The reader of a closed pipe is gone before mlpc writes.
        drop(child.stdout.take());
        drop(child.stderr.take());
        let started = Instant::now();
        let status = loop {
            if let Some(status) = child.try_wait().expect("wait for mlpc") {
                break status;
            }
            if started.elapsed() > Duration::from_secs(20) {
                let _ = child.kill();
                panic!("mlpc {args:?} still running after 20 s");
            }
            std::thread::sleep(Duration::from_millis(2));
        };
        assert!(matches!(status.code(), Some(0..=2)), "mlpc {args:?} ended with {status:?}");
    }
}

/// Where a stream goes.
#[derive(Clone, Copy)]
enum Out {
    Null,
    /// /dev/full: every write fails with ENOSPC.
    Full,
    /// A pipe whose read end is closed: every write fails with EPIPE.
    Closed,
}

impl Out {
    fn stdio(self) -> Stdio {
        match self {
            Out::Null => Stdio::null(),
            Out::Full => {
                Stdio::from(std::fs::OpenOptions::new().write(true).open("/dev/full").expect("open /dev/full"))
            }
            Out::Closed => Stdio::piped(),
        }
    }
}

/// A folder for this process, made once: the named pipe and the link to /dev/zero.
fn scratch() -> PathBuf {
    static DIR: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("mlpc-fuzz-cli-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("code")).expect("make the scratch folder");
        let fifo = Command::new("mkfifo").arg(dir.join("config.json")).status().expect("run mkfifo");
        assert!(fifo.success(), "mkfifo failed");
        std::os::unix::fs::symlink("/dev/zero", dir.join("code/job.py")).expect("link code/job.py to /dev/zero");
        dir
    })
    .clone()
}

/// `mlpc import` never panics, every diagnostic span lies inside the input, and what
/// it writes parses and is already in `mlpc fmt` layout, whatever it left out.
pub fn import(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let imported = mlpc::import::import(&text, None, "fuzzed");
    for d in &imported.diagnostics {
        let span = d.span();
        assert!(span.start <= span.end && span.end as usize <= text.len(), "span outside the input: {d:?}");
    }
    if let Some(mlp) = &imported.mlp {
        let parsed = mlpc::syntax::parse(mlp);
        assert!(parsed.errors.is_empty(), "the import does not parse: {:?}\n{mlp}", parsed.errors);
        let formatted = mlpc::fmt::format(mlp);
        assert!(matches!(&formatted, Ok(f) if f == mlp), "the import is not in fmt layout: {formatted:?}");
    }
}
