//! The `mlpc` binary as a black box: exit codes, streams, formats.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn mlpc(args: &[&str]) -> Output {
    run(args, None, &[])
}

fn run(args: &[&str], stdin: Option<&[u8]>, env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_mlpc"));
    cmd.args(args).current_dir(common::root()).env_remove("NO_COLOR");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("spawn mlpc");
    if let Some(mut pipe) = child.stdin.take() {
        if let Some(bytes) = stdin {
            pipe.write_all(bytes).expect("write stdin");
        }
    }
    child.wait_with_output().expect("mlpc output")
}

fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

const CLEAN: &str = "tests/cli/clean.mlp";
const WARNS: &str = "tests/ui/W0202_unused_param.mlp";
const BAD: &str = "tests/ui/multi/three_mistakes.mlp";

#[test]
fn check_clean_file_exits_0_silently() {
    let o = mlpc(&["check", CLEAN]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(stdout(&o), "");
}

#[test]
fn check_errors_exit_1_and_go_to_stderr() {
    let o = mlpc(&["check", BAD]);
    assert_eq!(code(&o), 1);
    assert_eq!(stdout(&o), "");
    let err = stderr(&o);
    for c in ["E0306", "E0201", "E0203"] {
        assert!(err.contains(c), "{c} missing in {err}");
    }
    assert!(err.contains("three_mistakes.mlp: 3 errors"), "{err}");
}

#[test]
fn warnings_pass_unless_denied() {
    assert_eq!(code(&mlpc(&["check", WARNS])), 0);
    assert_eq!(code(&mlpc(&["check", "--deny-warnings", WARNS])), 1);
}

#[test]
fn many_files_in_one_run_fail_if_any_fails() {
    assert_eq!(code(&mlpc(&["check", CLEAN, WARNS])), 0);
    assert_eq!(code(&mlpc(&["check", CLEAN, BAD, WARNS])), 1);
}

#[test]
fn json_format_is_machine_readable() {
    let o = mlpc(&["check", "--format", "json", BAD]);
    assert_eq!(code(&o), 1);
    let json: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("valid JSON");
    let items = json.as_array().expect("an array");
    assert_eq!(items.len(), 3);
    let first = &items[0];
    for key in ["file", "line", "column", "end_line", "end_column", "code", "severity", "message", "help"] {
        assert!(first.get(key).is_some(), "missing {key} in {first}");
    }
    assert_eq!(first["file"], BAD);
    assert_eq!(first["code"], "E0306");
    assert_eq!(first["severity"], "error");
    assert_eq!((first["line"].as_u64(), first["column"].as_u64()), (Some(9), Some(16)));
    assert_eq!((first["end_line"].as_u64(), first["end_column"].as_u64()), (Some(9), Some(29)));
}

#[test]
fn json_for_clean_files_is_an_empty_array() {
    let o = mlpc(&["check", "--format", "json", CLEAN]);
    assert_eq!(code(&o), 0);
    assert_eq!(stdout(&o).trim(), "[]");
}

#[test]
fn stdin_is_read_with_dash() {
    let text = std::fs::read(common::root().join("tests/ui/E0201_unknown_step.mlp")).expect("file");
    let o = run(&["check", "-"], Some(&text), &[]);
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("<stdin>"), "{}", stderr(&o));
    let clean = b"pipeline empty {\n  description = \"nothing yet\"\n}\n";
    assert_eq!(code(&run(&["check", "-"], Some(clean), &[])), 0);
}

#[test]
fn unreadable_file_is_exit_2() {
    let o = mlpc(&["check", "tests/does-not-exist.mlp"]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("cannot read"), "{}", stderr(&o));
}

#[test]
fn usage_errors_are_exit_2() {
    assert_eq!(code(&mlpc(&["check"])), 2);
    assert_eq!(code(&mlpc(&["build", CLEAN, "--target", "kubeflow"])), 2);
    assert_eq!(code(&mlpc(&["frobnicate"])), 2);
}

