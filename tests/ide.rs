//! The core's editor queries without a server: definitions, hover, completions and
//! the outline on a small pipeline, and config keys found in JSON text (the language
//! server's end-to-end test is tests/lsp.rs).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use mlpc::ide::{config_key_location, CompletionKind, Definition, Document, SymbolKind};
use mlpc::Span;

const TEXT: &str = "pipeline p {\n  config = \"config.json\"\n  param depth: int = 5 { description = \"tree depth\" }\n  image sk = \"123456789012.dkr.ecr.us-east-1.amazonaws.com/sk:1\"\n\n  step prep: processing {\n    image = sk\n    args  = [\"${params.depth}\", config.a.b]\n    out train: dataset<csv>\n  }\n\n  step fit: training {\n    image = sk\n    in  train = prep.train\n    out model: model\n  }\n}\n";

fn at(needle: &str, plus: usize) -> usize {
    TEXT.find(needle).unwrap() + plus
}

fn here(needle: &str) -> Option<Definition> {
    let start = TEXT.find(needle).unwrap();
    Some(Definition::Here(mlpc::Span::new(start, start + needle.split([':', ' ']).next().unwrap().len())))
}

#[test]
fn names_lead_to_their_declarations() {
    let doc = Document::parse(TEXT);
    assert_eq!(doc.definition(at("prep.train", 2)), here("prep: processing"));
    assert_eq!(doc.definition(at("prep.train", 7)), here("train: dataset"));
    assert_eq!(doc.definition(at("prep.train", 10)), here("train: dataset"), "just after the name");
    assert_eq!(doc.definition(at("params.depth", 9)), here("depth: int"));
    assert_eq!(doc.definition(at("image = sk", 9)), here("sk = "));
    assert_eq!(doc.definition(at("config.a.b", 7)), Some(Definition::Config(vec!["a".into()])));
    assert_eq!(doc.definition(at("config.a.b", 9)), Some(Definition::Config(vec!["a".into(), "b".into()])));
    assert_eq!(doc.definition(at("processing", 2)), None);
}

#[test]
fn hover_shows_types_defaults_and_config_values() {
    let doc = Document::parse(TEXT);
    let config = serde_json::json!({ "a": { "b": "churned" } });
    let param = doc.hover(at("params.depth", 9), None).unwrap();
    assert!(param.markdown.contains("param depth: int = 5") && param.markdown.contains("tree depth"));
    let output = doc.hover(at("prep.train", 7), None).unwrap();
    assert!(output.markdown.contains("out train: dataset<csv>"), "{}", output.markdown);
    assert!(doc.hover(at("config.a.b", 9), Some(&config)).unwrap().markdown.contains("\"churned\""));
    assert!(doc.hover(at("config.a.b", 9), None).unwrap().markdown.contains("could not be read"));
}

#[test]
fn completions_follow_what_is_being_typed() {
    // `|` marks the cursor.
    let labels = |text: &str, config: Option<&serde_json::Value>| {
        let offset = text.find('|').unwrap();
        let doc = Document::parse(text.replacen('|', "", 1));
        let mut out: Vec<String> = doc.completions(offset, config).into_iter().map(|c| c.label).collect();
        out.sort();
        out
    };
    assert_eq!(labels(&TEXT.replace("prep.train", "prep.|"), None), ["train"]);
    assert_eq!(labels(&TEXT.replace("\"${params.depth}\"", "params.|"), None), ["depth"]);
    let config = serde_json::json!({ "a": { "b": 1, "c": [1] } });
    assert_eq!(labels(&TEXT.replace("config.a.b", "config.a.|"), Some(&config)), ["b", "c"]);
    let kinds = labels(&TEXT.replace("fit: training", "fit: |"), None);
    assert!(kinds.contains(&"tuning".to_string()) && kinds.len() == mlpc::kinds::Kind::ALL.len());
    let keys = labels(&TEXT.replace("    out model: model\n", "    |\n    out model: model\n"), None);
    assert!(keys.contains(&"hyperparameters".to_string()) && keys.contains(&"in".to_string()), "{keys:?}");
    assert_eq!(labels(&TEXT.replace("image = sk\n    in", "image = |\n    in"), None), ["sk"]);
    let doc = Document::parse(TEXT);
    assert!(doc.completions(at("prep.train", 5), None).iter().all(|c| c.kind == CompletionKind::Output));
}

