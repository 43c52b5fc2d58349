// mlpc-test: end-to-end
//! `mlpc check --format sarif` against the OASIS SARIF 2.1.0 JSON schema (fetched by
//! scripts/setup-tools, validated with Python's jsonschema from the SageMaker venv of
//! scripts/setup-python), and what GitHub code scanning reads from it: rules with
//! their explanation as help, one result per diagnostic at the same place as
//! `--format json` gives, related locations, and unreadable files reported.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use std::process::Command;

use serde_json::Value;

const FILES: [&str; 4] = [
    "tests/ui/multi/three_mistakes.mlp",
    "tests/ui/E0401_dependency_cycle.mlp",
    "tests/ui/W0202_unused_param.mlp",
    "examples/churn/churn.mlp",
];

fn check(format: &str, extra: &[&str]) -> (Option<i32>, Value) {
    let out = Command::new(env!("CARGO_BIN_EXE_mlpc"))
        .args(["check", "--format", format])
        .args(FILES)
        .args(extra)
        .current_dir(common::root())
        .output()
        .unwrap();
    let value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)));
    (out.status.code(), value)
}

fn validate(log: &Value) {
    let root = common::root();
    let schema = root.join("target/schemas/sarif-schema-2.1.0.json");
    assert!(schema.is_file(), "run scripts/setup-tools: {} is missing", schema.display());
    let python = root.join("target/py/sagemaker2/bin/python");
    assert!(python.is_file(), "run scripts/setup-python: {} is missing", python.display());
    // One folder per call: the tests run in parallel.
    static CALLS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let call = CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("mlpc-sarif-{}-{call}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("log.sarif");
    std::fs::write(&path, serde_json::to_vec(log).unwrap()).unwrap();
    let program = "import json, sys, jsonschema\nschema = json.load(open(sys.argv[1]))\nlog = json.load(open(sys.argv[2]))\nerrors = sorted(jsonschema.Draft7Validator(schema).iter_errors(log), key=str)\nfor e in errors: print(list(e.absolute_path), e.message)\nsys.exit(1 if errors else 0)\n";
    let out = Command::new(python).args(["-c", program]).arg(&schema).arg(&path).output().unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        out.status.success(),
        "not valid SARIF 2.1.0:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn check_writes_sarif_that_the_schema_and_code_scanning_accept() {
    let (status, log) = check("sarif", &[]);
    assert_eq!(status, Some(1), "the files have errors");
    validate(&log);
    let (_, json) = check("json", &[]);
    let diagnostics = json.as_array().unwrap();

    let run = &log["runs"][0];
    assert_eq!(log["version"], "2.1.0");
    assert_eq!(run["tool"]["driver"]["name"], "mlpc");
    assert_eq!(run["invocations"][0]["executionSuccessful"], true);
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), diagnostics.len(), "one result per diagnostic");
    assert!(results.len() >= 5);
    for (result, diagnostic) in results.iter().zip(diagnostics) {
        let rule = &rules[result["ruleIndex"].as_u64().unwrap() as usize];
        assert_eq!(rule["id"], result["ruleId"]);
        assert_eq!(result["ruleId"], diagnostic["code"]);
        assert_eq!(result["level"], diagnostic["severity"]);
        let code = mlpc::Code::ALL.iter().find(|c| c.as_str() == diagnostic["code"]).unwrap();
        assert!(code.explanation().contains(rule["help"]["markdown"].as_str().unwrap()));
        assert_eq!(rule["name"], code.name());
        let location = &result["locations"][0]["physicalLocation"];
        assert_eq!(location["artifactLocation"]["uri"], diagnostic["file"]);
        assert_eq!(location["region"]["startLine"], diagnostic["line"]);
        assert_eq!(location["region"]["startColumn"], diagnostic["column"]);
        assert!(result["message"]["text"].as_str().unwrap().starts_with(diagnostic["message"].as_str().unwrap()));
    }
    let cycle = results.iter().find(|r| r["ruleId"] == "E0401").expect("the cycle");
    assert!(!cycle["relatedLocations"].as_array().unwrap().is_empty(), "the rest of the cycle is related");
    assert!(results.iter().any(|r| r["level"] == "warning"), "W0202 is a warning");
}

#[test]
fn an_unreadable_file_is_a_failed_invocation() {
    let (status, log) = check("sarif", &["tests/ui/no such file.mlp"]);
    assert_eq!(status, Some(2));
    validate(&log);
    let invocation = &log["runs"][0]["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], false);
    let notification = &invocation["toolExecutionNotifications"][0];
    assert_eq!(
        notification["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "tests/ui/no%20such%20file.mlp"
    );
    assert!(notification["message"]["text"].as_str().unwrap().contains("cannot read"));
}
