//! Parser snapshots: the syntax tree (with spans) and every syntax error of each
//! file in tests/parse/.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use mlpc::diagnostics::render::{self, Style};
use mlpc::SourceFile;

#[test]
fn parse() {
    insta::glob!("parse/*.mlp", |path| {
        let text = std::fs::read_to_string(path).expect("test file");
        let parsed = mlpc::syntax::parse(&text);
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        let errors = render::human(&parsed.errors, &SourceFile::new(name, text.clone()), Style::default());
        insta::assert_snapshot!(format!("----- ERRORS\n{errors}\n----- TREE\n{:#?}", parsed.file));
    });
}

/// Maps left open, each followed by a line that starts an item: every body runs to the
/// end of the input. The enclosing bodies used to resume inside what the inner one had
/// read and read it again, once per level: 2^n work and errors (an 8 KB fuzz input took
/// 22 GB). Now each open brace is reported once.
#[test]
fn bodies_left_open_are_read_once() {
    let depth = 22;
    let text: String = std::iter::once("pipeline p {\n".to_string())
        .chain((0..depth).map(|k| format!("  k{k} = {{\n  out x: y\n")))
        .collect();
    let parsed = mlpc::syntax::parse(&text);
    let never_closed = parsed.errors.iter().filter(|e| e.message.contains("is never closed")).count();
    assert_eq!(never_closed, depth + 1, "one per open brace");
    assert!(parsed.errors.len() <= 3 * (depth + 1), "{} errors", parsed.errors.len());
    assert!(parsed.file.broken.len() <= 3 * (depth + 1), "{} broken names", parsed.file.broken.len());
}
