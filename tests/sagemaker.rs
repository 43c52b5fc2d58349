//! The SageMaker target proven outside mlpc: every example and test pipeline that
//! SageMaker can run is built, validated against AWS's published pipeline schema
//! (documented gaps excepted) and against the API model of each step's request
//! (botocore's), and compared, fact by fact, with what the official SageMaker Python
//! SDK generates for the same pipelines (tests/sagemaker/oracle.py, facts.py).
//!
//! The Python environment comes from `scripts/setup-python`; this test fails, not
//! skips, when it is missing.
// mlpc-test: end-to-end (real consumers from scripts/setup-python and scripts/setup-node)

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use mlpc::targets::{Target, TargetOptions};

fn python() -> PathBuf {
    let path = common::root().join("target/py/sagemaker2/bin/python");
    assert!(path.exists(), "{} is missing: run scripts/setup-python", path.display());
    path
}

fn schema() -> PathBuf {
    let path = common::root().join("../shared/schemas/sagemaker-pipeline/pipeline-definition.schema.json");
    assert!(path.exists(), "{} is missing", path.display());
    path
}

/// Builds `path` for SageMaker; `None` when the checker refuses it for this target.
fn build(path: &Path) -> Option<String> {
    let text = std::fs::read_to_string(path).unwrap();
    let files = common::Dir(path.parent().unwrap().to_path_buf());
    let checked = mlpc::check(&text, &files, &Default::default(), Some(Target::Sagemaker));
    let ir = checked.pipeline?;
    Some(mlpc::targets::build(&ir, &TargetOptions::Sagemaker, "").unwrap().output.unwrap().contents)
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mlpc-sagemaker-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn validate(files: &[PathBuf]) -> std::process::Output {
    Command::new(python())
        .arg(common::root().join("tests/sagemaker/validate.py"))
        .arg(schema())
        .args(files)
        .output()
        .unwrap()
}

#[test]
fn definitions_are_valid_for_the_schema_and_the_api_model() {
    let dir = temp_dir("valid");
    let mut files = Vec::new();
    for path in common::pipelines() {
        if let Some(json) = build(&path) {
            let file = dir.join(format!("{}.json", path.file_stem().unwrap().to_string_lossy()));
            std::fs::write(&file, json).unwrap();
            files.push(file);
        }
    }
    assert!(files.len() >= 6, "too few pipelines build for SageMaker: {files:?}");
    let out = validate(&files);
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{report}{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(report.matches(": valid (").count(), files.len(), "{report}");
}

fn step_named<'a>(def: &'a mut serde_json::Value, name: &str) -> &'a mut serde_json::Value {
    def["Steps"].as_array_mut().unwrap().iter_mut().find(|s| s["Name"] == name).unwrap()
}

#[test]
fn the_validator_rejects_a_broken_definition() {
    let json = build(&common::root().join("examples/churn/churn.mlp")).unwrap();
    let mut def: serde_json::Value = serde_json::from_str(&json).unwrap();
    step_named(&mut def, "split")["Arguments"].as_object_mut().unwrap().remove("RoleArn");
    step_named(&mut def, "train")["Arguments"]["ResourceConfig"]["InstanceCount"] = serde_json::json!("2");
    let file = temp_dir("broken").join("broken.json");
    std::fs::write(&file, def.to_string()).unwrap();
    let out = validate(&[file]);
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(!out.status.success(), "{report}");
    assert!(report.contains("\"RoleArn\""), "{report}");
    assert!(report.contains("InstanceCount"), "{report}");
}

