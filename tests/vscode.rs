// mlpc-test: end-to-end
//! The VS Code extension (editors/vscode) with the real tools: its TextMate grammar in
//! VS Code's tokenizer (vscode-textmate and Oniguruma: tests/vscode/textmate.js) over
//! every `.mlp` that mlpc parses, and the extension packaged by vsce with its one
//! dependency, vscode-languageclient, installed from npm (scripts/setup-node installs
//! the tools). VS Code itself cannot be downloaded here: the language server behind the
//! extension is tested with a real client in tests/lsp.rs.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use std::process::Command;

fn run(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap();
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{:?} failed:\n{text}", cmd.get_program());
    text
}

#[test]
fn the_textmate_grammar_tokenizes_every_pipeline() {
    let root = common::root();
    let files = common::mlp_files_that_parse(&["examples", "tests"]);
    assert!(files.len() > 130, "{} files", files.len());
    let said = run(Command::new("node").arg("tests/vscode/textmate.js").args(&files).current_dir(&root));
    assert!(said.contains(&format!("tokenized {} files", files.len())), "{said}");
}

#[test]
fn vsce_packages_the_extension() {
    let root = common::root();
    let vsce = root.join("target/node/node_modules/.bin/vsce");
    assert!(vsce.is_file(), "run scripts/setup-node: {} is missing", vsce.display());
    let work = std::env::temp_dir().join(format!("mlpc-vscode-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&work);
    let extension = work.join("extension");
    std::fs::create_dir_all(extension.join("syntaxes")).unwrap();
    for file in
        ["package.json", "extension.js", "language-configuration.json", "README.md", "syntaxes/mlp.tmLanguage.json"]
    {
        std::fs::copy(root.join("editors/vscode").join(file), extension.join(file)).unwrap();
    }
    run(Command::new("npm")
        .args(["install", "--omit=dev", "--no-audit", "--no-fund", "--silent"])
        .current_dir(&extension));
    // The repository has no LICENSE file to ship (Cargo.toml names Apache-2.0).
    run(Command::new(&vsce).args(["package", "--skip-license", "--out", "mlpc.vsix"]).current_dir(&extension));
    let listing = run(Command::new("python3").args(["-m", "zipfile", "-l", "mlpc.vsix"]).current_dir(&extension));
    for inside in [
        "extension/package.json",
        "extension/extension.js",
        "extension/syntaxes/mlp.tmLanguage.json",
        "extension/node_modules/vscode-languageclient/package.json",
    ] {
        assert!(listing.contains(inside), "{inside} is not in the package:\n{listing}");
    }
    let _ = std::fs::remove_dir_all(&work);
}
