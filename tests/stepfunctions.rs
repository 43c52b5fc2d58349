//! The Step Functions target proven outside mlpc: every example and test pipeline, in
//! both query languages, passes asl-validator; the JSONPath machines run in moto's
//! Step Functions interpreter (Tasks replaced by Pass states) with every step entered
//! once and every `.mlp` edge respected; independent steps of series-parallel
//! pipelines sit in separate branches of one Parallel; the two languages give the
//! same states and transitions; `mlpc deploy` creates, updates and starts.
//!
//! asl-validator comes from `scripts/setup-node`, moto from `scripts/setup-python`;
//! this test fails, not skips, when they are missing.
// mlpc-test: end-to-end (real consumers from scripts/setup-python and scripts/setup-node)

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use mlpc::ir::{Pipeline, StepId};
use mlpc::schedule::plan;
use mlpc::targets::stepfunctions::QueryLanguage;
use mlpc::targets::{Target, TargetOptions};
use serde_json::{json, Value as Json};

fn tool(path: &str, setup: &str) -> PathBuf {
    let path = common::root().join(path);
    assert!(path.exists(), "{} is missing: run {setup}", path.display());
    path
}

/// The checked pipeline and its machine; `None` when the checker refuses it here.
fn build(path: &Path, lang: QueryLanguage) -> Option<(Pipeline, String)> {
    let text = std::fs::read_to_string(path).unwrap();
    let files = common::Dir(path.parent().unwrap().to_path_buf());
    let ir = mlpc::check(&text, &files, &Default::default(), Some(Target::StepFunctions)).pipeline?;
    let options = TargetOptions::StepFunctions { query_language: lang };
    let out = mlpc::targets::build(&ir, &options, "").unwrap().output.unwrap();
    Some((ir, out.contents))
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mlpc-sfn-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn every_machine_passes_asl_validator_in_both_languages() {
    let validator = tool("target/node/node_modules/.bin/asl-validator", "scripts/setup-node");
    let dir = temp_dir("valid");
    let mut cmd = Command::new(validator);
    let mut count = 0;
    for path in common::pipelines() {
        for (lang, suffix) in [(QueryLanguage::Jsonata, "jsonata"), (QueryLanguage::Jsonpath, "jsonpath")] {
            if let Some((_, asl)) = build(&path, lang) {
                let file = dir.join(format!("{}.{suffix}.json", path.file_stem().unwrap().to_string_lossy()));
                std::fs::write(&file, asl).unwrap();
                cmd.arg("--json-path").arg(&file);
                count += 1;
            }
        }
    }
    assert!(count >= 16, "too few machines: {count}");
    let out = cmd.output().unwrap();
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{report}{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(report.matches("is valid").count(), count, "{report}");
}

/// Runs the JSONPath machine of `path` in moto with Tasks as Pass states.
fn run(moto: &common::Moto, path: &str, input: &str, name: &str) -> (Pipeline, Json) {
    run_with_reports(moto, path, input, name, &Json::Null)
}

/// `run`, with the documents the report reads get (`{"STEP.OUTPUT": document}`).
fn run_with_reports(moto: &common::Moto, path: &str, input: &str, name: &str, reports: &Json) -> (Pipeline, Json) {
    run_with_options(moto, path, input, name, reports, &[])
}

/// `run_with_reports`, with run_in_moto.py's options (`render`, `live=STATE,...`).
fn run_with_options(
    moto: &common::Moto,
    path: &str,
    input: &str,
    name: &str,
    reports: &Json,
    options: &[String],
) -> (Pipeline, Json) {
    let (ir, asl) = build(&common::root().join(path), QueryLanguage::Jsonpath).unwrap();
    let file = temp_dir(name).join("machine.json");
    std::fs::write(&file, asl).unwrap();
    let mut args = vec![moto.url(), file.to_str().unwrap().to_string(), input.to_string(), name.to_string()];
    if !reports.is_null() {
        args.push(format!("reports={reports}"));
    }
    args.extend(options.iter().cloned());
    let out = Command::new(tool("target/py/moto/bin/python", "scripts/setup-python"))
        .arg(common::root().join("tests/stepfunctions/run_in_moto.py"))
        .args(&args)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    (ir, serde_json::from_slice(&out.stdout).unwrap())
}

/// Every step pair (a, b) where b depends on a, directly or not.
fn depends(ir: &Pipeline) -> BTreeSet<(StepId, StepId)> {
    let mut out = BTreeSet::new();
    for id in ir.order.iter().rev() {
        for next in ir.downstream(*id) {
            out.insert((*id, next));
            let later: Vec<StepId> = out.iter().filter(|(a, _)| *a == next).map(|(_, b)| *b).collect();
            out.extend(later.into_iter().map(|b| (*id, b)));
        }
    }
    out
}

#[test]
fn abalone_reads_the_inputs_the_execution_is_given_in_moto() {
    let moto = common::Moto::start();
    let (_, asl) =
        build(&common::root().join("examples/abalone_batch/abalone_batch.mlp"), QueryLanguage::Jsonpath).unwrap();
    let file = temp_dir("abalone").join("machine.json");
    std::fs::write(&file, asl).unwrap();
    let input =
        r#"{"input_data": "s3://acme-data/abalone/2026-12-01/abalone.csv", "batch_data": "s3://acme-data/batch/7/"}"#;
    let (status, rendered) = common::render_in_moto(&moto, &file, input, "abalone");
    assert_eq!(status, "SUCCEEDED");
    // `batch_data` is required: a run without it ends before any step.
    let (_, r) =
        run(&moto, "examples/abalone_batch/abalone_batch.mlp", r#"{"input_data": "s3://acme-data/x.csv"}"#, "missing");
    assert_eq!(r["status"], "FAILED", "{r}");
    let entered: Vec<&str> = r["events"].as_array().unwrap().iter().filter_map(|e| e[1].as_str()).collect();
    assert!(entered.contains(&"Missing parameter batch_data"), "{r}");
    assert!(!entered.contains(&"preprocess"), "no step runs without a required parameter: {r}");
    assert_eq!(
        rendered["preprocess"]["ProcessingInputs"][0]["S3Input"]["S3Uri"],
        "s3://acme-data/abalone/2026-12-01/abalone.csv"
    );
    assert_eq!(rendered["batch"]["TransformInput"]["DataSource"]["S3DataSource"]["S3Uri"], "s3://acme-data/batch/7/");
}

#[test]
fn output_references_in_text_render_to_the_outputs_locations_in_moto() {
    let moto = common::Moto::start();
    let (_, asl) = build(&common::root().join("tests/targets/output_references.mlp"), QueryLanguage::Jsonpath).unwrap();
    let file = temp_dir("refs").join("machine.json");
    std::fs::write(&file, asl).unwrap();
    let (status, rendered) = common::render_in_moto(&moto, &file, "{}", "refs-run");
    assert_eq!(status, "SUCCEEDED");
    let root = "s3://demo-bucket/pipelines/output_references/refs-run";
    let args = &rendered["report"]["AppSpecification"]["ContainerArguments"];
    assert_eq!(args[3], format!("{root}/prep/rows/manifest.json"), "{args}");
    // The archive the training state reported (run_in_moto.py's stand-in for the job).
    assert_eq!(args[1], "s3://mlpc-reported-models/fit/output/model.tar.gz", "{args}");
    assert_eq!(rendered["report"]["Environment"]["STATS"], format!("{root}/prep/stats/"));
    assert_eq!(rendered["fit"]["HyperParameters"]["stats"], format!("{root}/prep/stats/"));
}

#[test]
fn sql_statements_run_as_written_in_moto() {
    let moto = common::Moto::start();
    let (_, asl) = build(&common::root().join("tests/targets/sql_statements.mlp"), QueryLanguage::Jsonpath).unwrap();
    let file = temp_dir("statements").join("machine.json");
    std::fs::write(&file, asl).unwrap();
    let (status, r) = common::render_in_moto(&moto, &file, r#"{"day": "2026-12-02"}"#, "statements-run");
    assert_eq!(status, "SUCCEEDED");
    assert_eq!(r["repair"]["QueryString"], "MSCK REPAIR TABLE events.clicks", "{}", r["repair"]);
    assert_eq!(
        r["repair"]["ResultConfiguration"]["OutputLocation"],
        "s3://acme-data/pipelines/sql_statements/statements-run/repair/_athena/"
    );
    assert!(r["daily"]["QueryString"].as_str().unwrap().starts_with("UNLOAD ("), "{}", r["daily"]);
    assert_eq!(r["vacuum"]["Sql"], "DELETE FROM staging.clicks WHERE day < '2026-12-02'");
    assert_eq!(r["grant"]["Sql"], "GRANT SELECT ON staging.clicks TO GROUP analysts");
    assert_eq!(r["grant"]["ClusterIdentifier"], "analytics");
}

#[test]
fn models_trained_in_parallel_branches_are_read_where_their_jobs_reported_them() {
    let moto = common::Moto::start();
    let (_, asl) = build(&common::root().join("tests/targets/retried_training.mlp"), QueryLanguage::Jsonpath).unwrap();
    let file = temp_dir("models").join("machine.json");
    std::fs::write(&file, asl).unwrap();
    let (status, r) = common::render_in_moto(&moto, &file, "{}", "models-run");
    assert_eq!(status, "SUCCEEDED");
    // run_in_moto.py's stand-in jobs report these: no key a consumer could compute.
    let reported = |step: &str| format!("s3://mlpc-reported-models/{step}/output/model.tar.gz");
    let compare = &r["compare"];
    assert_eq!(compare["AppSpecification"]["ContainerArguments"], json!([reported("fit_a"), reported("fit_b")]));
    assert_eq!(compare["ProcessingInputs"][0]["S3Input"]["S3Uri"], reported("fit_a"));
    assert_eq!(compare["ProcessingInputs"][1]["S3Input"]["S3Uri"], reported("fit_b"));
    assert_eq!(r["score_model"]["PrimaryContainer"]["ModelDataUrl"], reported("fit_b"));
}

#[test]
fn outputs_with_their_own_uri_are_written_and_read_there_in_moto() {
    let moto = common::Moto::start();
    let (_, asl) = build(&common::root().join("tests/targets/output_uris.mlp"), QueryLanguage::Jsonpath).unwrap();
    let file = temp_dir("uris").join("machine.json");
    std::fs::write(&file, asl).unwrap();
    let (status, r) = common::render_in_moto(&moto, &file, r#"{"day": "2026-12-02"}"#, "uris-run");
    assert_eq!(status, "SUCCEEDED");
    let rows = "s3://demo-lake/rows/2026-12-02/uris-run/";
    assert!(r["q"]["QueryString"].as_str().unwrap().contains(&format!("TO '{rows}'")), "{}", r["q"]);
    assert_eq!(r["prep"]["ProcessingInputs"][0]["S3Input"]["S3Uri"], rows);
    let train = "s3://demo-lake/train/uris-run/";
    assert_eq!(r["prep"]["ProcessingOutputConfig"]["Outputs"][0]["S3Output"]["S3Uri"], train);
    assert_eq!(r["fit"]["InputDataConfig"][0]["DataSource"]["S3DataSource"]["S3Uri"], train);
    assert_eq!(r["fit"]["OutputDataConfig"]["S3OutputPath"], "s3://demo-models/abalone/uris-run/");
    assert_eq!(r["score"]["TransformOutput"]["S3OutputPath"], "s3://demo-lake/scores/uris-run/");
}

/// moto keeps the context's `Execution.StartTime` as a datetime, where Step Functions
/// gives an ISO 8601 string, so `run.date` is rendered here by the `jsonata` package with
/// a start time as Step Functions gives it (JSONPath's form is checked by asl-validator).
#[test]
fn run_date_is_the_executions_start_date() {
    let (_, asl) = build(&common::root().join("tests/targets/run_date.mlp"), QueryLanguage::Jsonata).unwrap();
    let machine: Json = serde_json::from_str(&asl).unwrap();
    let bindings = serde_json::json!({
        "params": {},
        "jobid": "0123456789ab",
        "states": { "context": {
            "Execution": { "Name": "dated-run", "StartTime": "2026-12-02T23:59:58.123Z" },
            "State": { "RetryCount": 0 },
        } },
    });
    let rendered = common::render_jsonata(&machine, &bindings);
    let day = "2026-12-02";
    assert_eq!(rendered["prep"]["AppSpecification"]["ContainerArguments"], serde_json::json!(["--day", day]));
    assert_eq!(rendered["prep"]["ProcessingInputs"][1]["S3Input"]["S3Uri"], format!("s3://demo-lake/batch/{day}/"));
    let query = rendered["q"]["QueryString"].as_str().unwrap();
    assert!(query.contains(&format!("where day = '{day}'")), "{query}");
    assert!(query.contains(&format!("TO 's3://demo-lake/events/{day}/dated-run/'")), "{query}");
}

/// A python step off Airflow is a processing job running `mlpc_runner.py`: the job's
/// arguments, as Step Functions renders them (the `jsonata` package), are run here by
/// the real runner laid out as the job's inputs are, and the callable gets its typed
/// args and the S3 URIs of its input and output.
#[test]
fn a_python_step_runs_as_a_processing_job_that_calls_the_callable() {
    let path = common::root().join("tests/targets/python_job.mlp");
    let (_, asl) = build(&path, QueryLanguage::Jsonata).unwrap();
    let machine: Json = serde_json::from_str(&asl).unwrap();
    let bindings = serde_json::json!({
        "params": { "mode": "strict" },
        "jobid": "0123456789ab",
        "states": { "context": { "Execution": { "Name": "py-run" }, "State": { "RetryCount": 0 } } },
    });
    let job = &common::render_jsonata(&machine, &bindings)["validate"];
    let inputs = temp_dir("python-job").join("input");
    for (folder, file) in [
        ("mlpc_runner", common::root().join("crates/mlpc-core/templates/python/mlpc_runner.py")),
        ("code", common::root().join("tests/targets/code/quality_checks.py")),
    ] {
        std::fs::create_dir_all(inputs.join(folder)).unwrap();
        std::fs::copy(&file, inputs.join(folder).join(file.file_name().unwrap())).unwrap();
    }
    let entrypoint: Vec<&str> = job["AppSpecification"]["ContainerEntrypoint"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    assert_eq!(entrypoint, ["python3", "/opt/ml/processing/input/mlpc_runner/mlpc_runner.py"]);
    let args: Vec<&str> =
        job["AppSpecification"]["ContainerArguments"].as_array().unwrap().iter().map(|a| a.as_str().unwrap()).collect();
    let out = Command::new("python3").arg(inputs.join("mlpc_runner/mlpc_runner.py")).args(&args).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let called: Json = serde_json::from_slice(&out.stdout).unwrap();
    let root = "s3://demo-bucket/pipelines/python_job/py-run";
    assert_eq!(
        called,
        serde_json::json!({
            "mode": "strict", "level": 3, "strict": true,
            "data": format!("{root}/prep/rows/"), "report": format!("{root}/validate/report/"),
        })
    );
    let names: Vec<&str> =
        job["ProcessingInputs"].as_array().unwrap().iter().map(|i| i["InputName"].as_str().unwrap()).collect();
    assert_eq!(names, ["mlpc_runner", "code"]);
}

/// The Redshift statement as Step Functions sends it (moto's Pass stand-ins do not keep
/// the Data API call, so the `jsonata` package renders it).
#[test]
fn a_config_filter_with_doubled_quotes_reaches_redshift_with_single_quotes() {
    let path = common::root().join("tests/targets/redshift_escaped/redshift_escaped.mlp");
    let (_, asl) = build(&path, QueryLanguage::Jsonata).unwrap();
    let machine: Json = serde_json::from_str(&asl).unwrap();
    let bindings = serde_json::json!({
        "params": {},
        "jobid": "0123456789ab",
        "states": { "context": { "Execution": { "Name": "escaped-run" }, "State": { "RetryCount": 0 } } },
    });
    let rendered = common::render_jsonata(&machine, &bindings);
    let sql = rendered["extract"]["Sql"].as_str().unwrap();
    assert!(sql.contains("where timestamp between '2020-01' and '2022-07'"), "{sql}");
}

#[test]
fn control_flow_keeps_every_edge_and_runs_every_step_once_in_moto() {
    let moto = common::Moto::start();
    let cases = [
        "examples/redshift_xgboost/redshift_xgboost.mlp", // a chain
        "tests/targets/fan_out.mlp",
        "tests/targets/fan_in.mlp",
        "tests/targets/diamond.mlp",
        "tests/targets/not_series_parallel.mlp",
        "examples/churn/churn.mlp",
        "tests/targets/every_job.mlp",
        "tests/targets/python_job.mlp",
    ];
    for (i, path) in cases.iter().enumerate() {
        let (ir, r) = run(&moto, path, "{}", &format!("flow-{i}"));
        assert_eq!(r["status"], "SUCCEEDED", "{path}: {r}");
        let events: Vec<(String, String)> = r["events"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|e| Some((e[0].as_str()?.to_string(), e[1].as_str()?.to_string())))
            .collect();
        let position = |name: &str, suffix: &str, last: bool| {
            let mut hits = events.iter().enumerate().filter(|(_, (t, n))| n == name && t.ends_with(suffix));
            let hit = if last { hits.next_back() } else { hits.next() };
            hit.map(|(i, _)| i).unwrap_or_else(|| panic!("{path}: `{name}` never {suffix}"))
        };
        for step in &ir.steps {
            let entered = events.iter().filter(|(t, n)| *n == step.name.node && t.ends_with("StateEntered")).count();
            assert_eq!(entered, 1, "{path}: step `{}` entered {entered} times", step.name.node);
        }
        for (a, b) in depends(&ir) {
            let (a, b) = (&ir.steps[a.0].name.node, &ir.steps[b.0].name.node);
            // A Redshift step is done when its polling loop is.
            let a_done =
                if events.iter().any(|(_, n)| *n == format!("{a} done")) { format!("{a} done") } else { a.clone() };
            assert!(position(&a_done, "StateExited", true) < position(b, "StateEntered", false), "{path}: {a} → {b}");
        }
        let defaults: serde_json::Map<String, Json> = ir
            .params
            .iter()
            .map(|p| (p.name.node.clone(), serde_json::to_value(common::default_text(&ir, &p.name.node)).unwrap()))
            .collect();
        assert_eq!(r["output"]["params"].as_object().map(|m| m.len()), Some(defaults.len()), "{path}: {r}");
    }
}

#[test]
fn parameters_merge_with_defaults_and_are_type_checked_in_moto() {
    let moto = common::Moto::start();
    let (_, r) = run(&moto, "examples/churn/churn.mlp", r#"{"max_depth": 7}"#, "override");
    assert_eq!(r["status"], "SUCCEEDED", "{r}");
    assert_eq!(
        r["output"]["params"],
        json!({"max_depth": 7, "eta": 0.2, "train_end": "2021-12", "instance": "ml.m5.xlarge"})
    );
    let (_, r) = run(&moto, "examples/churn/churn.mlp", r#"{"max_depth": "7"}"#, "wrong-type");
    assert_eq!(r["status"], "FAILED", "{r}");
    let entered: Vec<&str> = r["events"].as_array().unwrap().iter().filter_map(|e| e[1].as_str()).collect();
    assert!(entered.contains(&"Invalid parameter max_depth"), "{r}");
    assert!(!entered.contains(&"extract"), "no step runs with a mistyped parameter: {r}");
}

/// For each state: the Parallel states around it, with the branch it is in.
fn branches(states: &Json, around: &[(String, usize)], out: &mut BTreeMap<String, Vec<(String, usize)>>) {
    for (name, state) in states.as_object().unwrap() {
        out.insert(name.clone(), around.to_vec());
        if let Some(bs) = state["Branches"].as_array() {
            for (i, b) in bs.iter().enumerate() {
                let mut inner = around.to_vec();
                inner.push((name.clone(), i));
                branches(&b["States"], &inner, out);
            }
        }
    }
}

#[test]
fn independent_steps_of_series_parallel_pipelines_run_in_separate_branches() {
    for path in [
        "tests/targets/diamond.mlp",
        "tests/targets/fan_in.mlp",
        "tests/targets/fan_out.mlp",
        "tests/targets/every_job.mlp",
        "examples/churn/churn.mlp",
    ] {
        for lang in [QueryLanguage::Jsonata, QueryLanguage::Jsonpath] {
            let (ir, asl) = build(&common::root().join(path), lang).unwrap();
            let def: Json = serde_json::from_str(&asl).unwrap();
            let mut where_ = BTreeMap::new();
            branches(&def["States"], &[], &mut where_);
            let deps = depends(&ir);
            let mut pairs = 0;
            for a in &ir.steps {
                for b in ir.steps.iter().filter(|b| b.id > a.id) {
                    if deps.contains(&(a.id, b.id)) || deps.contains(&(b.id, a.id)) {
                        continue;
                    }
                    pairs += 1;
                    let (wa, wb) = (&where_[&a.name.node], &where_[&b.name.node]);
                    let split = wa.iter().zip(wb.iter()).find(|(x, y)| x != y);
                    assert!(
                        matches!(split, Some((x, y)) if x.0 == y.0),
                        "{path}: `{}` and `{}` are independent but not in separate branches of one Parallel",
                        a.name.node,
                        b.name.node
                    );
                }
            }
            assert!(pairs > 0 || path.contains("churn"), "{path}: no independent steps to check");
            assert!(plan::added_waits(&ir, &plan::plan(&ir)).is_empty(), "{path}: waiting added");
        }
    }
}

#[test]
fn a_graph_that_is_not_series_parallel_waits_only_where_it_must() {
    let (ir, _) = build(&common::root().join("tests/targets/not_series_parallel.mlp"), QueryLanguage::Jsonata).unwrap();
    let waits: Vec<(String, String)> = plan::added_waits(&ir, &plan::plan(&ir))
        .into_iter()
        .map(|(a, b)| (ir.steps[a.0].name.node.clone(), ir.steps[b.0].name.node.clone()))
        .collect();
    assert_eq!(waits, [("a".to_string(), "d".to_string())], "only d waits for a step it does not read");
}

/// Each state's type and successors (Next, End, Default, Choices, branch starts),
/// with JSONPath's extra "Merge parameters" step folded into "Start run", and
/// JSONata's "… branch N results" (the Pass that ends a branch that leaves results
/// for later states, whose variables end with it) folded into the state before it.
/// Successive rules to one state count once: JSONPath tests a report value's presence
/// and its type in two rules, JSONata in one.
fn transitions(states: &Json, out: &mut BTreeMap<String, (String, Vec<String>)>) {
    for (name, s) in states.as_object().unwrap() {
        let mut next: Vec<String> =
            ["Next", "Default"].iter().filter_map(|k| s[k].as_str().map(String::from)).collect();
        if s["End"] == json!(true) {
            next.push("(end)".into());
        }
        for c in s["Choices"].as_array().into_iter().flatten() {
            next.extend(c["Next"].as_str().map(String::from));
        }
        next.dedup();
        for b in s["Branches"].as_array().into_iter().flatten() {
            next.push(format!("branch:{}", b["StartAt"].as_str().unwrap()));
            transitions(&b["States"], out);
        }
        for c in s["Catch"].as_array().into_iter().flatten() {
            next.extend(c["Next"].as_str().map(|n| format!("catch:{n}")));
        }
        out.insert(name.clone(), (s["Type"].as_str().unwrap().to_string(), next));
    }
}

#[test]
fn both_query_languages_give_the_same_states_and_transitions() {
    for path in common::pipelines() {
        let (Some((_, a)), Some((_, b))) =
            (build(&path, QueryLanguage::Jsonata), build(&path, QueryLanguage::Jsonpath))
        else {
            continue;
        };
        let (mut ta, mut tb) = (BTreeMap::new(), BTreeMap::new());
        transitions(&serde_json::from_str::<Json>(&a).unwrap()["States"], &mut ta);
        transitions(&serde_json::from_str::<Json>(&b).unwrap()["States"], &mut tb);
        let merge = tb.remove("Merge parameters").unwrap();
        tb.insert("Start run".into(), ("Pass".into(), merge.1));
        let exports: Vec<String> =
            ta.keys().filter(|n| n.contains(" branch ") && n.ends_with(" results")).cloned().collect();
        for export in exports {
            let (_, after) = ta.remove(&export).unwrap();
            for (_, next) in ta.values_mut() {
                if let Some(at) = next.iter().position(|n| *n == export) {
                    next.splice(at..=at, after.clone());
                }
            }
        }
        assert_eq!(ta, tb, "{}", path.display());
    }
}

#[test]
fn builds_are_byte_identical() {
    for path in common::pipelines() {
        for lang in [QueryLanguage::Jsonata, QueryLanguage::Jsonpath] {
            assert_eq!(build(&path, lang).map(|b| b.1), build(&path, lang).map(|b| b.1), "{}", path.display());
        }
    }
}

#[test]
fn deploy_creates_updates_and_starts_against_moto() {
    let moto = common::Moto::start();
    let url = moto.url();
    let python = tool("target/py/moto/bin/python", "scripts/setup-python");
    let state = |extra: &[&str]| {
        let out = Command::new(&python)
            .arg(common::root().join("tests/stepfunctions/deploy_state.py"))
            .arg(&url)
            .args(extra)
            .env("AWS_ACCESS_KEY_ID", "test")
            .env("AWS_SECRET_ACCESS_KEY", "test")
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_slice::<Json>(&out.stdout).unwrap_or(Json::Null)
    };
    state(&["create-bucket", "acme-ml"]);
    let mlpc_at = |endpoint: &str, extra: &[&str]| {
        let mut args =
            vec!["deploy", "examples/churn/churn.mlp", "--target", "stepfunctions", "--endpoint-url", endpoint];
        args.extend_from_slice(extra);
        let out = Command::new(env!("CARGO_BIN_EXE_mlpc"))
            .args(&args)
            .current_dir(common::root())
            .env("AWS_ACCESS_KEY_ID", "test")
            .env("AWS_SECRET_ACCESS_KEY", "test")
            .env("AWS_CONFIG_FILE", "/nonexistent")
            .env("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env_remove("AWS_ENDPOINT_URL")
            .output()
            .unwrap();
        (out.status.code(), String::from_utf8_lossy(&out.stderr).into_owned())
    };
    let mlpc = |extra: &[&str]| mlpc_at(&url, extra);
    let role = "arn:aws:iam::123456789012:role/StepFunctions";
    let (code, err) = mlpc(&[]);
    assert_eq!(code, Some(2), "creating needs a role: {err}");
    assert!(err.contains("--role-arn"), "{err}");
    let (code, err) = mlpc(&["--role-arn", role]);
    assert_eq!(code, Some(0), "{err}");
    assert!(err.contains("(created)"), "{err}");
    let (code, err) = mlpc(&["--start", "--param", "max_depth=7", "--input", r#"{"eta": 0.5}"#]);
    assert_eq!(code, Some(0), "{err}");
    assert!(err.contains("(updated)") && err.contains("execution arn:aws:states:"), "{err}");
    let s = state(&[]);
    let machines = s["machines"].as_object().unwrap();
    assert_eq!(machines.keys().collect::<Vec<_>>(), ["churn"]);
    let built = build(&common::root().join("examples/churn/churn.mlp"), QueryLanguage::Jsonata).unwrap().1;
    assert_eq!(machines["churn"]["definition"].as_str().unwrap(), built);
    assert_eq!(machines["churn"]["role"], role);
    let executions = machines["churn"]["executions"].as_array().unwrap();
    assert_eq!(executions.len(), 1);
    assert_eq!(executions[0]["input"], json!({"eta": 0.5, "max_depth": 7}));
    assert!(executions[0]["name"].as_str().unwrap().starts_with("run-"));
    let (code, err) = mlpc(&["--start", "--input", "[1]"]);
    assert_eq!(code, Some(2), "{err}");
    let (code, err) = mlpc_at("http://127.0.0.1:9", &["--role-arn", role]);
    assert_eq!(code, Some(3), "{err}");
    assert!(err.contains("the endpoint cannot be reached"), "{err}");
}

#[test]
fn a_float_param_is_spelled_in_jsonata_as_python_and_airflow_spell_it() {
    let values = [
        2.0,
        0.2,
        1e-5,
        1.5e-7,
        1e20,
        1e16,
        1e15,
        0.0001,
        -2.5e-300,
        123.456,
        0.001,
        2.71,
        100.0,
        -0.5,
        0.0,
        1e21,
        9.999e15,
        1.7976931348623157e308,
        5e-324,
        0.05,
        6.0,
        -7.25,
    ];
    let expr = mlpc::targets::stepfunctions::expr::python_float("$params.x");
    let machine = json!({ "States": { "t": { "Type": "Task", "Arguments": { "x": format!("{{% {expr} %}}") } } } });
    for v in values {
        let rendered = common::render_jsonata(&machine, &json!({ "params": { "x": v } }));
        assert_eq!(rendered["t"]["x"], json!(mlpc::ir::format_float(v)), "{v}");
    }
}

/// The names of the states a moto execution entered, in order.
fn entered(r: &Json) -> Vec<String> {
    r["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e[0].as_str().is_some_and(|t| t.ends_with("StateEntered")))
        .filter_map(|e| e[1].as_str().map(str::to_string))
        .collect()
}

/// tests/targets/gates.mlp in moto, the report's value given: a low MSE runs the batch
/// transform and skips the fail step; a high one ends the run in the fail step with the
/// message, the transform's states never entered; a missing or mistyped value fails
/// the run saying which value.
#[test]
fn a_quality_gate_runs_the_transform_or_fails_with_the_message_in_moto() {
    let moto = common::Moto::start();
    let input = r#"{"batch_data": "s3://acme-ml/batch/"}"#;
    let report =
        |mse: Json| serde_json::json!({ "evaluate.evaluation": { "regression_metrics": { "mse": { "value": mse } } } });

    let (_, low) = run_with_reports(&moto, "tests/targets/gates.mlp", input, "gate-low", &report(5.into()));
    assert_eq!(low["status"], "SUCCEEDED", "{low}");
    let states = entered(&low);
    for state in
        ["mse_ok reads evaluate.evaluation", "mse_ok", "mse_ok holds", "abalone_model", "batch", "too_high skipped"]
    {
        assert!(states.iter().any(|s| s == state), "`{state}` not entered: {states:?}");
    }
    assert!(
        !states.iter().any(|s| s == "too_high" || s.ends_with(" skipped") && s != "too_high skipped"),
        "{states:?}"
    );
    assert_eq!(low["output"]["steps"]["mse_ok"]["outcome"], "true", "{low}");

    let (_, high) = run_with_reports(&moto, "tests/targets/gates.mlp", input, "gate-high", &report(7.0.into()));
    assert_eq!(high["status"], "FAILED", "{high}");
    assert_eq!(high["error"], "mlpc.Fail", "{high}");
    assert_eq!(high["cause"], "MSE 7.0 is above 6.0", "{high}");
    let states = entered(&high);
    for state in ["too_high", "abalone_model skipped", "batch skipped"] {
        assert!(states.iter().any(|s| s == state), "`{state}` not entered: {states:?}");
    }
    assert!(!states.iter().any(|s| s == "batch" || s == "abalone_model" || s == "mse_ok holds"), "{states:?}");

    for (name, value) in [("gate-missing", Json::Null), ("gate-string", "5".into())] {
        let mut given = report(value);
        if name == "gate-missing" {
            given["evaluate.evaluation"]["regression_metrics"] = serde_json::json!({});
        }
        let (_, bad) = run_with_reports(&moto, "tests/targets/gates.mlp", input, name, &given);
        assert_eq!(bad["status"], "FAILED", "{name}: {bad}");
        assert_eq!(bad["error"], "mlpc.ReportValue", "{name}: {bad}");
        let cause = bad["cause"].as_str().unwrap_or_default();
        assert!(
            cause.contains("`evaluate.evaluation.regression_metrics.mse.value` is missing or not a number"),
            "{cause}"
        );
        assert!(!entered(&bad).iter().any(|s| s == "batch" || s == "too_high"), "{name}: {bad}");
    }
}

/// The language contract's Abalone pipeline (examples/abalone) in moto, its
/// register states calling moto's SageMaker: a low MSE registers a version in the group
/// (created by the first run, passed over by the second, which adds version 2), with
/// the approval the run was given, the model its training Task reported and the run's
/// report as metrics; a high MSE ends in the fail step and registers nothing.
#[test]
fn the_contract_abalone_registers_a_model_version_in_moto() {
    let moto = common::Moto::start();
    let path = "examples/abalone/abalone.mlp";
    let input = r#"{"batch_data": "s3://acme-ml/batch/", "approval_status": "Approved"}"#;
    let report =
        |mse: Json| serde_json::json!({ "evaluate.evaluation": { "regression_metrics": { "mse": { "value": mse } } } });
    let live = ["live=register_model group,register_model".to_string()];

    let (_, first) = run_with_options(&moto, path, input, "abalone-low-1", &report(5.into()), &live);
    assert_eq!(first["status"], "SUCCEEDED", "{first}");
    let states = entered(&first);
    for state in
        ["mse_ok holds", "abalone_model", "register_model group", "register_model", "batch", "too_high skipped"]
    {
        assert!(states.iter().any(|s| s == state), "`{state}` not entered: {states:?}");
    }
    let packages = first["model_packages"].as_array().unwrap();
    assert_eq!(packages.len(), 1, "{first}");
    let package = &packages[0];
    assert_eq!(package["ModelPackageGroupName"], "abalone-models", "{package:#}");
    assert_eq!(package["ModelPackageVersion"], 1, "{package:#}");
    assert_eq!(package["ModelApprovalStatus"], "Approved", "the run's param: {package:#}");
    let spec = &package["InferenceSpecification"];
    assert_eq!(spec["SupportedContentTypes"], serde_json::json!(["text/csv"]));
    assert_eq!(spec["SupportedRealtimeInferenceInstanceTypes"], serde_json::json!(["ml.t2.medium", "ml.m5.large"]));
    // What the stand-in training Task reported (run_in_moto.py's REPORTED_MODELS).
    assert_eq!(spec["Containers"][0]["ModelDataUrl"], "s3://mlpc-reported-models/train/output/model.tar.gz");
    assert_eq!(
        package["ModelMetrics"]["ModelQuality"]["Statistics"]["S3Uri"],
        "s3://acme-ml/pipelines/abalone/abalone-low-1/evaluate/evaluation/evaluation.json",
        "{package:#}"
    );

    let (_, second) = run_with_options(&moto, path, input, "abalone-low-2", &report(5.into()), &live);
    assert_eq!(second["status"], "SUCCEEDED", "the group exists: {second}");
    let versions: Vec<&Json> =
        second["model_packages"].as_array().unwrap().iter().map(|p| &p["ModelPackageVersion"]).collect();
    assert_eq!(versions.len(), 2, "{second}");

    let (_, high) = run_with_options(&moto, path, input, "abalone-high", &report(7.0.into()), &live);
    assert_eq!(high["status"], "FAILED", "{high}");
    assert_eq!(high["cause"], "MSE 7.0 is above 6.0", "{high}");
    let states = entered(&high);
    assert!(!states.iter().any(|s| s == "register_model" || s == "register_model group"), "{states:?}");
    assert!(states.iter().any(|s| s == "register_model skipped"), "{states:?}");
    assert_eq!(high["model_packages"].as_array().unwrap().len(), 2, "nothing registered: {high}");
}

/// examples/judged/judged.mlp in moto: the Lambda Task's payload renders typed (the
/// report's value, the params, the model the training Task reported, the run's id,
/// literals), its response is written where its report lives, and the condition on
/// the response creates the model, or fails the run with the function's reason.
#[test]
fn a_lambda_step_sends_its_payload_and_its_answer_decides_in_moto() {
    let moto = common::Moto::start();
    let path = "examples/judged/judged.mlp";
    let reports = |approved: bool, reason: &str| {
        json!({
            "evaluate.evaluation": { "regression_metrics": { "mse": { "value": 4.5 } } },
            "judge.verdict": { "score": 0.75, "approved": approved, "reason": reason },
        })
    };
    let options = ["render".to_string()];
    let (_, yes) =
        run_with_options(&moto, path, r#"{"team": "ranking"}"#, "judged-yes", &reports(true, "fine"), &options);
    assert_eq!(yes["status"], "SUCCEEDED", "{yes}");
    let rendered = &yes["output"]["rendered"];
    assert_eq!(rendered["judge"]["FunctionName"], "judge-model", "{rendered:#}");
    assert_eq!(
        rendered["judge"]["Payload"],
        json!({
            "mse": 4.5,
            "min_score": 0.5,
            "team": "ranking",
            "model": "s3://mlpc-reported-models/train/output/model.tar.gz",
            "run": "run judged-yes",
            "strict": true,
            "attempts": 3,
        }),
        "{rendered:#}"
    );
    // The response goes where the report lives, as the Lambda returned it.
    let put = &rendered["judge_writes_verdict"];
    assert_eq!(put["Bucket"], "acme-ml");
    assert_eq!(put["Key"], "pipelines/judged/judged-yes/judge/verdict/report.json");
    let states = entered(&yes);
    for state in
        ["judge reads evaluate.evaluation", "judge", "judge writes verdict", "good_enough holds", "judged_model"]
    {
        assert!(states.iter().any(|s| s == state), "`{state}` not entered: {states:?}");
    }

    let (_, no) = run_with_reports(&moto, path, "{}", "judged-no", &reports(false, "too slow"));
    assert_eq!(no["status"], "FAILED", "{no}");
    assert_eq!(no["error"], "mlpc.Fail", "{no}");
    assert_eq!(no["cause"], "rejected: too slow", "{no}");
    assert!(!entered(&no).iter().any(|s| s == "judged_model"), "{no}");
}

/// The Lambda step in JSONata, evaluated with the `jsonata` package: the payload is
/// typed as in JSONPath, and the response is written as the Lambda returned it.
#[test]
fn a_lambda_step_sends_the_same_payload_in_jsonata() {
    let (_, asl) = build(&common::root().join("examples/judged/judged.mlp"), QueryLanguage::Jsonata).unwrap();
    let machine: Json = serde_json::from_str(&asl).unwrap();
    let answer = json!({ "score": 0.75, "approved": true, "reason": "fine \"quoted\"" });
    let bindings = json!({
        "params": { "min_score": 0.5, "team": "ranking" },
        "report_0": { "regression_metrics": { "mse": { "value": 4.5 } } },
        "model_train": "s3://reported/train/model.tar.gz",
        "lambda_judge": answer,
        "states": { "context": { "Execution": { "Name": "judged-run" }, "State": { "RetryCount": 0 } } },
    });
    let r = common::render_jsonata(&machine, &bindings);
    assert_eq!(
        r["judge"]["Payload"],
        json!({
            "mse": 4.5,
            "min_score": 0.5,
            "team": "ranking",
            "model": "s3://reported/train/model.tar.gz",
            "run": "run judged-run",
            "strict": true,
            "attempts": 3,
        }),
        "{r:#}"
    );
    let written: Json = serde_json::from_str(r["judge writes verdict"]["Body"].as_str().unwrap()).unwrap();
    assert_eq!(written, answer);
}

/// tests/targets/endpoint.mlp in moto, the model and endpoint states calling moto's
/// SageMaker: each endpoint gets this run's configuration serving the created model,
/// and the run goes on once DescribeEndpoint says `InService`; the endpoint that may
/// be updated is created when DescribeEndpoint does not find it.
#[test]
fn endpoints_are_created_and_in_service_when_their_steps_end_in_moto() {
    let moto = common::Moto::start();
    let live = [
        "served_model",
        "live",
        "live create",
        "live status",
        "shadow",
        "shadow exists?",
        "shadow create",
        "shadow status",
    ];
    let options = [format!("live={}", live.join(","))];
    let (_, r) = run_with_options(
        &moto,
        "tests/targets/endpoint.mlp",
        r#"{"instances": 2}"#,
        "serving-1",
        &Json::Null,
        &options,
    );
    assert_eq!(r["status"], "SUCCEEDED", "{r}");
    let states = entered(&r);
    for state in ["live create", "live in service?", "live done", "shadow exists?", "shadow create", "shadow done"] {
        assert!(states.iter().any(|s| s == state), "`{state}` not entered: {states:?}");
    }
    assert!(!states.iter().any(|s| s == "shadow update" || s.ends_with(" failed")), "{states:?}");
    let endpoints = r["endpoints"].as_array().unwrap();
    let mut names: Vec<&str> = endpoints.iter().map(|e| e["EndpointName"].as_str().unwrap()).collect();
    names.sort_unstable();
    assert_eq!(names, ["serving-live", "serving-shadow"], "{r}");
    let live = endpoints.iter().find(|e| e["EndpointName"] == "serving-live").unwrap();
    let config_name = live["EndpointConfigName"].as_str().unwrap();
    assert!(config_name.starts_with("serving-live-"), "a configuration of this run: {config_name}");
    let config =
        r["endpoint_configs"].as_array().unwrap().iter().find(|c| c["EndpointConfigName"] == config_name).unwrap();
    let variant = &config["ProductionVariants"][0];
    assert_eq!(variant["InitialInstanceCount"], 2, "the run's param: {config}");
    assert_eq!(variant["InstanceType"], "ml.m5.large");
    assert!(variant["ModelName"].as_str().unwrap().starts_with("serving-served-model-"), "{config}");
}

/// The same gate in JSONata, its expressions evaluated with the `jsonata` package (moto
/// cannot run JSONata machines): the condition's rules, each step's gate, and the fail
/// step's message, for a low and a high MSE.
#[test]
fn a_quality_gate_decides_the_same_in_jsonata() {
    let (_, asl) = build(&common::root().join("tests/targets/gates.mlp"), QueryLanguage::Jsonata).unwrap();
    let machine: Json = serde_json::from_str(&asl).unwrap();
    for (mse, outcome) in [(5.0, "true"), (7.0, "false"), (6.0, "true")] {
        let bindings = serde_json::json!({
            "params": { "mse_threshold": 6.0, "batch_data": "s3://acme-ml/batch/" },
            "jobid": "0123456789ab",
            "report_0": { "regression_metrics": { "mse": { "value": mse } } },
            "outcome_mse_ok": outcome,
            "states": { "context": { "Execution": { "Name": "gate-run" }, "State": { "RetryCount": 0 } } },
        });
        let r = common::render_jsonata(&machine, &bindings);
        // The type test, then the condition.
        assert_eq!(r["mse_ok"], serde_json::json!([false, outcome == "true"]), "mse {mse}: {r}");
        assert_eq!(r["abalone_model runs?"], serde_json::json!([outcome == "true"]), "mse {mse}");
        assert_eq!(r["batch runs?"], serde_json::json!([outcome == "true"]), "mse {mse}");
        assert_eq!(r["too_high runs?"], serde_json::json!([outcome == "false"]), "mse {mse}");
        assert_eq!(r["too_high"]["Error"], "mlpc.Fail");
        assert_eq!(r["too_high"]["Cause"], format!("MSE {mse:?} is above 6.0"), "mse {mse}");
    }
    let bindings =
        serde_json::json!({ "params": {}, "report_0": { "regression_metrics": { "mse": { "value": "5" } } } });
    let r = common::render_jsonata(&machine, &bindings);
    assert_eq!(r["mse_ok"][0], true, "a string is not a number: {r}");
}

/// examples/tuned/tuned.mlp in moto: the tuning Task's request is named within the
/// 32 characters a tuning job may have, and every step that reads the tuned model
/// (evaluate's input, the registered version, the Lambda's payload) gets the archive
/// in the folder of the best training job the Task reported. A high MSE fails the run
/// with the message, nothing registered or announced.
#[test]
fn a_tuning_steps_best_model_reaches_its_readers_in_moto() {
    let moto = common::Moto::start();
    let path = "examples/tuned/tuned.mlp";
    let reports = |mse: f64| json!({ "evaluate.evaluation": { "regression_metrics": { "mse": { "value": mse } } } });
    let (_, asl) = build(&common::root().join(path), QueryLanguage::Jsonpath).unwrap();
    let file = temp_dir("tuned-good").join("machine.json");
    std::fs::write(&file, asl).unwrap();
    let (good, rendered) = common::render_in_moto_with_reports(&moto, &file, "{}", "tuned-good", &reports(4.5));
    assert_eq!(good["status"], "SUCCEEDED", "{good}");
    let best = "s3://acme-ml/pipelines/tuned/tuned-good/tune/model/tune-best-job/output/model.tar.gz";
    let tune = &rendered["tune"];
    let name = tune["HyperParameterTuningJobName"].as_str().unwrap();
    assert!(name.len() <= 32 && name.starts_with("tuned-tune-"), "{name}");
    assert_eq!(tune["HyperParameterTuningJobConfig"]["ResourceLimits"]["MaxNumberOfTrainingJobs"], 6);
    assert_eq!(
        tune["TrainingJobDefinition"]["OutputDataConfig"]["S3OutputPath"],
        "s3://acme-ml/pipelines/tuned/tuned-good/tune/model/"
    );
    let model_input = rendered["evaluate"]["ProcessingInputs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["InputName"] == "model")
        .unwrap();
    assert_eq!(model_input["S3Input"]["S3Uri"], best, "{rendered:#?}");
    let register =
        rendered.iter().find(|(k, v)| k.starts_with("register_best") && v.get("InferenceSpecification").is_some());
    let (_, register) = register.unwrap_or_else(|| panic!("no register request in {rendered:#?}"));
    assert_eq!(register["InferenceSpecification"]["Containers"][0]["ModelDataUrl"], best, "{register:#}");
    assert_eq!(
        rendered["notify"]["Payload"],
        json!({ "model": best, "mse": 4.5, "run": "tuned-good" }),
        "{rendered:#?}"
    );

    let (_, bad) = run_with_reports(&moto, path, "{}", "tuned-bad", &reports(7.0));
    assert_eq!(bad["status"], "FAILED", "{bad}");
    assert_eq!(bad["cause"], "the best model's MSE 7.0 is above 6.0", "{bad}");
    let states = entered(&bad);
    for step in ["register_best", "notify"] {
        assert!(states.iter().any(|s| *s == format!("{step} skipped")), "{states:?}");
        assert!(!states.iter().any(|s| s == step), "{states:?}");
    }
}

/// The same in JSONata, evaluated with the `jsonata` package: the best job's name the
/// tuning Task assigned places the model for each reader.
#[test]
fn a_tuning_steps_best_model_reaches_its_readers_in_jsonata() {
    let (_, asl) = build(&common::root().join("examples/tuned/tuned.mlp"), QueryLanguage::Jsonata).unwrap();
    let machine: Json = serde_json::from_str(&asl).unwrap();
    assert_eq!(
        machine["States"]["tune"]["Assign"],
        json!({ "model_tune": "{% $states.result.BestTrainingJob.TrainingJobName %}" })
    );
    let bindings = json!({
        "params": { "input_data": "s3://acme-ml/data/abalone.csv", "mse_threshold": 6.0 },
        "report_0": { "regression_metrics": { "mse": { "value": 4.5 } } },
        "model_tune": "tuned-tune-0123456789ab-0-001-5f3a",
        "jobid": "0123456789ab",
        "states": { "context": { "Execution": { "Name": "tuned-run" }, "State": { "RetryCount": 0 } } },
    });
    let r = common::render_jsonata(&machine, &bindings);
    let best =
        "s3://acme-ml/pipelines/tuned/tuned-run/tune/model/tuned-tune-0123456789ab-0-001-5f3a/output/model.tar.gz";
    assert_eq!(r["notify"]["Payload"]["model"], best, "{r:#}");
    assert_eq!(r["tune"]["HyperParameterTuningJobName"], "tuned-tune-0123456789ab-0", "{r:#}");
}
