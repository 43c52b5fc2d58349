//! Injection safety of the JSON targets: the hostile strings of tests/targets/hostile.mlp
//! (quotes, backslashes, newlines, NUL and control characters, unicode, `{{ }}`,
//! `{% %}`, `{# #}`, `${`, `$${`, `%s`, `\N{...}`) arrive exactly as written.
//!
//! - SageMaker: the definition's expressions are evaluated (`Get` of a parameter is its
//!   default, `Std:Join` concatenates) and compared with the `.mlp` values.
//! - Step Functions, JSONata: every Task's Arguments are evaluated with the jsonata
//!   package (tests/stepfunctions/render_jsonata.js).
//! - Step Functions, JSONPath: the machine runs in moto with each Task turned into a
//!   Pass state with the Task's Parameters, so Step Functions' own intrinsic functions
//!   (moto's interpreter) render every request.
//!
//! Airflow's rendering of the same file by real Airflow is in tests/airflow.rs.
// mlpc-test: end-to-end (real consumers from scripts/setup-python and scripts/setup-node)

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use mlpc::ir::{Pipeline, StepKind};
use mlpc::targets::requests::Piece;
use mlpc::targets::stepfunctions::QueryLanguage;
use mlpc::targets::{Target, TargetOptions};
use serde_json::{json, Value as Json};

const RUN: &str = "inject-run-1";

fn hostile(target: Target) -> Pipeline {
    let path = common::root().join("tests/targets/hostile.mlp");
    let text = std::fs::read_to_string(&path).unwrap();
    let files = common::Dir(path.parent().unwrap().to_path_buf());
    let checked = mlpc::check(&text, &files, &Default::default(), Some(target));
    checked.pipeline.unwrap_or_else(|| panic!("hostile.mlp must build for {target:?}: {:?}", checked.diagnostics))
}

fn pieces(ps: &[Piece], p: &Pipeline) -> String {
    ps.iter()
        .map(|piece| match piece {
            Piece::Literal(s) => s.clone(),
            Piece::Param(name) => common::default_text(p, name),
            Piece::RunId => RUN.to_string(),
            Piece::RunKey => common::run_key(RUN),
            other => panic!("unexpected piece {other:?}"),
        })
        .collect()
}

/// What the `.mlp` says the processing step `prep` and training step `fit` receive.
struct Expected {
    args: Vec<String>,
    env: Vec<(String, String)>,
    hyperparameters: Vec<(String, String)>,
    metrics: Json,
}

fn expected(p: &Pipeline) -> Expected {
    let step = |name: &str| p.steps.iter().find(|s| s.name.node == name).unwrap();
    let StepKind::Processing(prep) = &step("prep").kind else { panic!() };
    let StepKind::Training(fit) = &step("fit").kind else { panic!() };
    Expected {
        args: prep.args.iter().map(|a| common::rendered_text(a, p, RUN)).collect(),
        env: prep.env.iter().map(|(k, v)| (k.clone(), common::rendered_text(v, p, RUN))).collect(),
        hyperparameters: fit
            .hyperparameters
            .iter()
            .map(|(k, v)| (k.clone(), common::rendered_value(v, p, RUN)))
            .collect(),
        metrics: fit.metrics.iter().map(|(name, regex)| json!({ "Name": name, "Regex": regex })).collect(),
    }
}

/// The hostile tuning step `tune` as its request carries it: the fixed hyperparameters,
/// the choice's values as written (a `${run.id}` in a search space is text, not the
/// run's id), the metric's pattern and the objective exactly.
fn check_tuning(p: &Pipeline, tune: &Json, what: &str) {
    let step = p.steps.iter().find(|s| s.name.node == "tune").unwrap();
    let StepKind::Tuning(t) = &step.kind else { panic!() };
    let fixed: Vec<(String, String)> =
        t.job.hyperparameters.iter().map(|(k, v)| (k.clone(), common::rendered_value(v, p, RUN))).collect();
    let definition = &tune["TrainingJobDefinition"];
    assert_eq!(strings(&definition["StaticHyperParameters"]), sorted(fixed), "{what}: fixed hyperparameters");
    let metrics: Json = t.job.metrics.iter().map(|(name, regex)| json!({ "Name": name, "Regex": regex })).collect();
    assert_eq!(definition["AlgorithmSpecification"]["MetricDefinitions"], metrics, "{what}: metric definitions");
    let config = &tune["HyperParameterTuningJobConfig"];
    assert_eq!(config["HyperParameterTuningJobObjective"]["MetricName"], json!(t.objective.metric), "{what}");
    let (name, mlpc::ir::ParameterRange::Categorical(values)) = &t.ranges[0] else { panic!() };
    let values: Vec<String> = values.iter().map(|v| common::rendered_value(v, p, RUN)).collect();
    let range = &config["ParameterRanges"]["CategoricalParameterRanges"][0];
    assert_eq!(range, &json!({ "Name": name, "Values": values }), "{what}: the choice");
}

