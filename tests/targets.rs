//! Snapshots of every generated artifact for the test pipelines in tests/targets/.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use mlpc::targets::airflow::AirflowVersion;
use mlpc::targets::{Target, TargetOptions};

#[test]
fn airflow_dags() {
    insta::glob!("targets/*.mlp", snapshot_airflow);
}

#[test]
fn airflow_dags_of_examples() {
    insta::glob!("../examples", "*/*.mlp", snapshot_airflow);
}

fn snapshot_airflow(path: &std::path::Path) {
    {
        let text = std::fs::read_to_string(path).unwrap();
        let files = common::Dir(path.parent().unwrap().to_path_buf());
        let checked = mlpc::check(&text, &files, &Default::default(), Some(Target::Airflow));
        let Some(ir) = checked.pipeline else {
            let file = mlpc::SourceFile::new("pipeline.mlp".to_string(), text.clone());
            insta::assert_snapshot!(format!("----- diagnostics\n{}", common::render(&file, &checked)));
            return;
        };
        let mut snapshot = String::new();
        for version in [AirflowVersion::V3, AirflowVersion::V2] {
            let options = TargetOptions::Airflow { version, local_mode: false };
            let out = mlpc::targets::build(&ir, &options, "pipeline.mlp").unwrap().output.unwrap();
            snapshot.push_str(&format!(
                "----- airflow{}/{}\n{}",
                if version == AirflowVersion::V3 { 3 } else { 2 },
                out.path,
                out.contents
            ));
        }
        insta::assert_snapshot!(snapshot);
    }
}

#[test]
fn sagemaker_definitions() {
    insta::glob!("targets/*.mlp", snapshot_sagemaker);
}

#[test]
fn sagemaker_definitions_of_examples() {
    insta::glob!("../examples", "*/*.mlp", snapshot_sagemaker);
}

/// The definition, or for a pipeline SageMaker cannot run (a python step, an Athena
/// csv result), the diagnostics that say why.
fn snapshot_sagemaker(path: &std::path::Path) {
    let text = std::fs::read_to_string(path).unwrap();
    let files = common::Dir(path.parent().unwrap().to_path_buf());
    let checked = mlpc::check(&text, &files, &Default::default(), Some(Target::Sagemaker));
    let snapshot = match &checked.pipeline {
        Some(ir) => {
            let out = mlpc::targets::build(ir, &TargetOptions::Sagemaker, "").unwrap().output.unwrap();
            format!("----- sagemaker/{}\n{}", out.path, out.contents)
        }
        None => {
            let file = mlpc::SourceFile::new("pipeline.mlp".to_string(), text.clone());
            format!("----- diagnostics\n{}", common::render(&file, &checked))
        }
    };
    insta::assert_snapshot!(snapshot);
}

#[test]
fn stepfunctions_machines() {
    insta::glob!("targets/*.mlp", snapshot_stepfunctions);
}

#[test]
fn stepfunctions_machines_of_examples() {
    insta::glob!("../examples", "*/*.mlp", snapshot_stepfunctions);
}

/// The machine in both query languages, or the diagnostics that say why there is none.
fn snapshot_stepfunctions(path: &std::path::Path) {
    use mlpc::targets::stepfunctions::QueryLanguage;
    let text = std::fs::read_to_string(path).unwrap();
    let files = common::Dir(path.parent().unwrap().to_path_buf());
    let checked = mlpc::check(&text, &files, &Default::default(), Some(Target::StepFunctions));
    let mut snapshot = String::new();
    match &checked.pipeline {
        Some(ir) => {
            for (lang, name) in [(QueryLanguage::Jsonata, "jsonata"), (QueryLanguage::Jsonpath, "jsonpath")] {
                let options = TargetOptions::StepFunctions { query_language: lang };
                let out = mlpc::targets::build(ir, &options, "").unwrap().output.unwrap();
                snapshot.push_str(&format!("----- stepfunctions-{name}/{}\n{}", out.path, out.contents));
            }
        }
        None => {
            let file = mlpc::SourceFile::new("pipeline.mlp".to_string(), text.clone());
            snapshot.push_str(&format!("----- diagnostics\n{}", common::render(&file, &checked)));
        }
    }
    insta::assert_snapshot!(snapshot);
}

/// Config numbers keep one spelling on every target (tests/targets/config_numbers.mlp):
/// the hyperparameters of the training request are the same text everywhere, and what
/// a user wrote survives (an integer past 2^53 keeps its last digit).
#[test]
fn config_numbers_have_one_spelling_on_every_target() {
    use mlpc::targets::stepfunctions::QueryLanguage;
    let path = common::root().join("tests/targets/config_numbers.mlp");
    let text = std::fs::read_to_string(&path).unwrap();
    let files = common::Dir(path.parent().unwrap().to_path_buf());
    let checked = mlpc::check(&text, &files, &Default::default(), None);
    let ir = checked.pipeline.expect("checks clean");
    let expected = [
        ("negative_zero", "0"),
        ("exponent", "100.0"),
        ("float_zero", "0.0"),
        ("past_2_53", "9007199254740993"),
        ("tenth", "0.1"),
        ("small", "1e-07"),
        ("in_text", "9007199254740993/100.0"),
    ];
    let options = [
        TargetOptions::Airflow { version: AirflowVersion::V3, local_mode: false },
        TargetOptions::Sagemaker,
        TargetOptions::StepFunctions { query_language: QueryLanguage::Jsonpath },
        TargetOptions::StepFunctions { query_language: QueryLanguage::Jsonata },
    ];
    for option in &options {
        let out = mlpc::targets::build(&ir, option, "pipeline.mlp").unwrap().output.unwrap();
        for (name, value) in expected {
            let line = format!("\"{name}\": \"{value}\"");
            assert!(out.contents.contains(&line), "{option:?}: no {line} in\n{}", out.contents);
        }
    }
}
