//! The table of step kinds (`mlpc::kinds`) is what the checker and the reference use:
//! a step with no keys is missing exactly the kind's required keys, every key the table
//! lists is accepted, and `grammar/README.md` documents each kind's keys as the table
//! says.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use std::collections::BTreeSet;

use mlpc::kinds::{Kind, COMMON, RUNS};
use mlpc::{CheckOptions, Code, MemoryFiles};

fn diagnostics(kind: Kind, body: &str) -> Vec<mlpc::Diagnostic> {
    let text = format!(
        "pipeline p {{\n  role = \"arn:aws:iam::123456789012:role/R\"\n  artifacts = \"s3://bucket-x/p\"\n  step s: {} {{\n{body}  }}\n}}\n",
        kind.name()
    );
    mlpc::check(&text, &MemoryFiles::default(), &CheckOptions::default(), None).diagnostics
}

#[test]
fn a_step_without_keys_misses_exactly_the_required_ones() {
    for kind in Kind::ALL {
        // A key is the message's last quoted name; "`a` or `b`" is a choice, "a|b".
        let missing: BTreeSet<String> = diagnostics(kind, "")
            .iter()
            .filter(|d| d.code == Code::MissingKey)
            .filter_map(|d| {
                let mut names = d.message.rsplit('`').skip(1).step_by(2);
                let last = names.next()?.to_string();
                match d.message.contains("` or `") {
                    true => names.next().map(|before| format!("{before}|{last}")),
                    false => Some(last),
                }
            })
            .collect();
        let mut required: BTreeSet<String> = kind.info().required.iter().map(|k| k.to_string()).collect();
        if !kind.info().one_of.is_empty() {
            required.insert(kind.info().one_of.join("|"));
        }
        assert_eq!(missing, required, "{kind:?}");
    }
}

#[test]
fn every_key_of_the_table_is_accepted_and_no_other() {
    for kind in Kind::ALL {
        for key in kind.keys() {
            let unknown = diagnostics(kind, &format!("    {key} = 1\n")).iter().any(|d| d.code == Code::UnknownKey);
            assert!(!unknown, "{kind:?} refuses `{key}`");
        }
        let unknown = diagnostics(kind, "    not_a_key = 1\n").iter().any(|d| d.code == Code::UnknownKey);
        assert!(unknown, "{kind:?} accepts any key");
    }
}

#[test]
fn the_reference_documents_each_kind_as_the_table_says() {
    let text = std::fs::read_to_string(common::root().join("grammar/README.md")).unwrap();
    for kind in Kind::ALL {
        let heading = format!("### `{}`\n", kind.name());
        let section = text.split(&heading).nth(1).unwrap_or_else(|| panic!("no section {heading}"));
        let section = section.split("\n#").next().unwrap();
        let mut documented = BTreeSet::new();
        let mut required = BTreeSet::new();
        for row in section.lines().filter(|l| l.starts_with("| `")) {
            let cells: Vec<&str> = row.split('|').map(str::trim).collect();
            for key in cells[1].split(',').map(|k| k.trim().trim_matches('`')) {
                documented.insert(key.to_string());
                if cells[3] == "required" {
                    required.insert(key.to_string());
                }
            }
        }
        let own: BTreeSet<String> =
            kind.keys().filter(|k| !COMMON.contains(k) && !RUNS.contains(k)).map(str::to_string).collect();
        assert_eq!(documented, own, "grammar/README.md, {heading}");
        let want: BTreeSet<String> = kind.info().required.iter().map(|k| k.to_string()).collect();
        assert_eq!(required, want, "required keys in grammar/README.md, {heading}");
    }
}
