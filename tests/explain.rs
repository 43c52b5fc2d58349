//! Every example in `mlpc explain`: the first ```mlp block of a code's explanation shows
//! the mistake and must raise that code; every later block is a fix and must not.
//! Code and config files the examples name exist, except a path on a line that says
//! `# the file is <another path>` (E0208, E0212); E0108's example is saved as
//! Windows-1252, as its comment says.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use mlpc::{CheckOptions, Code, Files, Target};

/// The files an example may name: every code file and JSON config, except the paths
/// its text says are not there.
struct ExampleFiles {
    missing: Vec<String>,
}

impl ExampleFiles {
    fn of(block: &str) -> ExampleFiles {
        let missing = block
            .lines()
            .filter(|l| l.contains("# the file is"))
            .filter_map(|l| l.split('"').nth(1))
            .map(str::to_string)
            .collect();
        ExampleFiles { missing }
    }
}

impl Files for ExampleFiles {
    fn read(&self, path: &str) -> Result<Vec<u8>, String> {
        if self.missing.iter().any(|m| m == path) {
            return Err("no such file".into());
        }
        if path.ends_with(".json") {
            return Ok(br#"{"label_column": "label", "split": {"train_end": "2021-12"}, "steps": {"data-source": {"label_column": "y"}}}"#.to_vec());
        }
        if path.ends_with(".py") || path.ends_with(".sh") {
            return Ok(b"print(1)\n".to_vec());
        }
        Err("no such file".into())
    }

    fn list(&self, _folder: &str) -> Result<Vec<String>, String> {
        Err("no such file".into())
    }
}

fn blocks(text: &str) -> Vec<&str> {
    text.split("```mlp\n").skip(1).filter_map(|rest| rest.split("\n```").next()).collect()
}

/// The codes a block raises without a target and with each target, and the options
/// it needs (W0301 is only a warning with `allow_unknown_instance_types`).
fn raised(block: &str, code: Code) -> Vec<(Option<Target>, Vec<Code>)> {
    let options = CheckOptions { allow_unknown_instance_types: code == Code::UnrecognisedInstanceType };
    let mut out = Vec::new();
    for target in [None, Some(Target::Airflow), Some(Target::Sagemaker), Some(Target::StepFunctions)] {
        let checked = mlpc::check(block, &ExampleFiles::of(block), &options, target);
        out.push((target, checked.diagnostics.iter().map(|d| d.code).collect()));
    }
    out
}

#[test]
fn every_explanation_example_raises_its_code_and_every_fix_does_not() {
    let mut problems = Vec::new();
    for code in Code::ALL {
        // `mlpc import`'s codes are about definitions: their examples are JSON.
        if code.as_str()[1..].starts_with("06") {
            let examples: Vec<&str> =
                code.explanation().split("```json\n").skip(1).filter_map(|rest| rest.split("\n```").next()).collect();
            let raises =
                |json: &str| mlpc::import::import(json, None, "example").diagnostics.iter().any(|d| d.code == *code);
            match examples.split_first() {
                Some((failing, fixes)) if raises(failing) && !fixes.is_empty() && !fixes.iter().any(|f| raises(f)) => {}
                _ => problems.push(format!("{code}: the first JSON example must raise it, and the others not")),
            }
            continue;
        }
        let examples = blocks(code.explanation());
        let Some((failing, fixes)) = examples.split_first() else {
            problems.push(format!("{code}: no example"));
            continue;
        };
        if *code == Code::InvalidUtf8 {
            // Saved as its comment says: every character below U+0100 as one byte.
            let bytes: Vec<u8> = failing.chars().map(|c| u8::try_from(u32::from(c)).unwrap()).collect();
            let raised = mlpc::decode_source(bytes).err().map(|e| e.1.code);
            if raised != Some(*code) {
                problems.push(format!("{code}: the first example decodes as UTF-8"));
            }
            assert!(mlpc::decode_source(fixes.concat().into_bytes()).is_ok());
            continue;
        }
        let failing_raises = raised(failing, *code);
        let Some((target, _)) = failing_raises.iter().find(|(_, codes)| codes.contains(code)) else {
            problems.push(format!("{code}: the first example does not raise it: {failing_raises:?}"));
            continue;
        };
        for (n, fix) in fixes.iter().enumerate() {
            let options = CheckOptions { allow_unknown_instance_types: *code == Code::UnrecognisedInstanceType };
            let checked = mlpc::check(fix, &ExampleFiles::of(fix), &options, *target);
            let codes: Vec<Code> = checked.diagnostics.iter().map(|d| d.code).collect();
            if codes.contains(code) {
                problems.push(format!("{code}: fixed example {} still raises it ({target:?})", n + 2));
            }
        }
    }
    assert!(problems.is_empty(), "{} explanation examples are wrong:\n{}", problems.len(), problems.join("\n"));
}