fn strings(map: &Json) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> =
        map.as_object().unwrap().iter().map(|(k, v)| (k.clone(), v.as_str().unwrap().to_string())).collect();
    out.sort();
    out
}

fn sorted(mut v: Vec<(String, String)>) -> Vec<(String, String)> {
    v.sort();
    v
}

/// Checks rendered `prep` and `fit` requests against the `.mlp`.
fn check_requests(p: &Pipeline, prep: &Json, fit: &Json, what: &str) {
    let e = expected(p);
    let args: Vec<String> = prep["AppSpecification"]["ContainerArguments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap().to_string())
        .collect();
    assert_eq!(args, e.args, "{what}: arguments");
    assert_eq!(strings(&prep["Environment"]), sorted(e.env), "{what}: environment");
    assert_eq!(strings(&fit["HyperParameters"]), sorted(e.hyperparameters), "{what}: hyperparameters");
    assert_eq!(fit["AlgorithmSpecification"]["MetricDefinitions"], e.metrics, "{what}: metric definitions");
}

/// A SageMaker expression's value for a run with default parameters.
fn eval_sagemaker(v: &Json, p: &Pipeline) -> Json {
    match v {
        Json::Object(m) if m.contains_key("Get") => {
            let path = m["Get"].as_str().unwrap();
            match path.strip_prefix("Parameters.") {
                Some(name) => json!(common::default_text(p, name)),
                None if path == "Execution.PipelineExecutionId" => json!(RUN),
                None => json!(format!("<{path}>")),
            }
        }
        Json::Object(m) if m.contains_key("Std:Join") => {
            let join = &m["Std:Join"];
            let parts: Vec<String> = join["Values"]
                .as_array()
                .unwrap()
                .iter()
                .map(|x| match eval_sagemaker(x, p) {
                    Json::String(s) => s,
                    other => other.to_string(),
                })
                .collect();
            json!(parts.join(join["On"].as_str().unwrap()))
        }
        Json::Object(m) => Json::Object(m.iter().map(|(k, x)| (k.clone(), eval_sagemaker(x, p))).collect()),
        Json::Array(a) => Json::Array(a.iter().map(|x| eval_sagemaker(x, p)).collect()),
        other => other.clone(),
    }
}

#[test]
fn sagemaker_carries_every_hostile_value_exactly() {
    let p = hostile(Target::Sagemaker);
    let out = mlpc::targets::build(&p, &TargetOptions::Sagemaker, "").unwrap().output.unwrap();
    let def = eval_sagemaker(&serde_json::from_str(&out.contents).unwrap(), &p);
    let step = |name: &str| def["Steps"].as_array().unwrap().iter().find(|s| s["Name"] == name).unwrap().clone();
    check_requests(&p, &step("prep")["Arguments"], &step("fit")["Arguments"], "sagemaker");
    check_tuning(&p, &step("tune")["Arguments"], "sagemaker");
    let StepKind::Sql(sql) = &p.steps[0].kind else { panic!() };
    // The sql step is a processing job of its own; its query is its first input.
    let sql_step = step(&p.steps[0].name.node);
    let athena = &sql_step["Arguments"]["ProcessingInputs"][0]["DatasetDefinition"]["AthenaDatasetDefinition"];
    assert_eq!(athena["QueryString"], json!(common::rendered_text(&sql.query, &p, RUN)), "the query runs as written");
    assert_eq!(athena["Database"], json!("db{{x}}"));
    assert_eq!(def["Parameters"][0]["DefaultValue"], json!(common::default_text(&p, "text")));
    let (key, text) = ping_payload(&p);
    assert_eq!(step("ping")["Arguments"][&key], json!(text), "the lambda payload");
    let registry = step("registry-RegisterModel");
    assert_eq!(registry["Arguments"]["ModelPackageDescription"], json!(registry_description(&p)));
}

/// The hostile lambda payload's odd key and its text as a run with default params gets it.
fn ping_payload(p: &Pipeline) -> (String, String) {
    let step = p.steps.iter().find(|s| s.name.node == "ping").unwrap();
    let StepKind::Lambda(lambda) = &step.kind else { panic!() };
    let (key, value) = lambda.payload.iter().find(|(k, _)| k.starts_with("odd")).unwrap();
    let mlpc::ir::PayloadValue::Value(mlpc::ir::Value::Text(text)) = value else { panic!() };
    (key.clone(), common::rendered_text(text, p, RUN))
}

/// The hostile register step's description.
fn registry_description(p: &Pipeline) -> String {
    p.steps.iter().find(|s| s.name.node == "registry").unwrap().description.clone().unwrap()
}

fn build_sfn(p: &Pipeline, lang: QueryLanguage) -> Json {
    let options = TargetOptions::StepFunctions { query_language: lang };
    serde_json::from_str(&mlpc::targets::build(p, &options, "").unwrap().output.unwrap().contents).unwrap()
}

/// The athena Task's expected arguments: the UNLOAD of the query, the database.
fn check_athena(p: &Pipeline, extract: &Json, what: &str) {
    let StepKind::Sql(sql) = &p.steps[0].kind else { panic!() };
    let unload = mlpc::targets::queries::athena_unload(p, &p.steps[0], sql);
    assert_eq!(extract["QueryString"], json!(pieces(&unload, p)), "{what}: query");
    assert_eq!(extract["QueryExecutionContext"]["Database"], json!("db{{x}}"), "{what}: database");
}

#[test]
fn stepfunctions_jsonata_carries_every_hostile_value_exactly() {
    let p = hostile(Target::StepFunctions);
    let def = build_sfn(&p, QueryLanguage::Jsonata);
    assert_eq!(def["Comment"], json!(p.settings.description.clone().unwrap()));
    let params: serde_json::Map<String, Json> =
        p.params.iter().map(|q| (q.name.node.clone(), json!(common::default_text(&p, &q.name.node)))).collect();
    let bindings = json!({
        "params": params,
        "jobid": "0123456789ab",
        "states": { "context": { "Execution": { "Name": RUN }, "State": { "RetryCount": 0 } } },
    });
    let rendered = common::render_jsonata(&def, &bindings);
    check_requests(&p, &rendered["prep"], &rendered["fit"], "jsonata");
    check_tuning(&p, &rendered["tune"], "jsonata");
    // The condition and the fail step's message, on the report's documents.
    for (odd, holds) in [(ODD_LITERAL, true), ("nope", false)] {
        let mut bindings = bindings.clone();
        bindings["report_0"] = verdicts(odd)["judge.verdict"].clone();
        let rendered = common::render_jsonata(&def, &bindings);
        assert_eq!(rendered["fair"], json!([false, false, false, holds]), "{odd}");
        assert_eq!(rendered["unfair"]["Cause"], json!(unfair_message(&p, odd)), "{odd}");
    }
    check_athena(&p, &rendered["extract"], "jsonata");
    assert_eq!(rendered["prep"]["ProcessingJobName"], json!("hostile-prep-0123456789ab-0"));
    let (key, text) = ping_payload(&p);
    assert_eq!(rendered["ping"]["Payload"][&key], json!(text), "the lambda payload");
    assert_eq!(rendered["registry"]["ModelPackageDescription"], json!(registry_description(&p)));
}

#[test]
fn stepfunctions_jsonpath_carries_every_hostile_value_exactly_through_moto() {
    let p = hostile(Target::StepFunctions);
    let def = build_sfn(&p, QueryLanguage::Jsonpath);
    let file = std::env::temp_dir().join(format!("mlpc-inject-jsonpath-{}.json", std::process::id()));
    std::fs::write(&file, def.to_string()).unwrap();
    let moto = common::Moto::start();
    // The report holds the condition's hostile string exactly: it holds.
    let (r, rendered) = common::render_in_moto_with_reports(&moto, &file, "{}", RUN, &verdicts(ODD_LITERAL));
    assert_eq!(r["status"], "SUCCEEDED", "{r}");
    check_requests(&p, &rendered["prep"], &rendered["fit"], "jsonpath");
    check_tuning(&p, &rendered["tune"], "jsonpath");
    check_athena(&p, &rendered["extract"], "jsonpath");
    let (key, text) = ping_payload(&p);
    // (moto's interpreter writes a `"` in a `.$` key back escaped: the key has none.)
    assert_eq!(rendered["ping"]["Payload"][&key], json!(text), "the lambda payload: {:#}", rendered["ping"]);
    assert_eq!(rendered["ping"]["Payload"]["score"], json!(1.0), "a report value, typed");
    assert_eq!(rendered["registry"]["ModelPackageDescription"], json!(registry_description(&p)));
    let job = rendered["prep"]["ProcessingJobName"].as_str().unwrap();
    assert!(
        job.starts_with("hostile-prep-") && job.ends_with("-0") && job.len() == "hostile-prep-".len() + 14,
        "{job}"
    );
    // Any other string: it does not hold, and the fail step's message arrives exactly.
    let (r, _) = common::render_in_moto_with_reports(&moto, &file, "{}", "hostile-fails", &verdicts("nope"));
    assert_eq!(r["status"], "FAILED", "{r}");
    assert_eq!(r["error"], "mlpc.Fail", "{r}");
    assert_eq!(r["cause"], json!(unfair_message(&p, "nope")), "{r}");
}

/// The hostile condition's string literal (tests/targets/hostile.mlp, step `fair`).
const ODD_LITERAL: &str = "it's {{ \"weird\" }}\n{%";

/// The documents the hostile report reads get: `odd` under the odd key, a score of 1.0.
fn verdicts(odd: &str) -> Json {
    json!({ "judge.verdict": { "odd {{ key }} $x%": odd, "score": 1.0, "{% if %}": { "ok": false } } })
}

/// The message of hostile.mlp's fail step for a score of 1.0 and `odd` under the odd key.
fn unfair_message(p: &Pipeline, odd: &str) -> String {
    format!("{{{{ nope }}}} 1.0 'q' \"dq\" \\ {} {odd}\r\n", common::default_text(p, "text"))
}
