//! `mlpc fmt`: the canonical layout (snapshots), every `.mlp` in the repository in it,
//! the command line's modes, and on generated pipelines written in many layouts, that
//! formatting is idempotent and never changes what a pipeline builds to.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use mlpc::fmt::{format, FormatError};
use mlpc::{CheckOptions, MemoryFiles, Target, TargetOptions};
use proptest::prelude::*;

fn formatted(text: &str) -> String {
    match format(text) {
        Ok(out) => {
            assert_eq!(format(&out).ok().as_deref(), Some(out.as_str()), "not idempotent:\n{out}");
            out
        }
        Err(FormatError::Syntax(d)) => panic!("syntax errors: {d:?}"),
        Err(FormatError::Internal(e)) => panic!("internal error: {e}"),
    }
}

#[test]
fn settings_params_and_images_align_in_runs() {
    insta::assert_snapshot!(formatted(
        "pipeline p {\nregion=\"us-east-1\" # where it runs\n  role = \"arn:aws:iam::123456789012:role/R\", artifacts = \"s3://b/p\"\n\n\n\n  retry { attempts = 2, delay = 5m }\n  param depth: int = 5 { min = 1, max = 9 }\n  param label_column: string = \"y\"\n  param note: string      # required\n  image sk = \"123456789012.dkr.ecr.us-east-1.amazonaws.com/sk:1\"\n  image xgboost = sagemaker_image(\"xgboost\", \"1.7-1\")\n}\n"
    ));
}

#[test]
fn steps_stand_apart_and_inputs_outputs_align() {
    insta::assert_snapshot!(formatted(
        "pipeline p {\n  artifacts = \"s3://b/p\"\n  step a: processing { image = sk, instance = \"ml.m5.large\", code = \"job.py\"\n  out train: dataset<csv>\n  out validation_set: dataset<csv> { uri = \"s3://b/v/\" }\n  }\n  step b: training {\n    image = sk\n    in train = a.train\n    in validation: dataset<csv> = a.validation_set { distribution = sharded }\n    in extra = \"s3://b/extra/\"\n    out model: model\n  }\n  # the last step\n  step c: fail { message = \"no\" }\n}\n"
    ));
}

#[test]
fn lists_and_maps_keep_one_line_or_one_entry_a_line() {
    insta::assert_snapshot!(formatted(
        "pipeline p {\n  tags = [ \"a\",\"b\" ]\n  env = {A=\"1\",\"odd key\" = \"${params.x}\"}\n  hyperparameters = { # tuned by hand\n    eta = 0.2, # small\n    max_depth = params.depth,\n\n    # a list on lines\n    layers = [\n      1, 2,\n      3\n    ]\n    objective = \"reg:squarederror\"\n  } # done\n  empty = {}\n  nested = [{ a = 1 }, {\n    b = 2\n  }]\n  args = [\"--x\", config.a[ \"b-c\" ].d]\n}\n"
    ));
}

#[test]
fn strings_numbers_and_conditions_are_kept_as_written() {
    insta::assert_snapshot!(formatted(
        "pipeline p {\n  a = \"\\u{e9}\\t$${x} \\\"q\\\"\"\n  b = 1e3\n  c = -0.50\n  d = 90s\n  e = 2026-01-01\n  query = \"\"\"\n      select a\n        from t  \n  \"\"\"\n  check = (x.y.z <= params.t and\n    not (q == \"a\")) or r in [\"x\", \"y\"]\n}\n"
    ));
}

#[test]
fn comments_where_the_tree_has_no_place_move_before_their_item() {
    // A comment inside a condition split over lines, and one between the pipeline's
    // name and its `{`: each goes on its own line before the item that held it.
    insta::assert_snapshot!(formatted(
        "# header\n\npipeline p # about p\n{\n  check = (a and # first\n    b)\n  # dangling at the end\n\n  # and another\n}\n# trailing the file\n"
    ));
}

#[test]
fn crlf_files_stay_crlf_and_lone_cr_line_breaks_become_lf() {
    // A Windows checkout: CR LF throughout, a """ string included.
    let crlf = "pipeline p {\r\n  a = 1 # one\r\n  bb = 2\n  q = \"\"\"\r\n    select 1\r\n  \"\"\"\r\n}\r\n";
    assert_eq!(
        formatted(crlf),
        "pipeline p {\r\n  a  = 1  # one\r\n  bb = 2\r\n  q = \"\"\"\r\n    select 1\r\n  \"\"\"\r\n}\r\n"
    );
    let lf_first = "pipeline p {\n  a = 1\r\n}\r\n";
    assert_eq!(formatted(lf_first), "pipeline p {\n  a = 1\n}\n", "the first line break decides");
    let cr = "pipeline p {\r  a = 1\r}\r";
    assert_eq!(formatted(cr), "pipeline p {\n  a = 1\n}\n");
}