/// A RegisterModel step with an approval CreateModelPackage does not take, and one
/// without its group, is refused.
#[test]
fn the_validator_rejects_a_broken_register_step() {
    let json = build(&common::root().join("examples/abalone/abalone.mlp")).unwrap();
    for (field, value, expected) in [
        ("ModelApprovalStatus", serde_json::json!("Approve"), "ModelApprovalStatus must be one of"),
        ("InferenceSpecification", serde_json::json!({ "Containers": [{ "Image": 7 }] }), "Image"),
    ] {
        let mut def: serde_json::Value = serde_json::from_str(&json).unwrap();
        let condition = step_named(&mut def, "mse_ok");
        let steps = condition["Arguments"]["IfSteps"].as_array_mut().unwrap();
        let register = steps.iter_mut().find(|s| s["Type"] == "RegisterModel").unwrap();
        register["Arguments"][field] = value;
        let file = temp_dir("broken-register").join(format!("{field}.json"));
        std::fs::write(&file, def.to_string()).unwrap();
        let out = validate(&[file]);
        let report = String::from_utf8_lossy(&out.stdout);
        assert!(!out.status.success(), "{field}: {report}");
        assert!(report.contains(expected), "{field}: {report}");
    }
}

#[test]
fn builds_are_byte_identical() {
    for path in common::pipelines() {
        assert_eq!(build(&path), build(&path), "{}", path.display());
    }
}

/// The S3 URIs of tests/targets/script_mode.mlp's code archives by `code` path, for the
/// oracle: the SDK names a `source_dir` in S3 as given, and the key is mlpc's choice.
fn sourcedirs() -> String {
    let path = common::root().join("tests/targets/script_mode.mlp");
    let text = std::fs::read_to_string(&path).unwrap();
    let files = common::Dir(path.parent().unwrap().to_path_buf());
    let ir = mlpc::check(&text, &files, &Default::default(), None).pipeline.unwrap();
    let uris: serde_json::Map<String, serde_json::Value> = ir
        .shipped_files()
        .into_iter()
        .map(|f| (f.path.clone(), mlpc::targets::requests::code_uri(&ir, f).into()))
        .collect();
    serde_json::Value::Object(uris).to_string()
}

/// Runs `facts.py compare` over (example, definition file) pairs.
fn compare_with_sdk(pairs: &[(&str, PathBuf)]) -> std::process::Output {
    let mut cmd = Command::new(python());
    cmd.arg("facts.py").arg("compare").current_dir(common::root().join("tests/sagemaker"));
    cmd.env("MLPC_SOURCEDIRS", sourcedirs());
    for (name, file) in pairs {
        cmd.arg(name).arg(file);
    }
    cmd.output().unwrap()
}

