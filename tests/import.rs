//! `mlpc import` on definitions mlpc wrote: every example and test pipeline that
//! builds for SageMaker is built, imported and built again. An import that is
//! complete must give the same definition byte for byte; one that is not must say why
//! (E0602) and still check. Each import is snapshotted with its diagnostics.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use mlpc::diagnostics::render::{self, Style};
use mlpc::{Severity, SourceFile, Target, TargetOptions};

/// The definition mlpc builds for a pipeline, or `None` when SageMaker cannot run it.
fn definition(text: &str, files: &common::Dir) -> Option<(String, String)> {
    let checked = mlpc::check(text, files, &Default::default(), Some(Target::Sagemaker));
    let ir = checked.pipeline?;
    let built = mlpc::targets::build(&ir, &TargetOptions::Sagemaker, "pipeline.mlp").ok()?.output?;
    Some((ir.name.node.clone(), built.contents))
}

#[test]
fn round_trip_of_every_pipeline_that_builds_for_sagemaker() {
    let mut paths = common::files_with_extension(&common::root().join("tests/targets"), "mlp");
    paths.extend(common::pipelines().into_iter().filter(|p| p.starts_with(common::root().join("examples"))));
    let (mut complete, mut partial) = (Vec::new(), Vec::new());
    for path in &paths {
        let text = std::fs::read_to_string(path).unwrap();
        let files = common::Dir(path.parent().unwrap().to_path_buf());
        let Some((_, json)) = definition(&text, &files) else { continue };
        let imported = mlpc::import::import(&json, None, "pipeline");
        let mlp = imported.mlp.unwrap_or_else(|| panic!("{}: not imported", path.display()));
        let left_out: Vec<&str> =
            imported.diagnostics.iter().filter(|d| d.severity == Severity::Error).map(|d| d.code.as_str()).collect();
        assert!(left_out.iter().all(|c| *c == "E0602"), "{}: {left_out:?}", path.display());
        let codes: Vec<String> =
            imported.diagnostics.iter().map(|d| format!("{} {}", d.code.as_str(), d.message)).collect();
        let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
        insta::assert_snapshot!(format!("import@{stem}"), format!("{mlp}----- diagnostics\n{}\n", codes.join("\n")));
        // The .mlp reads no local file: code stays where the definition has it.
        let empty = common::Dir(std::env::temp_dir().join("mlpc-import-no-files"));
        let checked = mlpc::check(&mlp, &empty, &Default::default(), Some(Target::Sagemaker));
        if !left_out.is_empty() {
            partial.push(stem);
            continue;
        }
        let errors: Vec<String> =
            checked.diagnostics.iter().map(|d| format!("{}: {}", d.code.as_str(), d.message)).collect();
        assert!(
            checked.pipeline.is_some(),
            "{}: the import does not check:\n{}\n{mlp}",
            path.display(),
            errors.join("\n")
        );
        let (_, again) =
            definition(&mlp, &empty).unwrap_or_else(|| panic!("{}: the import does not build", path.display()));
        assert_eq!(again, json, "{}: build → import → build changed the definition", path.display());
        complete.push(stem);
    }
    eprintln!(
        "complete round trips ({}): {complete:?}\nleft something out ({}): {partial:?}",
        complete.len(),
        partial.len()
    );
    assert!(complete.len() >= 25, "{complete:?}");
}

/// One definition per import diagnostic code in tests/import (`CODE_what.json`): the
/// import must report its code; the rendered report and the `.mlp` are snapshotted.
#[test]
fn diagnostics() {
    insta::glob!("import/*.json", |path| {
        let text = std::fs::read_to_string(path).unwrap();
        let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
        let expected = stem.split('_').next().unwrap_or_default();
        let imported = mlpc::import::import(&text, None, &stem);
        let codes: Vec<&str> = imported.diagnostics.iter().map(|d| d.code.as_str()).collect();
        assert!(codes.contains(&expected), "{stem}: expected {expected}, got {codes:?}");
        let file = SourceFile::new(format!("{stem}.json"), text);
        let report = render::human(&imported.diagnostics, &file, Style { color: false, width: 100 });
        let mlp = imported.mlp.as_deref().unwrap_or("(none)");
        if let Some(mlp) = &imported.mlp {
            // What was imported is a pipeline mlpc parses, whatever was left out.
            assert!(mlpc::syntax::parse(mlp).errors.is_empty(), "{stem}:\n{mlp}");
        }
        insta::assert_snapshot!(format!("----- DIAGNOSTICS\n{report}\n----- MLP\n{mlp}"));
    });
}
