//! The tree-sitter grammar (editors/tree-sitter-mlp) against the language: every `.mlp`
//! of the repository that mlpc parses, tree-sitter parses without an ERROR or MISSING
//! node; the queries compile against the grammar; highlights give the captures an
//! editor shows; SQL is injected into `query` and `statement`. Runs on the committed
//! parser.c, so CI needs no tree-sitter CLI.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use std::collections::BTreeMap;

use tree_sitter::{Language, Node, Parser, Query, QueryCursor, StreamingIterator};

fn language() -> Language {
    tree_sitter_mlp::LANGUAGE.into()
}

fn parse(text: &str) -> tree_sitter::Tree {
    let mut parser = Parser::new();
    parser.set_language(&language()).unwrap();
    parser.parse(text, None).unwrap()
}

/// The first ERROR or MISSING node, with its line and column.
fn first_error(node: Node) -> Option<String> {
    if node.is_error() || node.is_missing() {
        let at = node.start_position();
        return Some(format!("{} at {}:{}", node.to_sexp(), at.row + 1, at.column + 1));
    }
    if !node.has_error() {
        return None;
    }
    let mut cursor = node.walk();
    let children: Vec<Node> = node.children(&mut cursor).collect();
    children.into_iter().find_map(first_error)
}

#[test]
fn every_mlp_that_mlpc_parses_parses_without_errors() {
    let root = common::root();
    let files = common::mlp_files_that_parse(&["examples", "tests", "fuzz/regressions"]);
    let parsed = files.len();
    let mut failures = Vec::new();
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        if let Some(error) = first_error(parse(&text).root_node()) {
            failures.push(format!("{}: {error}", path.strip_prefix(&root).unwrap().display()));
        }
    }
    assert!(parsed > 150, "only {parsed} files");
    assert!(failures.is_empty(), "{} of {parsed} files:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn the_queries_compile_against_the_grammar() {
    for (name, source) in [
        ("highlights", tree_sitter_mlp::HIGHLIGHTS_QUERY),
        ("locals", tree_sitter_mlp::LOCALS_QUERY),
        ("injections", tree_sitter_mlp::INJECTIONS_QUERY),
    ] {
        if let Err(e) = Query::new(&language(), source) {
            panic!("queries/{name}.scm: {e}");
        }
    }
}

/// Each capture of `query` over `text`: the captured text and the capture's names, in
/// pattern order (an editor takes the first or the last; both are listed).
fn captures(query_source: &str, text: &str) -> BTreeMap<(usize, String), Vec<String>> {
    let query = Query::new(&language(), query_source).unwrap();
    let tree = parse(text);
    let mut cursor = QueryCursor::new();
    let mut out: BTreeMap<(usize, String), Vec<String>> = BTreeMap::new();
    let mut matches = cursor.matches(&query, tree.root_node(), text.as_bytes());
    while let Some(m) = matches.next() {
        // Predicates such as #any-of? are checked by matches(): text predicates apply.
        for capture in m.captures() {
            let node = capture.node;
            let name = query.capture_names()[capture.index as usize].to_string();
            out.entry((node.start_byte(), text[node.byte_range()].to_string())).or_default().push(name);
        }
    }
    out
}

const SAMPLE: &str = r#"# A small job.
pipeline daily {
  region = "us-east-1"
  param day: string = "2026-01-01"
  image sk = sagemaker_image("sklearn", "1.2-1")

  step extract: sql {
    engine = athena
    query  = """
      select * from clicks where day = '${params.day}'
    """
    out rows: dataset<parquet>
  }

  step ok: condition {
    check = not (config.a.b in ["x", "y"]) and 30m >= 2h
  }

  step featurize: processing {
    image = sk
    when  = ok
    in  rows = extract.rows
    args     = ["--day\t", run.id, true]
  }
}
"#;

/// The captures of the `nth` occurrence of `text` in SAMPLE, not inside a longer name.
fn capture_of(all: &BTreeMap<(usize, String), Vec<String>>, text: &str, nth: usize) -> Vec<String> {
    let word = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
    let at = SAMPLE
        .match_indices(text)
        .map(|(i, _)| i)
        .filter(|&i| {
            let starts_a_word = word(text.chars().next()) && word(SAMPLE[..i].chars().next_back());
            let ends_a_word = word(text.chars().next_back()) && word(SAMPLE[i + text.len()..].chars().next());
            !starts_a_word && !ends_a_word
        })
        .nth(nth)
        .unwrap_or_else(|| panic!("no {nth}th `{text}`"));
    all.get(&(at, text.to_string())).cloned().unwrap_or_default()
}

#[test]
fn highlights_give_each_token_its_capture() {
    let all = captures(tree_sitter_mlp::HIGHLIGHTS_QUERY, SAMPLE);
    let first = |text: &str, nth: usize| capture_of(&all, text, nth).first().cloned().unwrap_or_default();
    assert_eq!(first("# A small job.", 0), "comment");
    assert_eq!(first("pipeline", 0), "keyword");
    assert_eq!(first("daily", 0), "module");
    assert_eq!(first("step", 0), "keyword");
    assert_eq!(first("extract", 0), "function");
    assert_eq!(first("sql", 0), "type.builtin");
    assert_eq!(first("day", 0), "variable.parameter");
    assert_eq!(first("string", 0), "type.builtin");
    assert_eq!(first("sk", 0), "constant");
    assert_eq!(first("sagemaker_image", 0), "function.builtin");
    assert_eq!(first("region", 0), "property");
    assert_eq!(first("dataset<parquet>", 0), "type");
    assert_eq!(first("rows", 0), "variable.member");
    assert_eq!(first("params", 0), "variable.builtin");
    assert_eq!(first("config", 0), "variable.builtin");
    assert_eq!(first("extract", 1), "variable", "a step named in a path");
    assert_eq!(first("not", 0), "keyword.operator");
    assert_eq!(first("and", 0), "keyword.operator");
    assert_eq!(first(">=", 0), "operator");
    assert_eq!(first("30m", 0), "number");
    assert_eq!(first("true", 0), "boolean");
    assert_eq!(first("\"2026-01-01\"", 0), "string");
    assert_eq!(first("\\t", 0), "string.escape");
    assert_eq!(first("${", 0), "punctuation.special");
    assert_eq!(first("in", 0), "keyword.operator", "`in` comparing");
    assert_eq!(first("in", 1), "keyword", "`in` declaring an input");
}

#[test]
fn sql_is_injected_into_queries() {
    let all = captures(tree_sitter_mlp::INJECTIONS_QUERY, SAMPLE);
    let query = SAMPLE.find("\"\"\"").unwrap();
    let names = all.iter().find(|((at, _), _)| *at == query).map(|(_, names)| names.clone()).unwrap_or_default();
    assert_eq!(names, ["injection.content"], "{all:?}");
    let query = Query::new(&language(), tree_sitter_mlp::INJECTIONS_QUERY).unwrap();
    let settings = query.property_settings(0);
    assert!(settings.iter().any(|p| &*p.key == "injection.language" && p.value.as_deref() == Some("sql")));
}

#[test]
fn locals_define_and_refer() {
    let all = captures(tree_sitter_mlp::LOCALS_QUERY, SAMPLE);
    assert_eq!(capture_of(&all, "extract", 0), ["local.definition.function"]);
    assert_eq!(capture_of(&all, "extract", 1), ["local.reference"]);
    assert_eq!(capture_of(&all, "rows", 0), ["local.definition.field"], "out rows");
    assert_eq!(capture_of(&all, "rows", 1), Vec::<String>::new(), "an input's name is not a definition others use");
}
