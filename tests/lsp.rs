// mlpc-test: end-to-end
//! `mlpc lsp` through a real LSP client: pytest-lsp (pygls's client, from
//! scripts/setup-python's `target/py/tools`) runs tests/lsp/test_lsp.py against the
//! binary under test over stdio: an editing session in UTF-16 and UTF-8, and documents
//! that must not stop the server.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use std::process::Command;

#[test]
fn pytest_lsp_drives_the_language_server() {
    let root = common::root();
    let python = root.join("target/py/tools/bin/python");
    assert!(python.is_file(), "run scripts/setup-python: {} is missing", python.display());
    let out = Command::new(python)
        .args(["-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/lsp"])
        .env("MLPC", env!("CARGO_BIN_EXE_mlpc"))
        .current_dir(&root)
        .output()
        .unwrap();
    let report = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{report}");
    assert!(report.contains("3 passed"), "{report}");
}
