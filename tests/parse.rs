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