#[test]
fn definitions_mean_what_the_official_sdk_generates() {
    let dir = temp_dir("oracle");
    let mut pairs = Vec::new();
    let examples = ["churn", "athena_features", "redshift_xgboost", "abalone_batch", "abalone", "judged", "tuned"]
        .map(|n| (n, format!("examples/{n}")));
    let tests = ["script_mode", "gates", "container_paths"].map(|n| (n, "tests/targets".to_string()));
    for (name, folder) in examples.into_iter().chain(tests) {
        let json = build(&common::root().join(format!("{folder}/{name}.mlp"))).unwrap();
        let file = dir.join(format!("{name}.json"));
        std::fs::write(&file, json).unwrap();
        pairs.push((name, file));
    }
    let out = compare_with_sdk(&pairs);
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{report}{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(report.matches("same facts:").count(), 10, "{report}");
}

#[test]
fn the_sdk_comparison_notices_a_changed_edge_and_hyperparameter() {
    let json = build(&common::root().join("examples/churn/churn.mlp")).unwrap();
    let mut def: serde_json::Value = serde_json::from_str(&json).unwrap();
    let train = &mut step_named(&mut def, "train")["Arguments"];
    train["InputDataConfig"][1]["DataSource"]["S3DataSource"]["S3Uri"] =
        serde_json::json!({"Get": "Steps.split.ProcessingOutputConfig.Outputs['train'].S3Output.S3Uri"});
    train["HyperParameters"]["objective"] = serde_json::json!("reg:squarederror");
    let file = temp_dir("oracle-broken").join("churn.json");
    std::fs::write(&file, def.to_string()).unwrap();
    let out = compare_with_sdk(&[("churn", file)]);
    let report = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{report}{}", String::from_utf8_lossy(&out.stderr));
    assert!(report.contains("reg:squarederror"), "{report}");
    assert!(report.contains("Outputs['train']"), "{report}");
}

/// `mlpc import` on definitions the official SDK writes (tests/sagemaker/oracle.py):
/// each imports with nothing left out, checks clean without any local file, builds to
/// a definition with the same facts as the SDK's, and to a DAG that real Airflow 3
/// imports.
#[test]
fn sdk_definitions_import_and_build_back_to_the_same_facts() {
    let names = [
        "churn",
        "athena_features",
        "redshift_xgboost",
        "abalone_batch",
        "abalone",
        "judged",
        "tuned",
        "script_mode",
        "gates",
        "cached",
        "container_paths",
    ];
    let sdk = temp_dir("import-sdk");
    let out = Command::new(python())
        .arg("oracle.py")
        .arg("--dir")
        .arg(&sdk)
        .args(names)
        .current_dir(common::root().join("tests/sagemaker"))
        .env("MLPC_SOURCEDIRS", sourcedirs())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let built = temp_dir("import-built");
    let no_files = common::Dir(built.join("no-files"));
    let mut pairs = Vec::new();
    let mut dags = Vec::new();
    for name in names {
        let json = std::fs::read_to_string(sdk.join(format!("{name}.json"))).unwrap();
        let imported = mlpc::import::import(&json, None, name);
        let errors: Vec<String> = imported
            .diagnostics
            .iter()
            .filter(|d| d.severity == mlpc::Severity::Error)
            .map(|d| format!("{}: {}", d.code.as_str(), d.message))
            .collect();
        assert!(errors.is_empty(), "{name}: {errors:#?}");
        let mlp = imported.mlp.unwrap();
        std::fs::write(built.join(format!("{name}.mlp")), &mlp).unwrap();
        let checked = mlpc::check(&mlp, &no_files, &Default::default(), Some(Target::Sagemaker));
        let diagnostics: Vec<String> =
            checked.diagnostics.iter().map(|d| format!("{}: {}", d.code.as_str(), d.message)).collect();
        assert!(diagnostics.is_empty(), "{name}: the import does not check clean: {diagnostics:#?}\n{mlp}");
        let ir = checked.pipeline.unwrap();
        let definition = mlpc::targets::build(&ir, &TargetOptions::Sagemaker, "").unwrap().output.unwrap();
        let file = built.join(format!("{name}.json"));
        std::fs::write(&file, definition.contents).unwrap();
        pairs.push((name, file));
        let options = TargetOptions::Airflow { version: mlpc::targets::airflow::AirflowVersion::V3, local_mode: false };
        let airflow = mlpc::check(&mlp, &no_files, &Default::default(), Some(Target::Airflow));
        let ir = airflow.pipeline.unwrap_or_else(|| panic!("{name}: not for Airflow: {:#?}", airflow.diagnostics));
        let dag = built.join(format!("{name}.py"));
        std::fs::write(&dag, mlpc::targets::build(&ir, &options, "").unwrap().output.unwrap().contents).unwrap();
        dags.push(dag);
    }
    let out = compare_with_sdk(&pairs);
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{report}{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(report.matches("same facts:").count(), names.len(), "{report}");

    // Every import is a DAG that Airflow 3 imports.
    let airflow = common::root().join("target/py/airflow3/bin/python");
    let report_path = built.join("dags.json");
    let out = Command::new(airflow)
        .arg(common::root().join("tests/airflow/check_dags.py"))
        .arg(&report_path)
        .args(&dags)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let dag_report: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&report_path).unwrap()).unwrap();
    for dag in &dags {
        let rep = &dag_report[dag.display().to_string()];
        assert_eq!(rep["import_errors"], serde_json::json!({}), "{}", dag.display());
        assert_eq!(rep["dags"].as_object().map(|d| d.len()), Some(1), "{}", dag.display());
    }
}
