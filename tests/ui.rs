//! One failing `.mlp` per diagnostic code: each must report its code, and the
//! rendered report is snapshotted with the source.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use std::collections::BTreeSet;

use mlpc::Code;

#[test]
fn ui() {
    insta::glob!("ui/*.mlp", |path| {
        let (file, checked) = common::check_path(path);
        let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or_default();
        let expected = stem.split('_').next().unwrap_or_default();
        let codes: Vec<&str> = checked.diagnostics.iter().map(|d| d.code.as_str()).collect();
        assert!(codes.contains(&expected), "{stem}: expected {expected}, got {codes:?}");
        let rendered = common::render(&file, &checked);
        insta::assert_snapshot!(format!("----- SOURCE\n{}\n----- DIAGNOSTICS\n{}", file.text, rendered));
    });
}

#[test]
fn every_code_has_a_ui_test() {
    // `mlpc import`'s codes are about JSON definitions: their cases are in tests/import.
    let files: BTreeSet<String> = std::fs::read_dir(common::root().join("tests/ui"))
        .expect("tests/ui")
        .chain(std::fs::read_dir(common::root().join("tests/import")).expect("tests/import"))
        .filter_map(|e| e.ok())
        .filter_map(|e| e.file_name().to_str().map(|n| n.split('_').next().unwrap_or_default().to_string()))
        .collect();
    let missing: Vec<&str> = Code::ALL.iter().map(|c| c.as_str()).filter(|c| !files.contains(*c)).collect();
    assert!(missing.is_empty(), "codes without a tests/ui file: {missing:?}");
}

#[test]
fn a_file_with_independent_mistakes_gets_each_reported_once() {
    let path = common::root().join("tests/ui/multi/three_mistakes.mlp");
    let (file, checked) = common::check_path(&path);
    let index = mlpc::source::LineIndex::new(&file.text);
    let found: Vec<(String, usize, usize)> = checked
        .diagnostics
        .iter()
        .map(|d| {
            let (line, col) = index.line_col(d.span().start as usize);
            (d.code.as_str().to_string(), line, col)
        })
        .collect();
    assert_eq!(
        found,
        vec![("E0306".to_string(), 9, 16), ("E0201".to_string(), 12, 15), ("E0203".to_string(), 20, 22)],
        "{}",
        common::render(&file, &checked)
    );
}