#[test]
fn garbage_bytes_give_a_diagnostic_not_a_panic() {
    let garbage: Vec<u8> = (0..=255u8).cycle().take(4096).collect();
    let o = run(&["check", "-"], Some(&garbage), &[]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert!(stderr(&o).contains("E0108"), "{}", stderr(&o));
    let ascii_noise = b"}}}{{{ pipeline [[[ \"\"\" \\u{zz} ${ = = = step : : :";
    let o = run(&["check", "-"], Some(ascii_noise), &[]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
}

#[test]
fn build_stops_on_errors_and_writes_nothing() {
    let dir = std::env::temp_dir().join(format!("mlpc-cli-{}", std::process::id()));
    let out = dir.join("dag.py");
    let o = mlpc(&["build", BAD, "--target", "airflow", "-o", out.to_str().expect("utf-8 path")]);
    assert_eq!(code(&o), 1);
    assert!(!out.exists());
}

#[test]
fn build_for_stepfunctions_writes_the_state_machine_in_either_query_language() {
    for (lang, marker) in [("jsonata", "\"QueryLanguage\": \"JSONata\""), ("jsonpath", "\"ResultPath\": null")] {
        let o = mlpc(&["build", CLEAN, "--target", "stepfunctions", "--query-language", lang, "-o", "-"]);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        assert!(String::from_utf8_lossy(&o.stdout).contains(marker), "{lang}");
    }
}

#[test]
fn build_for_sagemaker_writes_the_definition_json() {
    let o = mlpc(&["build", "examples/churn/churn.mlp", "--target", "sagemaker", "-o", "-"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let def: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    assert_eq!(def["Version"], "2020-12-01");
}

#[test]
fn deploy_to_airflow_explains_there_is_no_such_thing() {
    let o = mlpc(&["deploy", "examples/churn/churn.mlp", "--target", "airflow"]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("DAGs folder"), "{}", stderr(&o));
}

#[test]
fn deploy_start_without_a_required_param_is_a_usage_error_before_any_call() {
    // The endpoint is a closed port: the refusal must come before any AWS call.
    let file = "examples/abalone_batch/abalone_batch.mlp";
    let common = ["--start", "--endpoint-url", "http://127.0.0.1:9", "--role-arn", "arn:aws:iam::123456789012:role/x"];
    for target in ["sagemaker", "stepfunctions"] {
        let mut args = vec!["deploy", file, "--target", target];
        args.extend(common);
        let o = mlpc(&args);
        assert_eq!(code(&o), 2, "{target}: {}", stderr(&o));
        assert!(stderr(&o).contains("parameter `batch_data` is required"), "{target}: {}", stderr(&o));
    }
}

#[test]
fn check_with_target_reports_target_limits() {
    let file = "tests/ui/E0501_unsupported_step_kind.mlp";
    assert_eq!(code(&mlpc(&["check", file])), 0);
    assert_eq!(code(&mlpc(&["check", file, "--target", "airflow"])), 0);
    let o = mlpc(&["check", file, "--target", "stepfunctions"]);
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("E0501"));
}

#[test]
fn graph_formats() {
    let mermaid = mlpc(&["graph", CLEAN, "--format", "mermaid"]);
    assert_eq!(code(&mermaid), 0, "{}", stderr(&mermaid));
    let dot = mlpc(&["graph", CLEAN, "--format", "dot"]);
    assert_eq!(code(&dot), 0);
    insta::assert_snapshot!(format!("{}\n{}", stdout(&mermaid), stdout(&dot)));
    assert_eq!(code(&mlpc(&["graph", BAD])), 1);
}

#[test]
fn explain_codes() {
    let o = mlpc(&["explain", "E0201"]);
    assert_eq!(code(&o), 0);
    assert!(stdout(&o).starts_with("# E0201 unknown-step"), "{}", stdout(&o));
    let by_name = mlpc(&["explain", "unknown-step"]);
    assert_eq!(stdout(&by_name), stdout(&o));
    let list = mlpc(&["explain"]);
    assert!(stdout(&list).lines().count() >= mlpc::Code::ALL.len());
    assert_eq!(code(&mlpc(&["explain", "E9999"])), 2);
}

#[test]
fn version_and_help() {
    let v = mlpc(&["--version"]);
    assert_eq!(code(&v), 0);
    assert_eq!(stdout(&v).trim(), format!("mlpc {}", env!("CARGO_PKG_VERSION")));
    let h = mlpc(&["--help"]);
    assert_eq!(code(&h), 0);
    assert!(stdout(&h).contains("Examples:"));
}

#[test]
fn colour_only_when_asked_and_never_with_no_color() {
    let always = mlpc(&["--color", "always", "check", BAD]);
    assert!(stderr(&always).contains('\u{1b}'));
    let auto = run(&["check", BAD], None, &[("NO_COLOR", "1")]);
    assert!(!stderr(&auto).contains('\u{1b}'));
}

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn build_airflow_writes_the_file_and_check_detects_drift() {
    let dir = temp_dir("cli-build");
    let out = dir.join("dags/clean.py");
    let path = out.to_str().unwrap();
    let o = mlpc(&["build", CLEAN, "--target", "airflow", "-o", path]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let written = std::fs::read_to_string(&out).unwrap();
    assert!(written.starts_with("# Generated by mlpc"));
    assert!(written.contains("from airflow.sdk import DAG"));
    let leftovers: Vec<_> =
        std::fs::read_dir(out.parent().unwrap()).unwrap().flatten().map(|e| e.file_name()).collect();
    assert_eq!(leftovers.len(), 1, "no temporary file is left behind: {leftovers:?}");
    assert_eq!(code(&mlpc(&["build", CLEAN, "--target", "airflow", "-o", path, "--check"])), 0);
    std::fs::write(&out, format!("{written}# edited\n")).unwrap();
    let drift = mlpc(&["build", CLEAN, "--target", "airflow", "-o", path, "--check"]);
    assert_eq!(code(&drift), 1);
    assert!(stderr(&drift).contains("out of date"));
    let v2 = mlpc(&["build", CLEAN, "--target", "airflow", "--airflow-version", "2", "-o", "-"]);
    assert_eq!(code(&v2), 0);
    assert!(stdout(&v2).contains("from airflow import DAG"));
}

#[test]
fn build_to_stdout_with_dash() {
    let o = mlpc(&["build", CLEAN, "--target", "airflow", "-o", "-"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stdout(&o).contains("dag_id=\"clean\""));
    let text = std::fs::read(common::root().join("tests/targets/diamond.mlp")).unwrap();
    let from_stdin = run(&["build", "-", "--target", "airflow"], Some(&text), &[]);
    assert_eq!(
        code(&from_stdin),
        1,
        "code paths are relative to the current folder for stdin: {}",
        stderr(&from_stdin)
    );
}

#[test]
fn build_to_a_device_writes_through_it_instead_of_replacing_it() {
    let o = mlpc(&["build", CLEAN, "--target", "airflow", "-o", "/dev/null"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let meta = std::fs::metadata("/dev/null").unwrap();
    assert!(!meta.is_file(), "/dev/null must still be a device");
}

#[test]
fn a_50_mb_input_is_refused_cleanly_before_it_is_read() {
    let path = std::env::temp_dir().join(format!("mlpc-huge-{}.mlp", std::process::id()));
    let line = "# padding padding padding padding padding padding padding padding padding\n";
    std::fs::write(&path, line.repeat(50 * 1024 * 1024 / line.len() + 1)).expect("write");
    let o = mlpc(&["check", path.to_str().expect("utf-8 path")]);
    let _ = std::fs::remove_file(&path);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("up to 16777216 bytes"), "{}", stderr(&o));
    assert!(!stderr(&o).contains("panicked"));
}

/// A DAG folder's reader (Airflow's DAG processor) polling while `mlpc build` rewrites
/// a large DAG must only ever see a whole file: the old one or the new one.
#[test]
fn a_reader_polling_the_output_never_sees_half_a_dag() {
    let dir = temp_dir("cli-atomic");
    std::fs::write(dir.join("job.py"), "print(1)\n").unwrap();
    let pipeline = |description: &str| {
        let mut s = format!(
            "pipeline big {{\n  description = \"{description}\"\n  role = \"arn:aws:iam::123456789012:role/R\"\n  artifacts = \"s3://bucket/p\"\n  region = \"us-east-1\"\n  image i = \"123456789012.dkr.ecr.us-east-1.amazonaws.com/i:1\"\n"
        );
        for k in 0..1000 {
            let read = if k == 0 { String::new() } else { format!("    in x = s{}.o\n", k - 1) };
            s.push_str(&format!("  step s{k}: processing {{\n    image = i, instance = \"ml.m5.large\", code = \"job.py\"\n{read}    out o: dataset<csv>\n  }}\n"));
        }
        s + "}\n"
    };
    let (a, b) = (dir.join("a.mlp"), dir.join("b.mlp"));
    std::fs::write(&a, pipeline("first")).unwrap();
    std::fs::write(&b, pipeline("second")).unwrap();
    let expected: Vec<Vec<u8>> = [&a, &b]
        .iter()
        .map(|p| {
            let o = mlpc(&["build", p.to_str().unwrap(), "--target", "airflow", "-o", "-"]);
            assert_eq!(code(&o), 0, "{}", stderr(&o));
            o.stdout
        })
        .collect();
    assert!(expected[0].len() > 1_000_000, "a file large enough to take several writes");
    let out = dir.join("dags/big.py");
    let build = |p: &std::path::Path| {
        let o = mlpc(&["build", p.to_str().unwrap(), "--target", "airflow", "-o", out.to_str().unwrap()]);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
    };
    build(&a);
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let reader = {
        let (done, out, expected) = (done.clone(), out.clone(), expected.clone());
        std::thread::spawn(move || {
            let mut reads = 0;
            while !done.load(std::sync::atomic::Ordering::Relaxed) {
                let seen = std::fs::read(&out).expect("the DAG file is always there");
                assert!(expected.contains(&seen), "read {} bytes: neither the old nor the new DAG", seen.len());
                reads += 1;
            }
            reads
        })
    };
    for _ in 0..3 {
        build(&b);
        build(&a);
    }
    done.store(true, std::sync::atomic::Ordering::Relaxed);
    let reads = reader.join().expect("every read saw a whole DAG");
    assert!(reads > 10, "the reader ran alongside the builds ({reads} reads)");
    let names: Vec<_> = std::fs::read_dir(dir.join("dags")).unwrap().flatten().map(|e| e.file_name()).collect();
    assert_eq!(names.len(), 1, "no temporary file is left behind: {names:?}");
}

#[test]
fn check_takes_the_query_language_its_state_machine_is_built_in() {
    for lang in ["jsonata", "jsonpath"] {
        let o = mlpc(&["check", "examples/churn/churn.mlp", "--target", "stepfunctions", "--query-language", lang]);
        assert_eq!(code(&o), 0, "{lang}: {}", stderr(&o));
    }
    let o = mlpc(&["check", "examples/churn/churn.mlp", "--target", "stepfunctions", "--query-language", "xpath"]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    let bad = "tests/ui/E0502_param_state_stepfunctions.mlp";
    let o = mlpc(&["check", bad, "--target", "stepfunctions", "--query-language", "jsonpath"]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert!(stderr(&o).contains("E0502"), "{}", stderr(&o));
}

/// Runs mlpc with standard output or error going to /dev/full.
fn to_full_device(args: &[&str], stream: &str) -> Output {
    let full = || std::fs::OpenOptions::new().write(true).open("/dev/full").expect("/dev/full");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_mlpc"));
    cmd.args(args).current_dir(common::root()).stdin(Stdio::null());
    match stream {
        "stdout" => cmd.stdout(full()).stderr(Stdio::piped()),
        _ => cmd.stdout(Stdio::piped()).stderr(full()),
    };
    cmd.output().expect("run mlpc")
}

#[test]
fn a_full_device_is_an_io_error_not_a_crash() {
    for args in [&["explain", "E0201"][..], &["explain"], &["graph", "examples/churn/churn.mlp"]] {
        let out = to_full_device(args, "stdout");
        assert_eq!(code(&out), 2, "{args:?}: {}", stderr(&out));
        assert_eq!(stderr(&out).lines().count(), 1, "{args:?}: one line: {}", stderr(&out));
        assert!(stderr(&out).starts_with("error: cannot write to standard output"), "{}", stderr(&out));
    }
    let out = to_full_device(&["build", "examples/churn/churn.mlp", "--target", "airflow", "-o", "-"], "stdout");
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    // Diagnostics that cannot be written: exit 2, no abort.
    let out = to_full_device(&["check", "tests/ui/E0210_unknown_key.mlp"], "stderr");
    assert_eq!(code(&out), 2);
    let out = to_full_device(&["build", "examples/churn/churn.mlp", "--target", "sagemaker", "-o", "-"], "stderr");
    assert_eq!(code(&out), 0, "a build whose stderr is full but prints nothing there succeeds");
}

#[test]
fn a_closed_pipe_ends_the_output_quietly() {
    // Large enough not to fit in a pipe's buffer: the writes meet the closed pipe.
    let mut text = String::from("pipeline wide {\n  artifacts = \"s3://b-ucket/p\"\n");
    for i in 0..3000 {
        text.push_str(&format!(
            "  step s{i}: sql {{\n    engine = athena, query = \"select {i}\"\n    out rows: dataset<parquet>\n  }}\n"
        ));
    }
    text.push_str("}\n");
    let dir = std::env::temp_dir().join(format!("mlpc-pipe-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("wide.mlp");
    std::fs::write(&file, text).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_mlpc"))
        .args(["build", file.to_str().unwrap(), "--target", "airflow", "-o", "-"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn mlpc");
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("mlpc ends");
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(stderr(&out), "", "nothing to say about a reader that stopped reading");
}

#[test]
fn a_diagnostic_on_a_very_long_line_is_shown_without_the_line() {
    let text = format!("pipeline p {{\n  description = \"{}\"  bogus = 1\n}}\n", "x".repeat(70_000));
    let out = run(&["check", "-"], Some(text.as_bytes()), &[]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("E0101(syntax-error)"), "{err}");
    assert!(err.contains("<stdin>:2:70021"), "{err}");
    assert!(err.contains("not shown"), "{err}");
    assert!(err.len() < 1_000, "the line itself is not printed");
}

#[test]
fn files_that_never_end_or_block_are_refused() {
    let out = mlpc(&["check", "/dev/zero"]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(stderr(&out).contains("not a regular file"), "{}", stderr(&out));
    let dir = std::env::temp_dir().join(format!("mlpc-special-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let fifo = dir.join("config.json");
    let _ = std::fs::remove_file(&fifo);
    assert!(Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    let file = dir.join("p.mlp");
    std::fs::write(
        &file,
        "pipeline p {\n  config = \"config.json\"\n  artifacts = \"s3://b-ucket/p\"\n  image i = \"123456789012.dkr.ecr.us-east-1.amazonaws.com/i:1\"\n  role = \"arn:aws:iam::123456789012:role/R\"\n  step s: processing {\n    image = i, instance = \"ml.m5.xlarge\", code = \"/dev/zero\"\n  }\n}\n",
    )
    .unwrap();
    // A named pipe nobody writes to would block forever; /dev/zero would never end.
    let out = mlpc(&["check", file.to_str().unwrap(), "--allow-outside-paths"]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert_eq!(stderr(&out).matches("not a regular file").count(), 2, "{}", stderr(&out));
}

#[test]
fn help_and_version_to_a_full_device_are_io_errors() {
    for args in [&["--help"][..], &["--version"]] {
        assert_eq!(code(&to_full_device(args, "stdout")), 2, "{args:?}");
    }
}

#[test]
fn json_output_names_a_file_that_could_not_be_read() {
    let out = mlpc(&["check", "no/such/file.mlp", "--format", "json"]);
    assert_eq!(code(&out), 2);
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(json[0]["file"], "no/such/file.mlp");
    assert_eq!(json[0]["name"], "io-error");
    assert_eq!(json[0]["severity"], "error");
}

#[test]
fn an_error_storm_is_summarised_in_the_human_format_and_complete_in_json() {
    // A run of one repeated error is one diagnostic that counts them.
    let run_of_one = run(&["check", "-"], Some("]".repeat(10_000).as_bytes()), &[]);
    assert_eq!(code(&run_of_one), 1);
    assert!(stderr(&run_of_one).contains("this and 9999 more like it"), "{}", stderr(&run_of_one));
    assert!(stderr(&run_of_one).ends_with("<stdin>: 1 error\n"), "{}", stderr(&run_of_one));
    // Errors that differ are each kept: the human format shows 100 of them.
    let storm = "])".repeat(5_000);
    let out = run(&["check", "-"], Some(storm.as_bytes()), &[]);
    assert_eq!(code(&out), 1);
    let err = stderr(&out);
    assert!(err.len() < 100_000, "{} bytes of diagnostics", err.len());
    assert!(err.contains("… and 9900 more (the first 100 are shown"), "{}", &err[err.len().saturating_sub(400)..]);
    assert!(err.ends_with("<stdin>: 10000 errors\n"), "the summary counts them all");
    let out = run(&["check", "-", "--format", "json"], Some(storm.as_bytes()), &[]);
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(json.as_array().unwrap().len(), 10_000);
}

#[test]
fn paths_leading_out_of_the_pipeline_folder_are_refused_unless_allowed() {
    let dir = std::env::temp_dir().join(format!("mlpc-outside-{}", std::process::id()));
    let inner = dir.join("pipelines");
    std::fs::create_dir_all(&inner).unwrap();
    std::fs::write(dir.join("secret.py"), "TOKEN = 'x'\n").unwrap();
    let _ = std::fs::remove_file(inner.join("link.py"));
    std::os::unix::fs::symlink(dir.join("secret.py"), inner.join("link.py")).unwrap();
    let step = |name: &str, code: &str| {
        format!("  step {name}: processing {{\n    image = i, instance = \"ml.m5.xlarge\", code = \"{code}\"\n  }}\n")
    };
    let text = format!(
        "pipeline p {{\n  role = \"arn:aws:iam::123456789012:role/R\"\n  artifacts = \"s3://b-ucket/p\"\n  image i = \"123456789012.dkr.ecr.us-east-1.amazonaws.com/i:1\"\n{}{}{}}}\n",
        step("up", "../secret.py"),
        step("absolute", "/etc/passwd"),
        step("linked", "link.py"),
    );
    let file = inner.join("p.mlp");
    std::fs::write(&file, text).unwrap();
    let out = mlpc(&["build", file.to_str().unwrap(), "--target", "airflow", "-o", "-"]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert_eq!(stderr(&out).matches("outside the .mlp file's folder").count(), 3, "{}", stderr(&out));
    assert!(!stdout(&out).contains("TOKEN"), "nothing is embedded");
    let out = mlpc(&["check", file.to_str().unwrap(), "--allow-outside-paths"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
}

#[test]
fn a_build_never_overwrites_an_input_or_a_file_mlpc_did_not_write() {
    let dir = std::env::temp_dir().join(format!("mlpc-lose-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let script = "import sys\nprint(sys.argv)\n";
    std::fs::write(dir.join("featurize.py"), script).unwrap();
    std::fs::write(dir.join("config.json"), r#"{"day": "2026-01-01"}"#).unwrap();
    std::fs::write(dir.join("notes.json"), r#"{"mine": true}"#).unwrap();
    let source = "pipeline featurize {\n  role = \"arn:aws:iam::123456789012:role/R\"\n  artifacts = \"s3://b-ucket/p\"\n  config = \"config.json\"\n  step featurize: processing {\n    image = \"123456789012.dkr.ecr.us-east-1.amazonaws.com/i:1\", instance = \"ml.m5.xlarge\", code = \"featurize.py\"\n    args = [\"${config.day}\"]\n  }\n}\n";
    let mlp = dir.join("featurize.mlp");
    std::fs::write(&mlp, source).unwrap();
    let path = |name: &str| dir.join(name).to_str().unwrap().to_string();
    let build = |target: &str, extra: &[&str]| {
        let mut args = vec!["build".to_string(), path("featurize.mlp"), "--target".to_string(), target.to_string()];
        args.extend(extra.iter().map(|s| s.to_string()));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        mlpc(&args)
    };
    // The default name, featurize.py, is the step's code.
    let out = build("airflow", &[]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(stderr(&out).contains("is the code of step `featurize`"), "{}", stderr(&out));
    assert_eq!(std::fs::read_to_string(dir.join("featurize.py")).unwrap(), script);
    // The source, the config: never, even with --force.
    for (target, target_file, what) in
        [("airflow", "featurize.mlp", "the pipeline's source"), ("sagemaker", "config.json", "the pipeline's config")]
    {
        let out = build(target, &["-o", &path(target_file), "--force"]);
        assert_eq!(code(&out), 2, "{}", stderr(&out));
        assert!(stderr(&out).contains(what), "{}", stderr(&out));
    }
    assert_eq!(std::fs::read_to_string(&mlp).unwrap(), source);
    // A file mlpc did not write: only with --force.
    let out = build("sagemaker", &["-o", &path("notes.json")]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(stderr(&out).contains("pass --force"), "{}", stderr(&out));
    assert_eq!(std::fs::read_to_string(dir.join("notes.json")).unwrap(), r#"{"mine": true}"#);
    assert_eq!(code(&build("sagemaker", &["-o", &path("notes.json"), "--force"])), 0);
    // Its own files it replaces; the default names follow the .mlp file's name.
    for _ in 0..2 {
        let out = build("stepfunctions", &[]);
        assert_eq!(code(&out), 0, "{}", stderr(&out));
        assert!(dir.join("featurize.asl.json").is_file());
    }
}

#[test]
fn terminal_escapes_and_nul_in_a_pipeline_reach_the_terminal_inert() {
    let text = "pipeline p {\n  role = \"arn:aws:iam::123456789012:role/R\"\n  artifacts = \"s3://b-ucket/p\"\n  step s: processing {\n    image = \"123456789012.dkr.ecr.us-east-1.amazonaws.com/i:1\"\n    instance = \"\u{1b}[2J\u{1b}[31mml.m5\u{0}\u{202e}x\"\n    code = \"job.py\"\n  }\n}\n";
    let out = run(&["check", "-"], Some(text.as_bytes()), &[("NO_COLOR", "1")]);
    assert_eq!(code(&out), 1);
    let err = stderr(&out);
    for bad in ['\u{1b}', '\u{0}', '\u{202e}'] {
        assert!(!err.contains(bad), "{bad:?} reached the terminal:\n{err:?}");
    }
    assert!(err.contains("\\u{1b}[2J"), "the message shows the escape, escaped:\n{err}");
}

#[test]
fn a_flag_for_another_target_is_a_usage_error_not_ignored() {
    for (args, flag) in [
        (vec!["build", CLEAN, "--target", "sagemaker", "--query-language", "jsonpath", "-o", "-"], "--query-language"),
        (vec!["build", CLEAN, "--target", "stepfunctions", "--airflow-version", "2", "-o", "-"], "--airflow-version"),
        (vec!["build", CLEAN, "--target", "sagemaker", "--local-mode", "-o", "-"], "--local-mode"),
        (vec!["check", CLEAN, "--query-language", "jsonpath"], "--query-language"),
        (vec!["check", CLEAN, "--target", "airflow", "--query-language", "jsonpath"], "--query-language"),
    ] {
        let o = mlpc(&args);
        assert_eq!(code(&o), 2, "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(&format!("{flag} applies to --target")), "{args:?}: {}", stderr(&o));
        assert!(stdout(&o).is_empty(), "{args:?}: nothing is built");
    }
}

#[test]
fn the_check_hint_repeats_the_build_command_and_tells_missing_from_stale() {
    let dir = temp_dir("cli-check-hint");
    let out = dir.join("my dags/clean.py");
    let path = out.to_str().unwrap();
    let args = ["build", CLEAN, "--target", "airflow", "--airflow-version", "2", "-o", path];
    let missing = mlpc(&[&args[..], &["--check"]].concat());
    assert_eq!(code(&missing), 1);
    let expected = format!("`mlpc build {CLEAN} --target airflow -o '{path}' --airflow-version 2`");
    assert!(stderr(&missing).contains("does not exist"), "{}", stderr(&missing));
    assert!(stderr(&missing).contains(&expected), "{}", stderr(&missing));
    // The printed command, run by a shell, writes what --check wants.
    let command = expected.trim_matches('`').replacen("mlpc", env!("CARGO_BIN_EXE_mlpc"), 1);
    let ran = Command::new("sh").arg("-c").arg(&command).current_dir(common::root()).output().unwrap();
    assert!(ran.status.success(), "{command}: {}", String::from_utf8_lossy(&ran.stderr));
    assert_eq!(code(&mlpc(&[&args[..], &["--check"]].concat())), 0);
    std::fs::write(&out, "# Generated by mlpc, then edited\n").unwrap();
    let stale = mlpc(&[&args[..], &["--check"]].concat());
    assert_eq!(code(&stale), 1);
    assert!(stderr(&stale).contains("is out of date") && stderr(&stale).contains(&expected), "{}", stderr(&stale));
}

#[test]
fn a_config_with_a_byte_order_mark_is_read_and_bad_json_says_how_to_fix_it() {
    let dir = temp_dir("cli-config-bom");
    let pipeline = "pipeline p {\n  config = \"config.json\"\n  param label: string = config.label\n}\n";
    std::fs::write(dir.join("p.mlp"), pipeline).unwrap();
    std::fs::write(dir.join("config.json"), b"\xEF\xBB\xBF{\"label\": \"churned\"}").unwrap();
    let p = dir.join("p.mlp");
    let o = mlpc(&["check", p.to_str().unwrap()]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    std::fs::write(dir.join("config.json"), b"{\"label\": \"churned\",}").unwrap();
    let o = mlpc(&["check", p.to_str().unwrap()]);
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("not valid JSON"), "{}", stderr(&o));
    assert!(stderr(&o).contains("no trailing commas"), "{}", stderr(&o));
    assert!(!stderr(&o).contains("relative to the .mlp"), "the path was found: {}", stderr(&o));
}

#[test]
fn graph_and_check_count_the_same_errors() {
    for file in [BAD, "tests/ui/E0401_dependency_cycle.mlp", "tests/ui/E0102_unclosed_triple_quote_alone.mlp"] {
        let summary = |o: &Output| stderr(o).lines().last().unwrap_or_default().to_string();
        let check = mlpc(&["check", file]);
        let graph = mlpc(&["graph", file]);
        assert_eq!(code(&check), 1, "{file}");
        assert_eq!(code(&graph), 1, "{file}");
        assert_eq!(summary(&graph), summary(&check), "{file}");
        assert!(summary(&check).contains("error"), "{file}: {}", summary(&check));
    }
}

#[test]
fn explain_labels_the_failing_example_and_the_fix() {
    let o = mlpc(&["explain", "E0104"]);
    let text = stdout(&o);
    let failing = text.find("This raises E0104:\n\n```mlp").expect("failing example labelled");
    let fixed = text.find("Fixed:\n\n```mlp").expect("fix labelled");
    assert!(failing < fixed, "{text}");
}

/// `mlpc lsp` ends as the protocol says: 0 after `shutdown` then `exit`, 1 on an `exit`
/// the client did not ask for with `shutdown`, 1 when the client goes away.
#[test]
fn the_language_server_exits_with_the_protocols_codes() {
    let frame = |message: &str| format!("Content-Length: {}\r\n\r\n{message}", message.len());
    let initialize = frame(r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"capabilities":{}}}"#)
        + &frame(r#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#);
    let shutdown = frame(r#"{"jsonrpc":"2.0","id":2,"method":"shutdown"}"#);
    let exit = frame(r#"{"jsonrpc":"2.0","method":"exit"}"#);
    for (input, want) in
        [(format!("{initialize}{shutdown}{exit}"), 0), (format!("{initialize}{exit}"), 1), (initialize.clone(), 1)]
    {
        let out = run(&["lsp"], Some(input.as_bytes()), &[]);
        assert_eq!(code(&out), want, "{}", stderr(&out));
    }
}

/// `mlpc import`: a complete import is exit 0 with the `.mlp` on standard output; one
/// that leaves something out is exit 1 (the `.mlp` still written, the diagnostics on
/// standard error); input that is not a definition is exit 1 with nothing written; a
/// missing source is a usage error (exit 2); a 16 MiB file is refused cleanly.
#[test]
fn import_exit_codes_and_streams() {
    let built = mlpc(&["build", "examples/churn/churn.mlp", "--target", "sagemaker", "-o", "-"]);
    assert_eq!(code(&built), 0, "{}", stderr(&built));
    let complete = run(&["import", "-"], Some(&built.stdout), &[]);
    assert_eq!(code(&complete), 0, "{}", stderr(&complete));
    assert!(stdout(&complete).starts_with("pipeline churn {\n"), "{}", stdout(&complete));
    assert_eq!(stderr(&complete), "");

    let partial = mlpc(&["import", "tests/import/E0602_steps_mlpc_cannot_say.json", "--color", "never"]);
    assert_eq!(code(&partial), 1, "{}", stderr(&partial));
    assert!(stdout(&partial).contains("# mlpc import left out /Steps/1: the Callback step `wait-for-approval`"));
    assert!(stderr(&partial).contains("E0602"), "{}", stderr(&partial));
    assert!(stderr(&partial).contains("5 things left out of the .mlp"), "{}", stderr(&partial));

    let named = mlpc(&["import", "tests/import/E0602_steps_mlpc_cannot_say.json", "--name", "approvals"]);
    assert!(stdout(&named).starts_with("pipeline approvals {"), "{}", stdout(&named));

    let not_json = run(&["import", "-", "--color", "never"], Some(b"pipeline churn {}"), &[]);
    assert_eq!(code(&not_json), 1);
    assert_eq!(stdout(&not_json), "");
    assert!(stderr(&not_json).contains("E0601"), "{}", stderr(&not_json));

    let usage = mlpc(&["import"]);
    assert_eq!(code(&usage), 2, "{}", stderr(&usage));

    let big = vec![b' '; 16 * 1024 * 1024 + 1];
    let too_big = run(&["import", "-"], Some(&big), &[]);
    assert_eq!(code(&too_big), 2, "{}", stderr(&too_big));
    assert!(stderr(&too_big).contains("16 MiB"), "{}", stderr(&too_big));

    // 16 MiB of JSON that is a definition in name only: diagnostics, no panic.
    let mut steps = String::from("{\"Version\": \"2020-12-01\", \"Steps\": [");
    while steps.len() < 15 * 1024 * 1024 {
        steps.push_str("{\"Name\": \"x\", \"Type\": \"Nope\"},");
    }
    steps.push_str("{}]}");
    let huge = run(&["import", "-", "--color", "never"], Some(steps.as_bytes()), &[]);
    assert_eq!(code(&huge), 1, "{}", stderr(&huge).get(..500).unwrap_or_default());
    assert!(!stderr(&huge).contains("panicked"));
}
