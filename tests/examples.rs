//! Every example checks clean, the language contract's pipeline is an example that
//! compiles unchanged, and every example of the reference checks for every target it
//! is meant for.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use mlpc::Target;

#[test]
fn every_example_checks_clean_for_every_target() {
    let files = common::files_with_extension(&common::root().join("examples"), "mlp");
    assert!(files.len() >= 3, "expected at least three examples, found {files:?}");
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        let dir = common::Dir(path.parent().unwrap().to_path_buf());
        for target in [None, Some(Target::Airflow), Some(Target::Sagemaker), Some(Target::StepFunctions)] {
            let checked = mlpc::check(&text, &dir, &Default::default(), target);
            let file = mlpc::SourceFile::new(path.display().to_string(), text.clone());
            assert!(checked.diagnostics.is_empty(), "{target:?}:\n{}", common::render(&file, &checked));
            assert!(checked.pipeline.is_some());
        }
    }
}

/// The ```mlp blocks of a markdown text.
pub fn mlp_blocks(markdown: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in markdown.lines() {
        match (&mut current, line.trim_start()) {
            (None, l) if l.starts_with("```mlp") => current = Some(String::new()),
            (Some(block), l) if l.starts_with("```") => {
                blocks.push(std::mem::take(block));
                current = None;
            }
            (Some(block), _) => {
                block.push_str(line);
                block.push('\n');
            }
            _ => {}
        }
    }
    blocks
}

/// The contract's text in `mlpc fmt`'s layout: the examples are formatted like every
/// `.mlp` in the repository, the contract keeps its hand-aligned comments.
fn formatted(text: &str) -> String {
    match mlpc::fmt::format(text) {
        Ok(out) => out,
        Err(e) => panic!("the contract's pipeline does not format: {e:?}"),
    }
}

#[test]
fn the_contract_pipeline_is_the_churn_example() {
    let example = std::fs::read_to_string(common::root().join("examples/churn/churn.mlp")).expect("churn example");
    let contract = common::root().join("../shared/design/language.md");
    // The contract lives beside the repository; when it is there, the example must be its pipeline.
    if let Ok(text) = std::fs::read_to_string(&contract) {
        let blocks = mlp_blocks(&text);
        assert_eq!(blocks.len(), 1, "the contract has one mlp block");
        assert_eq!(
            blocks.first().map(|b| formatted(b)),
            Some(example.clone()),
            "examples/churn/churn.mlp must be the contract's pipeline in the canonical layout (`mlpc fmt`)"
        );
    }
    let (file, checked) = common::check_path(&common::root().join("examples/churn/churn.mlp"));
    assert!(checked.diagnostics.is_empty(), "{}", common::render(&file, &checked));
}

#[test]
fn the_second_contract_pipeline_is_the_abalone_example() {
    let path = common::root().join("examples/abalone/abalone.mlp");
    let example = std::fs::read_to_string(&path).expect("abalone example");
    let contract = common::root().join("../shared/design/language-v2.md");
    if let Ok(text) = std::fs::read_to_string(&contract) {
        let blocks = mlp_blocks(&text);
        assert_eq!(
            blocks.first().map(|b| formatted(b)),
            Some(example.clone()),
            "the example must be the contract's pipeline in the canonical layout (`mlpc fmt`)"
        );
    }
    let (file, checked) = common::check_path(&path);
    assert!(checked.diagnostics.is_empty(), "{}", common::render(&file, &checked));
}

#[test]
fn every_mlp_block_in_grammar_docs_parses() {
    let mut count = 0;
    for entry in std::fs::read_dir(common::root().join("grammar")).expect("grammar/").flatten() {
        let path = entry.path();
        if path.extension().is_none_or(|e| e != "md") {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("readable");
        for (i, block) in mlp_blocks(&text).iter().enumerate() {
            let parsed = mlpc::syntax::parse(block);
            let file = mlpc::SourceFile::new(format!("{}#{}", path.display(), i + 1), block.clone());
            assert!(
                parsed.errors.is_empty(),
                "{}",
                mlpc::diagnostics::render::human(&parsed.errors, &file, Default::default())
            );
            count += 1;
        }
    }
    assert!(count >= 5, "expected examples in grammar/, found {count}");
}

/// The files an example of the reference names, made up: a path with an extension is a
/// file (a script, a CSV), one without is a folder holding every `entry` and module the
/// example names.
struct ReferenceFiles {
    folder: Vec<String>,
}

impl ReferenceFiles {
    fn for_block(block: &str) -> ReferenceFiles {
        let quoted = |key: &str| -> Vec<String> {
            block
                .lines()
                .filter_map(|l| l.trim().strip_prefix(key))
                .filter_map(|rest| rest.trim_start().strip_prefix('=').and_then(|v| v.split('"').nth(1)))
                .map(str::to_string)
                .collect()
        };
        let mut folder = quoted("entry");
        folder.extend(
            quoted("callable")
                .iter()
                .filter_map(|c| c.split(':').next())
                .map(|m| format!("{}.py", m.replace('.', "/"))),
        );
        if folder.is_empty() {
            folder.push("main.py".to_string());
        }
        ReferenceFiles { folder }
    }
}

impl mlpc::Files for ReferenceFiles {
    fn read(&self, path: &str) -> Result<Vec<u8>, String> {
        let name = path.trim_end_matches('/').rsplit('/').next().unwrap_or(path);
        if path.ends_with('/') || !name.contains('.') {
            return Err(mlpc::IS_A_DIRECTORY.to_string());
        }
        if path.ends_with(".json") {
            return Ok(b"{}".to_vec());
        }
        Ok(b"print(1)\n".to_vec())
    }

    fn list(&self, _folder: &str) -> Result<Vec<String>, String> {
        Ok(self.folder.clone())
    }
}

/// The targets an example is for: every one, or those its `# targets:` line names
/// (with the reason there, for a reader).
fn targets_of(block: &str) -> Vec<Target> {
    let named = block.lines().find_map(|l| l.trim().strip_prefix("# targets:"));
    let Some(line) = named else {
        return vec![Target::Airflow, Target::Sagemaker, Target::StepFunctions];
    };
    let list = line.split(['(', '—', ';']).next().unwrap_or("");
    list.split(',')
        .map(|t| match t.trim() {
            "airflow" => Target::Airflow,
            "sagemaker" => Target::Sagemaker,
            "stepfunctions" => Target::StepFunctions,
            other => panic!("unknown target `{other}` in `# targets:{line}`"),
        })
        .collect()
}

#[test]
fn every_example_of_the_reference_checks_for_its_targets() {
    let text = std::fs::read_to_string(common::root().join("grammar/README.md")).unwrap();
    let mut failures = Vec::new();
    let blocks = mlp_blocks(&text);
    for (i, block) in blocks.iter().enumerate() {
        let files = ReferenceFiles::for_block(block);
        for target in targets_of(block) {
            let checked = mlpc::check(block, &files, &Default::default(), Some(target));
            if checked.has_errors() {
                let file = mlpc::SourceFile::new(format!("grammar/README.md, example {}", i + 1), block.clone());
                failures.push(format!("{target:?}:\n{}", common::render(&file, &checked)));
            }
        }
    }
    assert!(blocks.len() >= 10, "expected the reference's examples, found {}", blocks.len());
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