#[test]
fn a_file_with_syntax_errors_is_refused() {
    match format("pipeline p {\n  a = = 1\n}\n") {
        Err(FormatError::Syntax(diagnostics)) => assert_eq!(diagnostics[0].code.as_str(), "E0101"),
        other => panic!("expected syntax errors, got {other:?}"),
    }
    assert!(matches!(format(""), Err(FormatError::Syntax(_))), "no pipeline is E0105");
}

/// Files kept as written: parser inputs whose layout is what they test.
const KEPT_AS_WRITTEN: [&str; 2] = ["tests/parse", "fuzz/regressions"];

fn repository_mlp_files() -> Vec<PathBuf> {
    let root = common::root();
    let output =
        Command::new("git").args(["ls-files", "-z", "*.mlp"]).current_dir(&root).output().expect("git ls-files");
    assert!(output.status.success(), "git ls-files failed");
    let files: Vec<PathBuf> = output
        .stdout
        .split(|b| *b == 0)
        .filter(|p| !p.is_empty())
        .map(|p| PathBuf::from(String::from_utf8_lossy(p).into_owned()))
        .collect();
    assert!(files.len() > 150, "only {} .mlp files found", files.len());
    files
}

fn mlpc(args: &[&str], dir: &Path, stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_mlpc"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn mlpc");
    if let (Some(mut pipe), Some(text)) = (child.stdin.take(), stdin) {
        std::io::Write::write_all(&mut pipe, text.as_bytes()).expect("write stdin");
    }
    child.wait_with_output().expect("mlpc output")
}

