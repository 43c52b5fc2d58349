//! Property tests: no input makes the front end panic, every span lies inside the
//! source, and generated valid pipelines check clean with a topological order that
//! respects exactly the generated edges.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::collections::BTreeSet;

use mlpc::{CheckOptions, MemoryFiles};
use proptest::prelude::*;

fn check(text: &str) -> mlpc::Checked {
    let files = MemoryFiles::default().with("code/job.py", "print(1)\n").with("config.json", r#"{"a": {"b": 1}}"#);
    mlpc::check(text, &files, &CheckOptions::default(), Some(mlpc::Target::Sagemaker))
}

fn assert_spans_inside(text: &str, checked: &mlpc::Checked) {
    for d in &checked.diagnostics {
        for label in std::iter::once(&d.primary).chain(d.secondary.iter()) {
            let (start, end) = (label.span.start as usize, label.span.end as usize);
            assert!(start <= end && end <= text.len(), "span {start}..{end} outside {} bytes: {d:?}", text.len());
            assert!(text.is_char_boundary(start) && text.is_char_boundary(end), "span not on char boundary: {d:?}");
        }
    }
}

/// Tokens that exercise the grammar far more often than random characters do.
fn token() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "pipeline",
        "step",
        "param",
        "image",
        "in",
        "out",
        "p",
        "x",
        "a.b",
        "params.x",
        "config.a.b",
        "run.id",
        "and",
        "or",
        "not",
        "<=",
        "==",
        "!=",
        "(",
        ")",
        "{",
        "}",
        "[",
        "]",
        "(",
        ")",
        "=",
        ":",
        ",",
        "\n",
        " ",
        "\"s\"",
        "\"${params.x}\"",
        "\"$${\"",
        "\"\"\"\n  t\n\"\"\"",
        "\"\\u{41}\"",
        "\"\\q\"",
        "\"",
        "\"\"\"",
        "5",
        "-3",
        "1e-3",
        "30m",
        "5x",
        "2026-01-01",
        "true",
        "dataset<csv>",
        "model",
        "#c\n",
        "processing",
        "training",
        "sql",
        "transform",
        "python",
        "tuning",
        "range(0.05, 0.5, log)",
        "choice(\"a\", 1)",
        "minimize(\"m\")",
        "sagemaker_image(\"xgboost\", \"1.7-1\")",
        "<",
        ">",
        "\u{e9}",
        "\u{1F600}",
        "\r\n",
        "\t",
        "${",
        "[\"",
        "99999999999999999999",
    ])
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 600, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_text_never_panics(text in any::<String>()) {
        let checked = check(&text);
        assert_spans_inside(&text, &checked);
    }

    #[test]
    fn token_soup_never_panics(tokens in prop::collection::vec(token(), 0..80)) {
        let text: String = tokens.concat();
        let checked = check(&text);
        assert_spans_inside(&text, &checked);
    }

    #[test]
    fn token_soup_inside_a_pipeline_never_panics(tokens in prop::collection::vec(token(), 0..60)) {
        let text = format!("pipeline p {{\n  step s: processing {{\n{}\n  }}\n}}\n", tokens.join(" "));
        let checked = check(&text);
        assert_spans_inside(&text, &checked);
    }

    #[test]
    fn generated_dags_check_clean_in_topological_order(edges in dag(12)) {
        let (text, expected) = pipeline_for(&edges);
        let checked = check(&text);
        prop_assert!(!checked.has_errors(), "{text}\n{:#?}", checked.diagnostics);
        let Some(ir) = checked.pipeline else { return Err(TestCaseError::fail("no IR")) };
        let position: Vec<usize> = {
            let mut p = vec![0; ir.steps.len()];
            for (rank, id) in ir.order.iter().enumerate() { p[id.0] = rank; }
            p
        };
        prop_assert_eq!(ir.order.len(), ir.steps.len());
        let mut found = BTreeSet::new();
        for id in &ir.order {
            for up in ir.upstream(*id) {
                prop_assert!(position[up.0] < position[id.0]);
                found.insert((up.0, id.0));
            }
        }
        prop_assert_eq!(found, expected);
    }
}

