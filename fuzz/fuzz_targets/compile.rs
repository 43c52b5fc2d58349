//! Fuzz target: parse → check → emit for every target never panics, a pipeline that
//! checks clean always emits, and the JSON targets' output always parses.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mlpc::targets::stepfunctions::QueryLanguage;
use mlpc::targets::{Target, TargetOptions};
use mlpc::MemoryFiles;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let files = MemoryFiles::default()
        .with("code/job.py", "print(1)\n")
        .with("code/preprocessing.py", "print(1)\n")
        .with("code/featurize.py", "print(1)\n")
        .with("code/split.py", "print(1)\n")
        .with("config.json", r#"{"label_column": "label", "split": {"train_end": "2021-12"}, "redshift": {"database": "dw"}}"#);
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
                    None => panic!("a pipeline that checks clean built nothing for {target:?}: {:?}", outcome.diagnostics),
                },
                Err(e) => panic!("a pipeline that checks clean failed to build for {target:?}: {e:?}"),
            };
            if target != Target::Airflow {
                assert!(serde_json::from_str::<serde_json::Value>(&out.contents).is_ok(), "invalid JSON for {target:?}");
            }
        }
    }
});
