//! `mlpc build` lowers a pipeline into the target's tree once, and the target's checks
//! judge that tree: what they pass is what is written.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use mlpc::targets::airflow::AirflowVersion;
use mlpc::targets::stepfunctions::QueryLanguage;
use mlpc::{CheckOptions, Code, Target, TargetOptions};

fn every_target() -> Vec<TargetOptions> {
    vec![
        TargetOptions::Airflow { version: AirflowVersion::V3, local_mode: false },
        TargetOptions::Airflow { version: AirflowVersion::V2, local_mode: true },
        TargetOptions::Sagemaker,
        TargetOptions::StepFunctions { query_language: QueryLanguage::Jsonata },
        TargetOptions::StepFunctions { query_language: QueryLanguage::Jsonpath },
    ]
}

/// A pipeline of the repository, and the folder its files are read from.
fn read(path: &str) -> (String, common::Dir) {
    let path = common::root().join(path);
    (std::fs::read_to_string(&path).unwrap(), common::Dir(path.parent().unwrap().to_path_buf()))
}

#[test]
fn a_build_lowers_the_pipeline_exactly_once() {
    let (text, files) = read("examples/churn/churn.mlp");
    for options in every_target() {
        let before = mlpc::targets::lowerings();
        let checked = mlpc::compile(&text, &files, &CheckOptions::default(), Some(&options), "churn.mlp");
        assert!(checked.output.is_some(), "{options:?}: {:?}", checked.diagnostics);
        assert_eq!(mlpc::targets::lowerings() - before, 1, "{options:?}");
    }
    // Checking alone builds too (its checks are the build's), once.
    let before = mlpc::targets::lowerings();
    let checked = mlpc::check(&text, &files, &CheckOptions::default(), Some(Target::StepFunctions));
    assert!(checked.output.is_none() && !checked.has_errors());
    assert_eq!(mlpc::targets::lowerings() - before, 1);
}

#[test]
fn sagemaker_accepts_step_names_whose_job_names_would_collide_elsewhere() {
    // SageMaker Pipelines names its jobs itself: only Airflow and Step Functions, which
    // name them, refuse these steps (tests/ui/E0502_job_names_*.mlp).
    let (text, files) = read("tests/ui/E0502_job_names_stepfunctions.mlp");
    let checked =
        mlpc::compile(&text, &files, &CheckOptions::default(), Some(&TargetOptions::Sagemaker), "finbert.mlp");
    assert!(checked.diagnostics.is_empty(), "{:?}", checked.diagnostics);
    let definition: serde_json::Value = serde_json::from_str(&checked.output.unwrap().contents).unwrap();
    let names: Vec<&str> =
        definition["Steps"].as_array().unwrap().iter().map(|s| s["Name"].as_str().unwrap()).collect();
    assert_eq!(names, ["HFSECPegasusSummarizer_1", "HFSECPegasusSummarizer_2"]);
    for target in [Target::Airflow, Target::StepFunctions] {
        let checked = mlpc::check(&text, &files, &CheckOptions::default(), Some(target));
        let codes: Vec<Code> = checked.diagnostics.iter().map(|d| d.code).collect();
        assert_eq!(codes, [Code::NameTooLong], "{target:?}: one diagnostic for one collision");
    }
}

#[test]
fn every_state_name_of_a_built_machine_is_checked() {
    // A 70-character parameter name makes the 88-character state `Invalid parameter …`.
    let (text, files) = read("tests/ui/E0502_param_state_stepfunctions.mlp");
    for query_language in [QueryLanguage::Jsonata, QueryLanguage::Jsonpath] {
        let options = TargetOptions::StepFunctions { query_language };
        let checked = mlpc::compile(&text, &files, &CheckOptions::default(), Some(&options), "long.mlp");
        let codes: Vec<Code> = checked.diagnostics.iter().map(|d| d.code).collect();
        assert_eq!(codes, [Code::NameTooLong], "{query_language:?}");
        assert!(checked.output.is_none());
    }
    // The same parameter with a 62-character name fits exactly (18 + 62 = 80).
    let short = text.replace(&"p".repeat(70), &"p".repeat(62));
    let options = TargetOptions::StepFunctions { query_language: QueryLanguage::Jsonata };
    let checked = mlpc::compile(&short, &files, &CheckOptions::default(), Some(&options), "long.mlp");
    assert!(checked.diagnostics.is_empty(), "{:?}", checked.diagnostics);
    assert!(checked.output.unwrap().contents.contains(&format!("\"Invalid parameter {}\"", "p".repeat(62))));
}

#[test]
fn a_target_that_does_not_lower_conditions_yet_says_so_and_writes_nothing() {
    let (text, files) = read("tests/targets/gates.mlp");
    for options in every_target() {
        let target = options.target();
        let checked = mlpc::compile(&text, &files, &CheckOptions::default(), Some(&options), "gates.mlp");
        let refused = checked.diagnostics.iter().any(|d| d.code == Code::UnsupportedStepKind);
        let lowers = mlpc::kinds::Kind::Condition.runs_on(target) && mlpc::kinds::Kind::Fail.runs_on(target);
        assert_eq!(refused, !lowers, "{options:?}: {:?}", checked.diagnostics);
        assert_eq!(checked.output.is_some(), lowers, "{options:?}");
    }
}