/// `mlpc fmt --check` over every `.mlp` in the repository: each one that parses is in
/// the canonical layout; each one that does not (syntax-error tests) is refused with
/// its diagnostics and left byte for byte as it was.
#[test]
fn every_mlp_in_the_repository_is_formatted() {
    let root = common::root();
    let (mut parsing, mut broken, mut kept) = (Vec::new(), Vec::new(), 0);
    for path in repository_mlp_files() {
        let text = std::fs::read(root.join(&path)).unwrap();
        let parses = String::from_utf8(text.clone()).is_ok_and(|t| mlpc::syntax::parse(&t).errors.is_empty());
        if KEPT_AS_WRITTEN.iter().any(|dir| path.starts_with(dir)) {
            // Not required to be formatted; formatting them must still be safe.
            if let Ok(Ok(out)) = String::from_utf8(text).map(|t| format(&t)) {
                assert_eq!(format(&out).ok(), Some(out.clone()), "{}: not idempotent", path.display());
            }
            kept += 1;
        } else if parses {
            parsing.push(path.to_string_lossy().into_owned());
        } else {
            broken.push((path, text));
        }
    }
    let mut args = vec!["fmt", "--check"];
    args.extend(parsing.iter().map(String::as_str));
    let out = mlpc(&args, &root, None);
    assert_eq!(
        out.status.code(),
        Some(0),
        "run `mlpc fmt` on these files:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(parsing.len() > 130 && broken.len() >= 10 && kept >= 20, "{} / {} / {kept}", parsing.len(), broken.len());
    for (path, before) in broken {
        let out = mlpc(&["fmt", path.to_str().unwrap()], &root, None);
        assert_eq!(out.status.code(), Some(1), "{}", path.display());
        assert!(String::from_utf8_lossy(&out.stderr).contains("left unchanged"), "{}", path.display());
        assert_eq!(std::fs::read(root.join(&path)).unwrap(), before, "{} was changed", path.display());
    }
}

#[test]
fn the_command_line_writes_checks_diffs_and_reads_stdin() {
    let dir = std::env::temp_dir().join(format!("mlpc-fmt-cli-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("sub/.hidden")).unwrap();
    let messy = "pipeline p {\n  a = 1\n  bbb = 2\n}\n";
    let tidy = "pipeline p {\n  a   = 1\n  bbb = 2\n}\n";
    std::fs::write(dir.join("sub/messy.mlp"), messy).unwrap();
    std::fs::write(dir.join("sub/tidy.mlp"), tidy).unwrap();
    std::fs::write(dir.join("sub/.hidden/skipped.mlp"), messy).unwrap();
    std::fs::write(dir.join("broken.mlp"), "pipeline p {\n  a = = 1\n}\n").unwrap();

    let check = mlpc(&["fmt", "--check", "sub"], &dir, None);
    assert_eq!(check.status.code(), Some(1));
    assert_eq!(String::from_utf8_lossy(&check.stdout), "would reformat: sub/messy.mlp\n");
    assert!(String::from_utf8_lossy(&check.stderr).contains("1 file would be reformatted, 1 file already formatted"));

    let diff = mlpc(&["fmt", "--diff", "sub/messy.mlp"], &dir, None);
    assert_eq!(diff.status.code(), Some(1));
    let patch = String::from_utf8_lossy(&diff.stdout);
    assert!(patch.contains("-  a = 1\n+  a   = 1\n"), "{patch}");
    assert_eq!(std::fs::read_to_string(dir.join("sub/messy.mlp")).unwrap(), messy, "--diff writes nothing");

    let write = mlpc(&["fmt"], &dir, None);
    assert_eq!(write.status.code(), Some(1), "broken.mlp has errors: {}", String::from_utf8_lossy(&write.stderr));
    let stderr = String::from_utf8_lossy(&write.stderr);
    assert!(stderr.contains("E0101") && stderr.contains("1 file with errors left unchanged"), "{stderr}");
    assert_eq!(std::fs::read_to_string(dir.join("sub/messy.mlp")).unwrap(), tidy);
    assert_eq!(std::fs::read_to_string(dir.join("sub/.hidden/skipped.mlp")).unwrap(), messy, "hidden folders skipped");
    assert_eq!(std::fs::read_to_string(dir.join("broken.mlp")).unwrap(), "pipeline p {\n  a = = 1\n}\n");
    assert_eq!(mlpc(&["fmt", "--check", "sub"], &dir, None).status.code(), Some(0));

    let stdin = mlpc(&["fmt", "-"], &dir, Some(messy));
    assert_eq!((stdin.status.code(), String::from_utf8_lossy(&stdin.stdout).into_owned()), (Some(0), tidy.to_string()));
    assert!(stdin.stderr.is_empty(), "{}", String::from_utf8_lossy(&stdin.stderr));
    let stdin_check = mlpc(&["fmt", "--check", "-"], &dir, Some(messy));
    assert_eq!(stdin_check.status.code(), Some(1));

    let missing = mlpc(&["fmt", "nowhere.mlp"], &dir, None);
    assert_eq!(missing.status.code(), Some(2));
    let _ = std::fs::remove_dir_all(&dir);
}

/// A deterministic stream of pseudo-random numbers (xorshift64) from `seed`.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn pick<'a>(&mut self, choices: &[&'a str]) -> &'a str {
        choices[(self.next() % choices.len() as u64) as usize]
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

/// A valid pipeline written in a layout chosen by `seed`: spacing, commas or line
/// breaks, blank lines, comments, one-line or many-line lists and maps.
fn pipeline_in_some_layout(seed: u64) -> String {
    let mut r = Rng(seed | 1);
    let eq = |r: &mut Rng| r.pick(&[" = ", "=", "   =  ", " =\t"]).to_string();
    let mut text = String::new();
    if r.chance(40) {
        text.push_str("# a generated pipeline\n\n");
    }
    text.push_str("pipeline gen {");
    text.push_str(r.pick(&["\n", " # settings first\n", "\n\n"]));
    let item = |r: &mut Rng, text: &mut String, line: String| {
        text.push_str(r.pick(&["", "  ", "\t", "      "]));
        if r.chance(15) {
            text.push_str("# about the next item\n  ");
        }
        text.push_str(&line);
        if r.chance(25) {
            text.push_str("   # trailing");
        }
        text.push_str(r.pick(&["\n", "\n", "\n\n", "\n\n\n"]));
    };
    let line = format!("region{}\"us-east-1\"", eq(&mut r));
    item(&mut r, &mut text, line);
    let line = format!("role{}\"arn:aws:iam::123456789012:role/R\"", eq(&mut r));
    item(&mut r, &mut text, line);
    let line = format!("artifacts{}\"s3://bucket-x/p\"", eq(&mut r));
    item(&mut r, &mut text, line);
    let line = format!("config{}\"config.json\"", eq(&mut r));
    item(&mut r, &mut text, line);
    let tags =
        r.pick(&["[\"a\", \"b\"]", "[\n  \"a\",\n  \"b\",\n]", "[ \"a\" ,\"b\" ]", "[\"a\",\n # b next\n \"b\"]"]);
    let line = format!("tags{}{tags}", eq(&mut r));
    item(&mut r, &mut text, line);
    let retry = r.pick(&[
        "retry { attempts = 2, delay = 5m }",
        "retry = {attempts=2,delay=5m}",
        "retry {\n    attempts = 2 # twice\n    delay = 5m\n  }",
    ]);
    let line = retry.to_string();
    item(&mut r, &mut text, line);
    let attributes = r.pick(&["", " { min = 1, max = 9 }", " {\n  description = \"depth\"\n  min = 1\n}"]);
    let line = format!("param depth: int{}5{attributes}", eq(&mut r));
    item(&mut r, &mut text, line);
    let line = format!("param label{}:  string = \"y\"", r.pick(&["", " "]));
    item(&mut r, &mut text, line);
    let line = "image i = \"123456789012.dkr.ecr.us-east-1.amazonaws.com/i:1\"".to_string();
    item(&mut r, &mut text, line);
    let steps = 2 + r.next() % 4;
    for s in 0..steps {
        let mut body = String::new();
        let sep = |r: &mut Rng| r.pick(&["\n    ", "\n    ", ", ", "\n\n    ", "  # note\n    "]).to_string();
        body.push_str(&format!("image{}i", eq(&mut r)));
        body.push_str(&sep(&mut r));
        body.push_str(&format!("instance{}\"ml.m5.large\"", eq(&mut r)));
        body.push_str(&sep(&mut r));
        body.push_str(&format!("code{}\"code/job.py\"", eq(&mut r)));
        body.push_str(&sep(&mut r));
        let env = r.pick(&[
            "{ A = \"1\", \"ODD_KEY\" = \"${params.label}\" }",
            "{\n      A = \"1\"   # one\n\n      \"ODD_KEY\" = \"${params.label}\",\n    }",
        ]);
        body.push_str(&format!("env{}{env}", eq(&mut r)));
        body.push_str(&sep(&mut r));
        body.push_str(&format!("args{}[\"--depth\", \"${{params.depth}}\", config.a.b]", eq(&mut r)));
        for from in 0..s {
            if r.chance(60) {
                body.push_str("\n    ");
                let typed = r.pick(&["", ": dataset<csv>", " :dataset<csv>"]);
                body.push_str(&format!("in from{from}{typed}{}s{from}.out", eq(&mut r)));
            }
        }
        body.push_str("\n    out out: dataset<csv>");
        if r.chance(30) {
            body.push_str(&format!(
                "\n    out extra_{s}:  dataset<csv> {{ uri = \"s3://bucket-x/extra/{s}/${{run.id}}/\" }}"
            ));
        }
        let line = format!("step s{s}: processing {{\n    {body}\n  }}");
        item(&mut r, &mut text, line);
    }
    text.push('}');
    text.push_str(r.pick(&["\n", "\n# the end\n", ""]));
    text
}

fn build(text: &str, target: Target) -> String {
    let files = MemoryFiles::default().with("code/job.py", "print(1)\n").with("config.json", r#"{"a": {"b": "text"}}"#);
    let checked =
        mlpc::compile(text, &files, &CheckOptions::default(), Some(&TargetOptions::defaults(target)), "gen.mlp");
    assert!(!checked.has_errors(), "{text}\n{:#?}", checked.diagnostics);
    checked.output.expect("an output").contents
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    /// Formatting is idempotent and builds to the same artifacts on every target:
    /// the checked pipeline is the same.
    #[test]
    fn formatting_generated_pipelines_changes_nothing_they_mean(seed in any::<u64>()) {
        let text = pipeline_in_some_layout(seed);
        let out = match format(&text) {
            Ok(out) => out,
            Err(e) => return Err(TestCaseError::fail(format!("{e:?}\n{text}"))),
        };
        prop_assert_eq!(format(&out).ok(), Some(out.clone()), "not idempotent");
        let before: Vec<&str> = text.lines().filter_map(|l| l.find('#').map(|i| l[i..].trim_end())).collect();
        let after: Vec<&str> = out.lines().filter_map(|l| l.find('#').map(|i| l[i..].trim_end())).collect();
        prop_assert_eq!(before, after, "comments kept, in order");
        for target in Target::ALL {
            prop_assert_eq!(build(&text, target), build(&out, target), "{:?}", target);
        }
    }
}