/// The texts at `spans` with their line numbers (1-based), to compare by eye.
fn written(spans: &[Span]) -> Vec<(usize, &'static str)> {
    spans.iter().map(|s| (TEXT[..s.start as usize].matches('\n').count() + 1, &TEXT[s.range()])).collect()
}

#[test]
fn references_find_the_declaration_and_every_use() {
    let doc = Document::parse(TEXT);
    assert_eq!(written(&doc.references(at("prep.train", 1))), [(6, "prep"), (14, "prep")]);
    assert_eq!(written(&doc.references(at("train: dataset", 1))), [(9, "train"), (14, "train")]);
    assert_eq!(written(&doc.references(at("depth: int", 0))), [(3, "depth"), (8, "depth")], "in an interpolation");
    assert_eq!(written(&doc.references(at("sk = ", 0))), [(4, "sk"), (7, "sk"), (13, "sk")]);
    assert_eq!(written(&doc.references(at("config.a.b", 9))), [(8, "b")], "config keys have no declaration here");
    assert!(doc.references(at("processing", 3)).is_empty());
}

#[test]
fn rename_changes_every_place_or_says_why_not() {
    let doc = Document::parse(TEXT);
    assert_eq!(doc.rename(at("prep.train", 1), "prepare").map(|s| written(&s)), Ok(vec![(6, "prep"), (14, "prep")]));
    let refused = |offset: usize, name: &str| doc.rename(offset, name).unwrap_err();
    assert!(refused(at("prep.train", 1), "fit").contains("already names"));
    assert!(refused(at("prep.train", 1), "params").contains("reserved"));
    assert!(refused(at("prep.train", 1), "2nd").contains("not a name"));
    assert!(refused(at("config.a.b", 9), "c").contains("config file"));
    assert!(refused(at("processing", 3), "x").contains("no step"));
    let renamed = doc.rename(at("depth: int", 0), "max_depth").unwrap();
    let mut text = TEXT.to_string();
    for span in renamed.iter().rev() {
        text.replace_range(span.range(), "max_depth");
    }
    let checked = mlpc::check(&text, &mlpc::MemoryFiles::default(), &Default::default(), None);
    assert!(!checked.diagnostics.iter().any(|d| d.code.as_str() == "E0203"), "{:?}", checked.diagnostics);
}

#[test]
fn the_outline_has_the_pipeline_params_images_steps_and_outputs() {
    let symbols = Document::parse(TEXT).symbols();
    let pipeline = &symbols[0];
    assert_eq!((pipeline.name.as_str(), pipeline.kind), ("p", SymbolKind::Pipeline));
    let names: Vec<&str> = pipeline.children.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["depth", "sk", "prep", "fit"]);
    assert_eq!(pipeline.children[3].children[0].name, "model");
}

#[test]
fn config_keys_are_found_in_the_json_text() {
    let json = "{\n  \"x\": [1, {\"a\": 2}],\n  \"a\\u0062\": \"}\",\n  \"a\": {\"b\": {\"c\": true}, \"d\": null}\n}";
    let find = |path: &[&str]| {
        let path: Vec<String> = path.iter().map(|s| s.to_string()).collect();
        config_key_location(json, &path).map(|span| &json[span.range()])
    };
    assert_eq!(find(&["a", "b", "c"]), Some("\"c\""));
    assert_eq!(find(&["a", "d"]), Some("\"d\""));
    assert_eq!(find(&["ab"]), Some("\"a\\u0062\""), "keys are compared decoded");
    assert_eq!(find(&["a", "x"]), None);
    assert_eq!(find(&["x", "a"]), None, "arrays hold no keys");
    assert_eq!(config_key_location("not json", &["a".to_string()]), None);
}