/// A random DAG over `n` steps: edges only from lower to higher index.
fn dag(n: usize) -> impl Strategy<Value = Vec<Vec<bool>>> {
    (1..=n).prop_flat_map(|size| prop::collection::vec(prop::collection::vec(any::<bool>(), size), size))
}

fn pipeline_for(matrix: &[Vec<bool>]) -> (String, BTreeSet<(usize, usize)>) {
    let mut text = String::from("pipeline gen {\n  role = \"arn:aws:iam::123456789012:role/R\"\n  artifacts = \"s3://bucket-x/p\"\n  image i = \"123456789012.dkr.ecr.us-east-1.amazonaws.com/i:1\"\n");
    let mut edges = BTreeSet::new();
    for (to, row) in matrix.iter().enumerate() {
        text.push_str(&format!(
            "  step s{to}: processing {{\n    image = i\n    instance = \"ml.m5.large\"\n    code = \"code/job.py\"\n"
        ));
        // At most 9 inputs: with its code file a processing job takes 10.
        for (from, &on) in row.iter().enumerate().take(to).filter(|(_, on)| **on).take(9) {
            if on {
                text.push_str(&format!("    in from{from} = s{from}.out\n"));
                edges.insert((from, to));
            }
        }
        text.push_str("    out out: dataset<csv>\n  }\n");
    }
    text.push_str("}\n");
    (text, edges)
}

/// A very long chain: nothing in the front end may recurse per step.
#[test]
fn a_20000_step_chain_checks_without_overflowing_the_stack() {
    let mut text = String::from("pipeline long {\n  role = \"arn:aws:iam::123456789012:role/R\"\n  artifacts = \"s3://bucket-x/p\"\n  image i = \"123456789012.dkr.ecr.us-east-1.amazonaws.com/i:1\"\n");
    for n in 0..20_000 {
        let input = if n > 0 { format!("    in x = s{}.o\n", n - 1) } else { String::new() };
        text.push_str(&format!("  step s{n}: processing {{\n    image = i, instance = \"ml.m5.large\", code = \"code/job.py\"\n{input}    out o: dataset<csv>\n  }}\n"));
    }
    text.push_str("}\n");
    // SageMaker's 1 MB definition limit is the one thing wrong with it there.
    let checked = check(&text);
    let codes: Vec<_> = checked.diagnostics.iter().map(|d| (d.code, d.message.contains("definition"))).collect();
    assert_eq!(codes, [(mlpc::Code::RequestLimitExceeded, true)]);
    let files = MemoryFiles::default().with("code/job.py", "print(1)\n");
    let checked = mlpc::check(&text, &files, &CheckOptions::default(), Some(mlpc::Target::Airflow));
    assert!(!checked.has_errors(), "{:?}", checked.diagnostics.first());
    assert_eq!(checked.pipeline.map(|p| p.order.len()), Some(20_000));
}

/// Conditions cannot nest past the parser's limit in any direction: `not`, parentheses,
/// or an `and`/`or` chain (its tree is as deep as it is long). Each is one E0107, in a
/// test thread's small stack.
#[test]
fn deep_conditions_are_refused_without_overflowing_the_stack() {
    let long = 100_000;
    for value in [
        "not ".repeat(long) + "x",
        "(".repeat(long) + "1" + &")".repeat(long),
        vec!["a"; long].join(" and "),
        vec!["a == 1"; long].join(" or "),
    ] {
        let text = format!("pipeline p {{\n  owner = {value}\n}}\n");
        let codes: Vec<_> = check(&text).diagnostics.iter().map(|d| d.code).collect();
        assert_eq!(codes, [mlpc::Code::NestingTooDeep], "{}", &value[..20]);
    }
    // At the limit, a chain parses (and is a condition where a value is expected).
    let text = format!("pipeline p {{\n  owner = {}\n}}\n", vec!["a"; 64].join(" and "));
    let codes: Vec<_> = check(&text).diagnostics.iter().map(|d| d.code).collect();
    assert_eq!(codes, [mlpc::Code::WrongValueType]);
}
