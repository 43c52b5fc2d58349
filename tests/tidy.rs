//! House rules checked as tests: module docs, explanations, one UI test per code.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

#[test]
fn every_module_starts_with_a_doc_comment() {
    let mut files = Vec::new();
    for dir in ["src", "crates/mlpc-core/src", "xtask/src"] {
        files.extend(common::files_with_extension(&common::root().join(dir), "rs"));
    }
    assert!(files.len() > 50, "the source folders moved: {} files found", files.len());
    let missing: Vec<String> = files
        .iter()
        .filter(|p| !std::fs::read_to_string(p).unwrap_or_default().starts_with("//!"))
        .map(|p| p.display().to_string())
        .collect();
    assert!(missing.is_empty(), "files without a leading //! doc: {missing:?}");
}

#[test]
fn every_code_has_a_real_explanation() {
    for code in mlpc::Code::ALL {
        let text = code.explanation();
        let title = format!("# {} {}", code.as_str(), code.name());
        assert!(text.starts_with(&title), "{code}: explanation must start with `{title}`");
        assert!(text.lines().count() >= 8, "{code}: explanation is too short");
        // `mlpc import`'s codes are about definitions: their examples are JSON.
        let example = if code.as_str()[1..].starts_with("06") { "```json" } else { "```mlp" };
        assert!(text.contains(example), "{code}: explanation needs an example ({example})");
    }
}

#[test]
fn codes_and_names_are_unique() {
    let mut seen = std::collections::HashSet::new();
    for code in mlpc::Code::ALL {
        assert!(seen.insert(code.as_str()), "duplicate code {code}");
        assert!(seen.insert(code.name()), "duplicate name {}", code.name());
    }
}
