//! Code folders run as shipped: the archive mlpc packs, unpacked by the processing
//! entrypoint it generates (run here by `/bin/sh`, in a temporary folder standing for
//! `/opt/ml/processing/input`) and by the python steps' runner; and the script that moves
//! a sql step's result on SageMaker. The Python of the SageMaker SDK's venv
//! (scripts/setup-python) stands for the image's.
// mlpc-test: end-to-end (the Python venv from scripts/setup-python)

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use mlpc::ir::{CodeFile, StepKind};
use mlpc::targets::{Target, TargetOptions};

const INPUT_DIR: &str = "/opt/ml/processing/input";

fn venv_bin() -> PathBuf {
    let bin = common::root().join("target/py/sagemaker2/bin");
    assert!(bin.join("python3").exists(), "{} is missing: run scripts/setup-python", bin.display());
    bin
}

fn pipeline(name: &str) -> (mlpc::ir::Pipeline, serde_json::Value) {
    let path = common::root().join(format!("tests/targets/{name}.mlp"));
    let text = std::fs::read_to_string(&path).unwrap();
    let files = common::Dir(path.parent().unwrap().to_path_buf());
    let checked = mlpc::check(&text, &files, &Default::default(), Some(Target::Sagemaker));
    let ir = checked.pipeline.expect("script_mode checks");
    let json = mlpc::targets::build(&ir, &TargetOptions::Sagemaker, "").unwrap().output.unwrap().contents;
    (ir, serde_json::from_str(&json).unwrap())
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mlpc-code-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn put(dir: &Path, input: &str, file: &CodeFile) {
    std::fs::create_dir_all(dir.join(input)).unwrap();
    std::fs::write(dir.join(input).join(&file.file_name), &file.contents[..]).unwrap();
}

fn step<'a>(def: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    def["Steps"].as_array().unwrap().iter().find(|s| s["Name"] == name).unwrap()
}

#[test]
fn a_processing_job_unpacks_its_folder_and_runs_the_entry_with_its_arguments() {
    let (ir, def) = pipeline("script_mode");
    let StepKind::Processing(job) = &ir.steps.iter().find(|s| s.name.node == "features").unwrap().kind else {
        panic!("features is a processing step")
    };
    let dir = temp_dir("processing");
    put(&dir, "code", &job.code);
    let args = &step(&def, "features")["Arguments"]["AppSpecification"];
    let here = dir.to_str().unwrap();
    let mut argv: Vec<String> = args["ContainerEntrypoint"]
        .as_array()
        .unwrap()
        .iter()
        .chain(args["ContainerArguments"].as_array().unwrap())
        .map(|a| a.as_str().unwrap().to_string())
        .collect();
    // The job's command, with the temporary folder for the container's input folder.
    assert_eq!(argv[2].matches(INPUT_DIR).count(), 1, "{argv:?}");
    for a in &mut argv {
        *a = a.replace(INPUT_DIR, here);
    }
    let path = format!("{}:{}", venv_bin().display(), std::env::var("PATH").unwrap_or_default());
    let out = Command::new(&argv[0]).args(&argv[1..]).env("PATH", path).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(stdout, "features --label churn\n");
    assert!(dir.join("code/model/forest.py").is_file(), "the folder is unpacked in place");
}

#[test]
fn the_python_runner_imports_the_callable_from_a_code_folder() {
    let (ir, def) = pipeline("python_folder");
    let StepKind::Python(py) = &ir.steps.iter().find(|s| s.name.node == "check").unwrap().kind else {
        panic!("check is a python step")
    };
    let job = py.job.as_ref().unwrap();
    let dir = temp_dir("runner");
    put(&dir, "mlpc_runner", &job.runner);
    put(&dir, "code", job.code.as_ref().unwrap());
    let args: Vec<String> = step(&def, "check")["Arguments"]["AppSpecification"]["ContainerArguments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().expect("literal arguments").to_string())
        .collect();
    let out = Command::new(venv_bin().join("python3"))
        .arg(dir.join("mlpc_runner/mlpc_runner.py"))
        .args(&args)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(stdout, "checked 0.5 s3://acme-ml/train/\n");
}

#[test]
fn the_longest_entry_fits_a_processing_entrypoint_item() {
    let entry = format!("{}.py", "a".repeat(97));
    let file = CodeFile {
        path: "src/".into(),
        file_name: mlpc::ir::SOURCEDIR.into(),
        sha256: String::new(),
        size: 0,
        contents: Vec::new().into(),
        packed: Some(mlpc::ir::Packed { files: vec![entry.clone()].into(), entry: Some(entry) }),
        s3_uri: None,
        span: Default::default(),
    };
    // SageMaker takes at most 256 characters per ContainerEntrypoint item.
    assert!(mlpc::targets::requests::entrypoint(&file).iter().all(|item| item.len() <= 256));
}

#[test]
fn the_sql_script_turns_athena_textfile_into_csv_and_copies_the_rest() {
    let script = common::root().join("crates/mlpc-core/templates/python/mlpc_sql.py");
    let dir = temp_dir("sql");
    let query = dir.join("query");
    std::fs::create_dir_all(query.join("part")).unwrap();
    // Athena's TEXTFILE: \x01 between fields, \N for NULL; a field with a comma and a quote.
    std::fs::write(query.join("part/0001"), "1\x01a, \"b\"\x01\\N\n2\x01c\x010.5\n").unwrap();
    let gzip = Command::new("gzip").arg("-c").arg(query.join("part/0001")).output().unwrap();
    std::fs::write(query.join("0002.gz"), gzip.stdout).unwrap();
    let run = |mode: &str, out: &str| {
        let out = Command::new(venv_bin().join("python3"))
            .arg(&script)
            .args([mode, query.to_str().unwrap(), dir.join(out).to_str().unwrap()])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    };
    run("textfile-to-csv", "csv");
    let want = "1,\"a, \"\"b\"\"\",\n2,c,0.5\n";
    assert_eq!(std::fs::read_to_string(dir.join("csv/part/0001.csv")).unwrap(), want);
    assert_eq!(std::fs::read_to_string(dir.join("csv/0002.csv")).unwrap(), want, "gzip is read too");
    run("copy", "copy");
    assert_eq!(std::fs::read(dir.join("copy/part/0001")).unwrap(), std::fs::read(query.join("part/0001")).unwrap());
}
