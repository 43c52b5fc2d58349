//! Every input in fuzz/regressions/ through the fuzz targets' invariants
//! (fuzz/invariants.rs): the parser, the whole compiler for every target, and the
//! binary writing to a full device and closed pipes and reading special files.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

#[path = "../fuzz/invariants.rs"]
mod invariants;

fn regressions() -> Vec<(String, Vec<u8>)> {
    let dir = common::root().join("fuzz/regressions");
    let mut inputs: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "mlp"))
        .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read(&p).unwrap()))
        .collect();
    inputs.sort();
    assert!(inputs.len() >= 12, "fuzz/regressions/ holds {} inputs", inputs.len());
    inputs
}

#[test]
fn the_importer_holds_on_every_regression_and_import_case() {
    let mut files = common::files_with_extension(&common::root().join("fuzz/regressions"), "json");
    files.extend(common::files_with_extension(&common::root().join("tests/import"), "json"));
    assert!(files.len() >= 5, "{files:?}");
    for file in files {
        eprintln!("{}", file.display());
        invariants::import(&std::fs::read(&file).unwrap());
    }
}

#[test]
fn the_parser_holds_on_every_regression() {
    for (name, data) in regressions() {
        eprintln!("{name}");
        invariants::parse(&data);
    }
}

#[test]
fn the_compiler_holds_on_every_regression() {
    for (name, data) in regressions() {
        eprintln!("{name}");
        invariants::compile(&data);
    }
}

#[test]
fn the_binary_holds_on_every_regression_against_full_devices_closed_pipes_and_special_files() {
    let bin = std::path::Path::new(env!("CARGO_BIN_EXE_mlpc"));
    for (name, data) in regressions() {
        eprintln!("{name}");
        invariants::cli(&data, bin);
    }
}
