//! The Airflow target proven in real Airflow 3 and Airflow 2 (with the Amazon
//! provider): every example and test pipeline is compiled, passes `ruff check` and
//! `ruff format --check`, imports without errors or warnings, survives the DAG
//! serializer, validates its params, has exactly the `.mlp` graph as tasks, and
//! renders every templated value to exactly what the `.mlp` says.
//!
//! The Python environments come from `scripts/setup-python` (run by `scripts/test`
//! and `.ci/run`); this test fails, not skips, when they are missing.
// mlpc-test: end-to-end (real consumers from scripts/setup-python and scripts/setup-node)

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use mlpc::ir::{Literal, Pipeline, StepKind};
use mlpc::targets::airflow::AirflowVersion;
use mlpc::targets::{Target, TargetOptions};
use serde_json::Value as Json;

/// The run id check_dags.py renders with.
const RUN_ID: &str = "manual__2026-11-28T10:00:00+00:00";

fn venv_python(major: u8) -> PathBuf {
    let var = format!("MLPC_AIRFLOW{major}_PYTHON");
    let path = std::env::var_os(&var)
        .map(PathBuf::from)
        .unwrap_or_else(|| common::root().join(format!("target/py/airflow{major}/bin/python")));
    assert!(path.exists(), "{} is missing: run scripts/setup-python (or set {var})", path.display());
    path
}

/// Every example and test pipeline, but those Airflow refuses only for a step kind it
/// cannot run yet (E0501 alone: conditions and fail steps).
fn pipelines() -> Vec<PathBuf> {
    let mut files = common::files_with_extension(&common::root().join("examples"), "mlp");
    files.extend(common::files_with_extension(&common::root().join("tests/targets"), "mlp"));
    files.retain(|path| {
        let text = std::fs::read_to_string(path).unwrap();
        let files = common::Dir(path.parent().unwrap().to_path_buf());
        let checked = mlpc::check(&text, &files, &Default::default(), Some(Target::Airflow));
        let errors: Vec<_> = checked.diagnostics.iter().filter(|d| d.is_error()).collect();
        errors.is_empty() || errors.iter().any(|d| d.code != mlpc::Code::UnsupportedStepKind)
    });
    files
}

/// Compiles every pipeline into `dir`; returns (DAG file, checked pipeline).
fn build_all(dir: &Path, version: AirflowVersion) -> Vec<(PathBuf, Pipeline)> {
    std::fs::create_dir_all(dir).unwrap();
    let mut built = Vec::new();
    for path in pipelines() {
        let text = std::fs::read_to_string(&path).unwrap();
        let files = common::Dir(path.parent().unwrap().to_path_buf());
        let checked = mlpc::check(&text, &files, &Default::default(), Some(Target::Airflow));
        let ir =
            checked.pipeline.unwrap_or_else(|| panic!("{} does not check: {:#?}", path.display(), checked.diagnostics));
        let options = TargetOptions::Airflow { version, local_mode: false };
        let out = mlpc::targets::build(&ir, &options, "test.mlp").unwrap().output.unwrap();
        let file = dir.join(&out.path);
        assert!(!file.exists(), "two pipelines named {}", out.path);
        std::fs::write(&file, &out.contents).unwrap();
        built.push((file, ir));
    }
    built
}

fn run(cmd: &mut Command) -> std::process::Output {
    let out = cmd.output().expect("run command");
    assert!(
        out.status.success(),
        "{cmd:?} failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn prove(major: u8, version: AirflowVersion) {
    let python = venv_python(major);
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("airflow{major}-dags"));
    let _ = std::fs::remove_dir_all(&dir);
    let built = build_all(&dir, version);
    assert!(built.len() >= 8, "expected examples and test pipelines, found {}", built.len());

    let ruff = venv_python(3).with_file_name("ruff");
    run(Command::new(&ruff).args(["check", "--no-cache"]).arg(&dir));
    run(Command::new(&ruff).args(["format", "--check", "--no-cache"]).arg(&dir));

    let report_path = dir.join("report.json");
    let mut cmd = Command::new(&python);
    cmd.arg(common::root().join("tests/airflow/check_dags.py")).arg(&report_path);
    for (file, _) in &built {
        cmd.arg(file);
    }
    run(&mut cmd);
    let report: BTreeMap<String, Json> = serde_json::from_str(&std::fs::read_to_string(&report_path).unwrap()).unwrap();

    for (file, p) in &built {
        let rep = &report[&file.display().to_string()];
        let name = file.display();
        assert_eq!(rep["import_errors"], serde_json::json!({}), "{name}");
        assert_eq!(rep["warnings"], serde_json::json!([]), "{name}");
        let dags = rep["dags"].as_object().unwrap();
        assert_eq!(dags.len(), 1, "{name}");
        let dag = &dags[&p.name.node];
        assert_eq!(dag["serialized"], true, "{name}");
        assert_eq!(dag["description"], serde_json::json!(p.settings.description), "{name}");
        let mut tags = p.settings.tags.clone();
        tags.sort();
        assert_eq!(dag["tags"], serde_json::json!(tags), "{name}");
        for param in &p.params {
            assert_eq!(
                dag["params"][&param.name.node],
                param.default.as_ref().map_or_else(|| common::required_sample(param).to_json(), Literal::to_json),
                "{name}: param {}",
                param.name.node
            );
        }
        let tasks = dag["tasks"].as_object().unwrap();
        let mut ids: Vec<&str> = tasks.keys().map(String::as_str).collect();
        let mut steps: Vec<&str> = p.steps.iter().map(|s| s.name.node.as_str()).collect();
        ids.sort();
        steps.sort();
        assert_eq!(ids, steps, "{name}: task ids are the step names");
        for step in &p.steps {
            let task = &tasks[&step.name.node];
            let mut upstream: Vec<String> =
                p.upstream(step.id).iter().map(|u| p.steps[u.0].name.node.clone()).collect();
            upstream.sort();
            assert_eq!(task["upstream"], serde_json::json!(upstream), "{name}: upstream of {}", step.name.node);
            let operator = match &step.kind {
                StepKind::Processing(_) => Some("SageMakerProcessingOperator"),
                StepKind::Training(_) => Some("SageMakerTrainingOperator"),
                StepKind::Transform(_) => Some("SageMakerTransformOperator"),
                StepKind::Model(_) => Some("SageMakerModelOperator"),
                StepKind::Register(_) => Some("SageMakerRegisterModelVersionOperator"),
                StepKind::Lambda(_) => Some("LambdaInvokeFunctionOperator"),
                StepKind::Endpoint(_) => Some("SageMakerEndpointOperator"),
                StepKind::Tuning(_) => Some("SageMakerTuningOperator"),
                StepKind::Sql(sql) if sql.engine == mlpc::ir::SqlEngine::Athena => Some("AthenaOperator"),
                StepKind::Sql(_) | StepKind::Python(_) | StepKind::Condition(_) | StepKind::Fail(_) => None,
            };
            if let Some(operator) = operator {
                assert_eq!(task["provider_operator"], operator, "{name}: operator of {}", step.name.node);
            }
            check_rendered(p, step, &task["rendered"], &name.to_string());
        }
    }
}

fn string_leaves<'a>(v: &'a Json, out: &mut Vec<&'a str>) {
    match v {
        Json::String(s) => out.push(s),
        Json::Array(items) => items.iter().for_each(|x| string_leaves(x, out)),
        Json::Object(map) => map.values().for_each(|x| string_leaves(x, out)),
        Json::Null | Json::Bool(_) | Json::Number(_) => {}
    }
}

/// Every user value a task carries renders to exactly the `.mlp`'s value.
fn check_rendered(p: &Pipeline, step: &mlpc::ir::Step, r: &Json, name: &str) {
    let at = format!("{name}: step {}", step.name.node);
    // The AWS connection, where the operator templates it (all but RedshiftToS3Operator).
    if let (Some(conn), Some(rendered)) = (&p.settings.aws_connection, r.get("aws_conn_id")) {
        assert_eq!(rendered, &Json::from(conn.node.as_str()), "{at}: aws_conn_id");
    }
    match &step.kind {
        StepKind::Processing(job) => {
            let config = &r["config"];
            let args: Vec<String> = job.args.iter().map(|a| common::rendered_text(a, p, RUN_ID)).collect();
            if !args.is_empty() {
                assert_eq!(config["AppSpecification"]["ContainerArguments"], serde_json::json!(args), "{at}");
            }
            for (k, v) in &job.env {
                assert_eq!(config["Environment"][k], Json::from(common::rendered_text(v, p, RUN_ID)), "{at}: env {k}");
            }
            assert_eq!(
                config["ProcessingResources"]["ClusterConfig"]["InstanceType"],
                Json::from(common::rendered_value(&job.resources.instance, p, RUN_ID)),
                "{at}"
            );
            let job_name = config["ProcessingJobName"].as_str().unwrap();
            assert!(
                job_name.len() <= 63 && job_name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'),
                "{at}: {job_name}"
            );
        }
        StepKind::Training(job) => {
            let config = &r["config"];
            let metrics: Vec<(String, String)> = config["AlgorithmSpecification"]["MetricDefinitions"]
                .as_array()
                .map(|ms| ms.iter().map(|m| (m["Name"].to_string(), m["Regex"].to_string())).collect())
                .unwrap_or_default();
            let expected: Vec<(String, String)> = job
                .metrics
                .iter()
                .map(|(n, re)| (Json::from(n.as_str()).to_string(), Json::from(re.as_str()).to_string()))
                .collect();
            assert_eq!(metrics, expected, "{at}: metric definitions");
            for (k, v) in &job.hyperparameters {
                assert_eq!(
                    config["HyperParameters"][k],
                    Json::from(common::rendered_value(v, p, RUN_ID)),
                    "{at}: hyperparameter {k}"
                );
            }
            assert_eq!(
                config["ResourceConfig"]["InstanceType"],
                Json::from(common::rendered_value(&job.resources.instance, p, RUN_ID)),
                "{at}"
            );
        }
        StepKind::Tuning(tuning) => {
            let config = &r["config"];
            let definition = &config["TrainingJobDefinition"];
            for (k, v) in &tuning.job.hyperparameters {
                assert_eq!(
                    definition["StaticHyperParameters"][k],
                    Json::from(common::rendered_value(v, p, RUN_ID)),
                    "{at}: hyperparameter {k}"
                );
            }
            let ranges = &config["HyperParameterTuningJobConfig"]["ParameterRanges"];
            let mut searched: Vec<&str> = ranges
                .as_object()
                .unwrap()
                .values()
                .flat_map(|list| list.as_array().unwrap().iter().map(|r| r["Name"].as_str().unwrap()))
                .collect();
            for (name, range) in &tuning.ranges {
                if let mlpc::ir::ParameterRange::Categorical(values) = range {
                    let values: Vec<String> = values.iter().map(|v| common::rendered_value(v, p, RUN_ID)).collect();
                    let found = ranges["CategoricalParameterRanges"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .find(|r| r["Name"] == name.as_str());
                    assert_eq!(found.unwrap()["Values"], serde_json::json!(values), "{at}: choice {name}");
                }
            }
            let mut expected: Vec<&str> = tuning.ranges.iter().map(|(k, _)| k.as_str()).collect();
            searched.sort_unstable();
            expected.sort_unstable();
            assert_eq!(searched, expected, "{at}: searched hyperparameters");
            assert_eq!(
                config["HyperParameterTuningJobConfig"]["HyperParameterTuningJobObjective"]["MetricName"],
                Json::from(tuning.objective.metric.as_str()),
                "{at}"
            );
            // A tuning job's name has at most 32 characters (CreateHyperParameterTuningJob).
            let job_name = config["HyperParameterTuningJobName"].as_str().unwrap();
            assert!(
                job_name.len() <= 32 && job_name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'),
                "{at}: {job_name}"
            );
        }
        StepKind::Transform(job) => match &job.model {
            mlpc::ir::TransformModel::Own { model: trained, .. } => {
                let model = r["config"]["Model"]["PrimaryContainer"]["ModelDataUrl"].as_str().unwrap();
                let expected = common::rendered_model(p, trained.step, RUN_ID);
                assert_eq!(model, expected, "{at}: the model the training or tuning task reported");
            }
            // It runs the model the model step named: no model of its own.
            mlpc::ir::TransformModel::Created(created) => {
                assert!(r["config"].get("Model").is_none(), "{at}: {r}");
                let prefix = mlpc::targets::requests::job_name_prefix(&p.name.node, &p.steps[created.step.0].name.node);
                let name = r["config"]["Transform"]["ModelName"].as_str().unwrap();
                assert!(name.starts_with(&format!("{prefix}-")), "{at}: {name}");
            }
        },
        StepKind::Sql(sql) => {
            // Settings arrive exactly, wherever the operator takes them.
            let mut strings = Vec::new();
            string_leaves(r, &mut strings);
            let settings = [&sql.database, &sql.catalog, &sql.workgroup, &sql.cluster, &sql.db_user];
            // Redshift on an Airflow connection: the connection carries the rest.
            let on_connection = sql.engine == mlpc::ir::SqlEngine::Redshift && sql.connection.is_some();
            for text in settings.into_iter().filter(|_| !on_connection).flatten() {
                let value = common::rendered_text(text, p, RUN_ID);
                assert!(strings.contains(&value.as_str()), "{at}: {value:?} not among {strings:?}");
            }
            if let Some(conn) = &sql.connection {
                assert!(strings.contains(&conn.as_str()), "{at}: {conn:?} not among {strings:?}");
            }
            let query = common::rendered_text(&sql.query, p, RUN_ID);
            let trimmed = query.trim_end_matches(|c: char| c.is_whitespace() || c == ';');
            // Athena's `query`, Redshift's `select_query` (an UNLOAD) or `sql` (a statement).
            let rendered =
                ["query", "select_query", "sql"].iter().find_map(|k| r.get(*k)).and_then(Json::as_str).unwrap();
            assert!(rendered.contains(trimmed), "{at}: query not carried exactly:\n{rendered}\n---\n{trimmed}");
        }
        StepKind::Condition(condition) => {
            let kwargs = &r["op_kwargs"];
            let reports: Vec<String> =
                condition.check.report_values().iter().map(|v| report_uri(p, v)).fold(Vec::new(), |mut seen, uri| {
                    if !seen.contains(&uri) {
                        seen.push(uri);
                    }
                    seen
                });
            assert_eq!(kwargs["reports"], serde_json::json!(reports), "{at}: reports");
            // Each downstream task is in exactly the list its guard on this step says.
            for down in p.downstream(step.id) {
                let s = &p.steps[down.0];
                let list = match s.guard {
                    Some(g) if g.condition == step.id && g.when => "when_true",
                    Some(g) if g.condition == step.id => "when_false",
                    _ => "always",
                };
                assert!(kwargs[list].as_array().unwrap().contains(&Json::from(s.name.node.as_str())), "{at}: {list}");
            }
            // Every key of a report value, and every string compared, arrives as written.
            let check = kwargs["check"].to_string();
            for value in condition.check.report_values() {
                let keys: Vec<&str> = value.path.iter().map(String::as_str).collect();
                assert!(check.contains(&serde_json::json!(keys).to_string()), "{at}: {keys:?} in {check}");
            }
            for literal in string_literals(&condition.check) {
                let rendered = serde_json::json!({ "string": literal }).to_string();
                assert!(check.contains(&rendered), "{at}: {rendered} in {check}");
            }
        }
        StepKind::Fail(fail) => {
            let message = r["op_kwargs"]["message"].as_array().unwrap();
            assert_eq!(message.len(), fail.message.len(), "{at}");
            for (part, rendered) in fail.message.iter().zip(message) {
                match part {
                    mlpc::ir::MessagePart::Text(t) => {
                        assert_eq!(rendered, &Json::from(common::rendered_text(t, p, RUN_ID)), "{at}: message")
                    }
                    mlpc::ir::MessagePart::Report(v) => assert_eq!(rendered["keys"], serde_json::json!(v.path), "{at}"),
                }
            }
        }
        StepKind::Endpoint(e) => {
            let config = &r["config"];
            assert_eq!(
                config["Endpoint"]["EndpointName"],
                Json::from(common::rendered_text(&e.name, p, RUN_ID)),
                "{at}"
            );
            let name = config["EndpointConfig"]["EndpointConfigName"].as_str().unwrap();
            assert_eq!(config["Endpoint"]["EndpointConfigName"], name, "{at}: the run's configuration");
            assert!(name.len() <= 63 && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'), "{at}: {name}");
        }
        StepKind::Lambda(lambda) => {
            assert_eq!(r["function_name"], Json::from(lambda.function.written.as_str()), "{at}: function");
            // Each value as data the task resolves when it runs; text rendered exactly.
            let data = &r["payload_data"];
            let keys: Vec<&String> = data.as_object().unwrap().keys().collect();
            let mut expected: Vec<&String> = lambda.payload.iter().map(|(k, _)| k).collect();
            expected.sort();
            let mut keys = keys;
            keys.sort();
            assert_eq!(keys, expected, "{at}: payload keys arrive exactly");
            for (key, value) in &lambda.payload {
                match value {
                    mlpc::ir::PayloadValue::Value(mlpc::ir::Value::Text(t)) => {
                        assert_eq!(data[key]["string"], Json::from(common::rendered_text(t, p, RUN_ID)), "{at}: {key}")
                    }
                    mlpc::ir::PayloadValue::Value(mlpc::ir::Value::Param(name)) => {
                        assert_eq!(data[key]["param"], Json::from(name.as_str()), "{at}: {key}")
                    }
                    mlpc::ir::PayloadValue::Report(v) => {
                        assert_eq!(data[key]["keys"], serde_json::json!(v.path), "{at}")
                    }
                    mlpc::ir::PayloadValue::Value(_) => assert!(data.get(key).is_some(), "{at}: {key}"),
                }
            }
            if let Some(output) = step.outputs.first() {
                let uri = r["response_uri"].as_str().unwrap();
                let file = &output.report.as_ref().unwrap().file;
                assert!(uri.ends_with(&format!("/{}/{}/{file}", step.name.node, output.name.node)), "{at}: {uri}");
            }
        }
        StepKind::Register(reg) => {
            // The whole request renders (`extras`), and the fields the base class reads
            // besides (the group it creates) are the request's.
            let request = &r["extras"];
            let group = Json::from(common::rendered_text(&reg.group, p, RUN_ID));
            assert_eq!(request["ModelPackageGroupName"], group, "{at}: group");
            assert_eq!(r["package_group_name"], group, "{at}: the group the operator creates");
            if let Some(description) = &step.description {
                assert_eq!(request["ModelPackageDescription"], Json::from(description.as_str()), "{at}: description");
                assert_eq!(r["package_desc"], Json::from(description.as_str()), "{at}: package_desc");
            }
            if let Some(approval) = &reg.approval {
                let approval = Json::from(common::rendered_text(approval, p, RUN_ID));
                assert_eq!(request["ModelApprovalStatus"], approval, "{at}: approval");
            }
            let container = &request["InferenceSpecification"]["Containers"][0];
            assert_eq!(container["Image"], Json::from(reg.image.uri.as_str()), "{at}: image");
            let trained = common::rendered_model(p, reg.model.step, RUN_ID);
            assert_eq!(container["ModelDataUrl"], Json::from(trained), "{at}");
            assert_eq!(r["model_url"], container["ModelDataUrl"], "{at}: model_url");
            if let Some(metrics) = &reg.metrics {
                let file = &p.steps[metrics.step.0].output(&metrics.output).unwrap().report.as_ref().unwrap().file;
                let uri = request["ModelMetrics"]["ModelQuality"]["Statistics"]["S3Uri"].as_str().unwrap();
                assert!(
                    uri.ends_with(&format!("/{}/{}/{file}", p.steps[metrics.step.0].name.node, metrics.output)),
                    "{at}: {uri}"
                );
            }
        }
        StepKind::Model(m) => {
            let config = &r["config"];
            let container = &config["PrimaryContainer"];
            assert_eq!(container["Image"], Json::from(m.image.uri.as_str()), "{at}: image");
            let trained = common::rendered_model(p, m.model.step, RUN_ID);
            assert_eq!(container["ModelDataUrl"], Json::from(trained), "{at}");
            for (k, v) in &m.env {
                assert_eq!(
                    container["Environment"][k],
                    Json::from(common::rendered_text(v, p, RUN_ID)),
                    "{at}: env {k}"
                );
            }
            let name = config["ModelName"].as_str().unwrap();
            assert!(name.len() <= 63 && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'), "{at}: {name}");
        }
        StepKind::Python(_) => {}
    }
}

/// The string literals a condition compares.
fn string_literals(c: &mlpc::ir::Cond) -> Vec<&str> {
    use mlpc::ir::{Cond, Literal, Operand};
    fn literal(o: &Operand) -> Option<&str> {
        match o {
            Operand::Literal(Literal::String(s)) => Some(s.as_str()),
            _ => None,
        }
    }
    match c {
        Cond::Compare { left, right, .. } => [left, right].into_iter().filter_map(literal).collect(),
        Cond::In { value, values, .. } => std::iter::once(value).chain(values).filter_map(literal).collect(),
        Cond::All(items) | Cond::Any(items) => items.iter().flat_map(string_literals).collect(),
        Cond::Not(inner) => string_literals(inner),
    }
}

/// Where the document of the report a value is read from lands in the rendered run.
fn report_uri(p: &Pipeline, value: &mlpc::ir::ReportValue) -> String {
    let producer = &p.steps[value.step.0];
    let output = producer.output(&value.output).unwrap();
    let file = &output.report.as_ref().unwrap().file;
    let prefix = match &output.uri {
        Some(uri) => common::rendered_text(uri, p, RUN_ID).replace(RUN_ID, &common::run_key(RUN_ID)),
        None => location(p, RUN_ID, &producer.name.node, &value.output),
    };
    format!("{prefix}{file}")
}

#[test]
fn airflow3_runs_every_generated_dag() {
    prove(3, AirflowVersion::V3);
}

#[test]
fn airflow2_runs_every_generated_dag() {
    prove(2, AirflowVersion::V2);
}

/// Local mode: the DAG loads in Airflow 3, and every request its tasks pass fits the
/// SageMaker SDK's local-mode client (Docker is not available to start the jobs).
#[test]
fn local_mode_dags_load_and_fit_the_sagemaker_sdk() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("airflow-local-dags");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let path = common::root().join("tests/targets/every_kind.mlp");
    let text = std::fs::read_to_string(&path).unwrap();
    let files = common::Dir(path.parent().unwrap().to_path_buf());
    let ir = mlpc::check(&text, &files, &Default::default(), Some(Target::Airflow)).pipeline.unwrap();
    let options = TargetOptions::Airflow { version: AirflowVersion::V3, local_mode: true };
    let out = mlpc::targets::build(&ir, &options, "").unwrap().output.unwrap();
    let dag = dir.join(&out.path);
    std::fs::write(&dag, &out.contents).unwrap();
    // The modules python steps import sit next to the .mlp, as they would sit next to
    // the DAG in its folder.
    for module in common::files_with_extension(path.parent().unwrap(), "py") {
        std::fs::copy(&module, dir.join(module.file_name().unwrap())).unwrap();
    }
    let ruff = venv_python(3).with_file_name("ruff");
    run(Command::new(&ruff).args(["check", "--no-cache"]).arg(&dag));
    run(Command::new(&ruff).args(["format", "--check", "--no-cache"]).arg(&dag));
    let report = dir.join("report.json");
    run(Command::new(venv_python(3)).arg(common::root().join("tests/airflow/check_dags.py")).arg(&report).arg(&dag));
    let parsed: Json = serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    let rep = &parsed[dag.display().to_string()];
    assert_eq!(rep["import_errors"], serde_json::json!({}));
    assert_eq!(rep["dags"]["every_kind"]["tasks"]["prep"]["callable"], "mlpc_local_processing");
    let sdk = common::root().join("target/py/sagemaker2/bin/python");
    assert!(sdk.exists(), "run scripts/setup-python");
    let out = run(Command::new(sdk).arg(common::root().join("tests/airflow/check_local_requests.py")).arg(&report));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("4 local-mode requests fit"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn builds_are_byte_identical() {
    for path in pipelines() {
        let text = std::fs::read_to_string(&path).unwrap();
        let files = common::Dir(path.parent().unwrap().to_path_buf());
        let emit = || {
            let checked = mlpc::check(&text, &files, &Default::default(), Some(Target::Airflow));
            mlpc::targets::build(&checked.pipeline.unwrap(), &TargetOptions::defaults(Target::Airflow), "")
                .unwrap()
                .output
                .unwrap()
        };
        assert_eq!(emit(), emit(), "{}", path.display());
    }
}

/// Builds an example for Airflow 3 and runs it with `dag.test()` against moto.
fn run_end_to_end(example: &str, conf: &str, moto: &common::Moto) -> (Pipeline, Json) {
    run_end_to_end_on(AirflowVersion::V3, example, conf, moto)
}

/// Builds an example for Airflow `version` and runs it with `dag.test()` against moto;
/// every task must succeed.
fn run_end_to_end_on(version: AirflowVersion, example: &str, conf: &str, moto: &common::Moto) -> (Pipeline, Json) {
    let (ir, parsed, _) = run_dag_test(version, example, conf, moto, "{}");
    assert_eq!(parsed["state"], "success", "{parsed:#}");
    for step in &ir.steps {
        assert_eq!(parsed["tasks"][&step.name.node], "success", "task {}", step.name.node);
    }
    (ir, parsed)
}

/// Builds an example for Airflow `version` and runs it with `dag.test()` against moto,
/// the processing jobs writing `reports` (e2e.py's MLPC_E2E_REPORTS); the report, and
/// what the run printed.
fn run_dag_test(
    version: AirflowVersion,
    example: &str,
    conf: &str,
    moto: &common::Moto,
    reports: &str,
) -> (Pipeline, Json, String) {
    run_dag_test_with_lambda(version, example, conf, moto, reports, "null")
}

/// `run_dag_test`, with a Lambda function in moto (e2e.py's MLPC_E2E_LAMBDA).
fn run_dag_test_with_lambda(
    version: AirflowVersion,
    example: &str,
    conf: &str,
    moto: &common::Moto,
    reports: &str,
    lambda: &str,
) -> (Pipeline, Json, String) {
    let path = common::root().join(example);
    let text = std::fs::read_to_string(&path).unwrap();
    let files = common::Dir(path.parent().unwrap().to_path_buf());
    let ir = mlpc::check(&text, &files, &Default::default(), Some(Target::Airflow)).pipeline.unwrap();
    let options = TargetOptions::Airflow { version, local_mode: false };
    let out = mlpc::targets::build(&ir, &options, "").unwrap().output.unwrap();
    let major = if version == AirflowVersion::V2 { 2 } else { 3 };
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("e2e-{}-{major}", ir.name.node));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let dag = dir.join(&out.path);
    std::fs::write(&dag, &out.contents).unwrap();
    // The modules python steps import sit next to the .mlp, as they would sit next to
    // the DAG in its folder.
    for module in common::files_with_extension(path.parent().unwrap(), "py") {
        std::fs::copy(&module, dir.join(module.file_name().unwrap())).unwrap();
    }
    let report = dir.join("report.json");
    let out = run(Command::new(venv_python(major))
        .arg(common::root().join("tests/airflow/e2e.py"))
        .arg(&report)
        .arg(moto.port.to_string())
        .arg(&dag)
        .arg(conf)
        .arg(ir.settings.region.as_deref().unwrap_or("us-east-1"))
        .env("MLPC_E2E_REPORTS", reports)
        .env("MLPC_E2E_LAMBDA", lambda));
    let parsed: Json = serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    let printed = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (ir, parsed, printed)
}

/// The S3 URIs of a described training job's channels, in order.
fn channels(training_job: &Json) -> Vec<&str> {
    training_job["InputDataConfig"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["DataSource"]["S3DataSource"]["S3Uri"].as_str().unwrap())
        .collect()
}

/// Where a step output lands in this run: the run id's characters other than letters,
/// digits, `-`, `_` and `.` are `-` in the key (Airflow's ids hold `:` and `+`).
fn location(p: &Pipeline, run_id: &str, step: &str, output: &str) -> String {
    let key = common::run_key(run_id);
    format!("{}/{}/{key}/{step}/{output}/", p.settings.artifacts.as_deref().unwrap(), p.name.node)
}

#[test]
fn end_to_end_abalone_reads_the_inputs_the_run_is_given() {
    let moto = common::Moto::start();
    let conf =
        r#"{"input_data": "s3://acme-data/abalone/2026-12-01/abalone.csv", "batch_data": "s3://acme-data/batch/7/"}"#;
    let (ir, r) = run_end_to_end("examples/abalone_batch/abalone_batch.mlp", conf, &moto);
    let run_id = r["run_id"].as_str().unwrap();
    let preprocess = &r["processing"][0];
    assert_eq!(
        preprocess["ProcessingInputs"][0]["S3Input"]["S3Uri"], "s3://acme-data/abalone/2026-12-01/abalone.csv",
        "the processing job reads the URI of the run's conf"
    );
    let train = &r["training"][0];
    assert_eq!(
        channels(train),
        [location(&ir, run_id, "preprocess", "train"), location(&ir, run_id, "preprocess", "validation")]
    );
    let batch = &r["transform"][0];
    assert_eq!(batch["TransformInput"]["DataSource"]["S3DataSource"]["S3Uri"], "s3://acme-data/batch/7/");
    assert_eq!(batch["TransformInput"]["ContentType"], "text/csv");
}

#[test]
fn end_to_end_code_folders_are_uploaded_and_training_runs_in_script_mode() {
    let moto = common::Moto::start();
    let (ir, r) = run_end_to_end("tests/targets/script_mode.mlp", "{}", &moto);
    // Every archive the jobs name is in S3 with the bytes mlpc packed.
    let shipped: Vec<(String, String)> =
        ir.shipped_files().into_iter().map(|f| (mlpc::targets::requests::code_uri(&ir, f), f.sha256.clone())).collect();
    let uploaded = r["code_objects"].as_array().unwrap();
    assert_eq!(uploaded.len(), 3, "{uploaded:#?}");
    for object in uploaded {
        let uri = object["uri"].as_str().unwrap();
        let (_, sha) = shipped.iter().find(|(u, _)| u == uri).unwrap_or_else(|| panic!("{uri} is not shipped"));
        assert_eq!(object["sha256"], sha.as_str(), "{uri}");
    }
    let fit = r["training"]
        .as_array()
        .unwrap()
        .iter()
        .find(|j| j["TrainingJobName"].as_str().unwrap().contains("-fit-folder-"))
        .unwrap();
    assert_eq!(fit["HyperParameters"]["sagemaker_program"], "\"train.py\"");
    assert_eq!(fit["HyperParameters"]["n_estimators"], "200", "the param's default, rendered");
}

#[test]
fn end_to_end_code_already_in_s3_is_used_where_it_is() {
    let moto = common::Moto::start();
    let (_, r) = run_end_to_end("tests/targets/code_in_s3.mlp", "{}", &moto);
    let objects = r["code_objects"].as_array().unwrap();
    assert_eq!(objects.len(), 2, "{objects:#?}");
    assert!(objects.iter().all(|o| o["missing"] == true), "no task uploads code already in S3: {objects:#?}");
    let prep = &r["processing"][0];
    assert_eq!(prep["ProcessingInputs"][0]["InputName"], "code");
    assert_eq!(prep["ProcessingInputs"][0]["S3Input"]["S3Uri"], "s3://acme-ml/code/abc/preprocessing.py");
    assert_eq!(prep["AppSpecification"]["ContainerEntrypoint"][1], "/opt/ml/processing/input/code/preprocessing.py");
    let train = &r["training"][0];
    assert_eq!(train["HyperParameters"]["sagemaker_submit_directory"], "\"s3://acme-ml/code/def/sourcedir.tar.gz\"");
    assert_eq!(train["HyperParameters"]["sagemaker_program"], "\"train.py\"");
}

#[test]
fn end_to_end_file_inputs_are_uploaded_before_the_steps_that_read_them() {
    let moto = common::Moto::start();
    let (ir, r) = run_end_to_end("tests/targets/file_inputs.mlp", "{}", &moto);
    let uploads = mlpc::targets::requests::uploads(&ir);
    let data = |name: &str| uploads.keys().find(|u| u.contains("/data/") && u.ends_with(name)).unwrap().clone();
    let lookup = data("/lookup.csv");
    assert_eq!(r["processing"][0]["ProcessingInputs"][0]["S3Input"]["S3Uri"], lookup.as_str());
    // A folder is a prefix holding its files.
    let labels = data("/part-1.csv").trim_end_matches("part-1.csv").to_string();
    assert!(data("/part-2.csv").starts_with(&labels));
    assert_eq!(channels(&r["training"][0])[1], labels);
    assert_eq!(r["transform"][0]["TransformInput"]["DataSource"]["S3DataSource"]["S3Uri"], data("/batch.csv").as_str());
    // The python task uploaded its input before the call, which read it from S3.
    let summary = r["json_objects"]
        .as_object()
        .unwrap()
        .iter()
        .find(|(uri, _)| uri.ends_with("/check/summary/summary.json"))
        .map(|(_, v)| v)
        .expect("the callable wrote its summary");
    assert_eq!(summary, &serde_json::json!({"lookup": lookup, "lines": 3}));
}

#[test]
fn end_to_end_sql_statements_run_as_written() {
    let moto = common::Moto::start();
    let (_, r) = run_end_to_end("tests/targets/sql_statements.mlp", r#"{"day": "2026-12-02"}"#, &moto);
    let athena = r["athena_queries"].as_array().unwrap();
    assert!(athena.iter().any(|q| q == "MSCK REPAIR TABLE events.clicks"), "{athena:?}");
    assert!(athena.iter().any(|q| q.as_str().unwrap().starts_with("UNLOAD (")), "{athena:?}");
    assert_eq!(
        r["data_api"],
        serde_json::json!([{
            "QueryString": "DELETE FROM staging.clicks WHERE day < '2026-12-02'",
            "Database": "dev",
            "ClusterIdentifier": "analytics",
            "DbUser": "ml",
        }])
    );
    assert_eq!(r["unloads"], serde_json::json!(["GRANT SELECT ON staging.clicks TO GROUP analysts"]));
}

#[test]
fn end_to_end_a_python_step_gets_its_uris_writes_its_output_and_the_next_job_reads_it() {
    for version in [AirflowVersion::V3, AirflowVersion::V2] {
        python_step_end_to_end(version);
    }
}

fn python_step_end_to_end(version: AirflowVersion) {
    let moto = common::Moto::start();
    let example = "tests/airflow/python_step/python_step.mlp";
    let (ir, r) = run_end_to_end_on(version, example, r#"{"mode": "lenient"}"#, &moto);
    let run_id = r["run_id"].as_str().unwrap();
    let report = location(&ir, run_id, "validate", "report");
    // The callable was called with exactly its args and the step's input and output.
    assert_eq!(
        r["json_objects"][format!("{report}report.json")],
        serde_json::json!({"mode": "lenient", "level": 3, "data": location(&ir, run_id, "prep", "rows")}),
        "{:#}",
        r["json_objects"]
    );
    let publish = r["processing"]
        .as_array()
        .unwrap()
        .iter()
        .find(|j| j["ProcessingJobName"].as_str().unwrap().starts_with("python-step-publish"))
        .unwrap();
    assert_eq!(
        publish["ProcessingInputs"][0]["S3Input"]["S3Uri"],
        Json::from(report),
        "publish reads what validate wrote"
    );
    // `run.date` is the run's logical date: dag.test's run id is `manual__<that date>T…`.
    let prep = r["processing"]
        .as_array()
        .unwrap()
        .iter()
        .find(|j| j["ProcessingJobName"].as_str().unwrap().starts_with("python-step-prep"))
        .unwrap();
    let day = run_id.trim_start_matches("manual__").get(..10).unwrap();
    assert_eq!(prep["AppSpecification"]["ContainerArguments"], serde_json::json!(["--day", day]), "{run_id}");
    // Through `aws_connection` (e2e.py points `aws_default` at a closed port): the code
    // was uploaded and the jobs were created in the emulator.
    assert!(r["code_objects"][0]["size"].as_u64().unwrap() > 0, "{:#}", r["code_objects"]);
}

#[test]
fn end_to_end_a_config_filter_with_doubled_quotes_reaches_redshift_as_the_other_targets_send_it() {
    let moto = common::Moto::start();
    let (_, r) = run_end_to_end("tests/targets/redshift_escaped/redshift_escaped.mlp", "{}", &moto);
    // What RedshiftToS3Operator sent, after its own rewrite of `''x''`.
    let unload = r["unloads"][0].as_str().unwrap();
    assert!(unload.contains("where timestamp between '2020-01' and '2022-07'"), "{unload}");
}

#[test]
fn end_to_end_churn_and_athena_examples_run_against_moto() {
    let moto = common::Moto::start();

    let (ir, r) = run_end_to_end("examples/churn/churn.mlp", r#"{"max_depth": 9}"#, &moto);
    let run_id = r["run_id"].as_str().unwrap();
    // Airflow's run ids hold `:` and `+`; the S3 keys of outputs must not.
    assert!(run_id.contains(':'), "{run_id}");
    for job in r["processing"].as_array().unwrap() {
        for output in job["ProcessingOutputConfig"]["Outputs"].as_array().unwrap() {
            let uri = output["S3Output"]["S3Uri"].as_str().unwrap();
            assert!(!uri["s3://".len()..].contains([':', '+']), "{uri}");
        }
    }
    let train = &r["training"][0];
    assert_eq!(train["HyperParameters"]["max_depth"], "9", "the run conf overrides the param");
    assert_eq!(train["HyperParameters"]["eta"], "0.2");
    assert_eq!(train["ResourceConfig"]["InstanceType"], "ml.m5.xlarge");
    assert_eq!(channels(train), [location(&ir, run_id, "split", "train"), location(&ir, run_id, "split", "test")]);
    let split = &r["processing"][0];
    let outputs: Vec<&str> = split["ProcessingOutputConfig"]["Outputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["S3Output"]["S3Uri"].as_str().unwrap())
        .collect();
    assert_eq!(outputs, [location(&ir, run_id, "split", "train"), location(&ir, run_id, "split", "test")]);
    let rows = &split["ProcessingInputs"][0]["S3Input"]["S3Uri"];
    assert_eq!(rows, &Json::from(location(&ir, run_id, "extract", "rows")));
    assert!(
        r["unloads"][0].as_str().unwrap().contains(&location(&ir, run_id, "extract", "rows")),
        "UNLOAD writes where split reads"
    );
    assert_eq!(
        split["AppSpecification"]["ContainerArguments"],
        serde_json::json!(["--label", "label", "--train-end", "2021-12"])
    );
    assert!(r["code_objects"][0]["size"].as_u64().unwrap() > 0, "the code file was uploaded");
    let score = &r["transform"][0];
    assert_eq!(
        score["TransformInput"]["DataSource"]["S3DataSource"]["S3Uri"],
        Json::from(location(&ir, run_id, "split", "test"))
    );
    assert_eq!(score["TransformResources"]["InstanceType"], "ml.m5.large");

    let (ir, r) = run_end_to_end("examples/athena_features/athena_features.mlp", r#"{"day": "2026-02-02"}"#, &moto);
    let run_id = r["run_id"].as_str().unwrap();
    let job = &r["processing"]
        .as_array()
        .unwrap()
        .iter()
        .find(|j| j["ProcessingJobName"].as_str().unwrap().starts_with("athena-features-featurize"))
        .unwrap();
    assert_eq!(job["AppSpecification"]["ContainerArguments"], serde_json::json!(["--day", "2026-02-02"]));
    assert_eq!(job["ProcessingInputs"][0]["S3Input"]["S3Uri"], Json::from(location(&ir, run_id, "clicks", "rows")));
}

/// tests/targets/gates.mlp with `dag.test()` against moto on Airflow 3 and 2, the
/// evaluate job writing `evaluation.json`: a low MSE creates the model and runs the batch
/// transform with it (moto gets both) and skips the fail task; a high MSE fails the run
/// with the message, and the model and transform tasks are skipped, never run.
#[test]
fn end_to_end_a_quality_gate_runs_or_skips_the_transform_and_fails_with_the_message() {
    let moto = common::Moto::start();
    let conf = r#"{"batch_data": "s3://acme-ml/batch/"}"#;
    let reports = |mse: f64| {
        serde_json::json!({ "evaluation": { "file": "evaluation.json",
            "document": { "regression_metrics": { "mse": { "value": mse } } } } })
        .to_string()
    };
    for version in [AirflowVersion::V3, AirflowVersion::V2] {
        let (_, low, printed) = run_dag_test(version, "tests/targets/gates.mlp", conf, &moto, &reports(5.0));
        assert_eq!(low["state"], "success", "{version:?}: {low:#}\n{printed}");
        for (task, state) in
            [("mse_ok", "success"), ("abalone_model", "success"), ("batch", "success"), ("too_high", "skipped")]
        {
            assert_eq!(low["tasks"][task], state, "{version:?}: {task}: {low:#}");
        }
        // The transform ran the model the model task created in moto.
        let transforms = low["transform"].as_array().unwrap();
        let batch = transforms.iter().find(|t| t["TransformJobName"].as_str().unwrap().starts_with("gates-batch-"));
        let model = batch.and_then(|b| b["ModelName"].as_str()).unwrap_or_default();
        assert!(model.starts_with("gates-abalone-model-"), "{low:#}");
        assert!(low["models"].as_array().unwrap().iter().any(|m| m == model), "{model} not in moto: {low:#}");

        let (_, high, printed) = run_dag_test(version, "tests/targets/gates.mlp", conf, &moto, &reports(7.0));
        assert_eq!(high["state"], "failed", "{version:?}: {high:#}");
        for (task, state) in
            [("mse_ok", "success"), ("abalone_model", "skipped"), ("batch", "skipped"), ("too_high", "failed")]
        {
            assert_eq!(high["tasks"][task], state, "{version:?}: {task}: {high:#}");
        }
        assert!(printed.contains("MSE 7.0 is above 6.0"), "{version:?}: the message is not in the log:\n{printed}");
    }
}

/// The language contract's Abalone pipeline (examples/abalone) with `dag.test()`
/// against moto on Airflow 3 and 2: a low MSE registers a version of the trained model
/// in moto's model registry, its approval from the run's params and its metrics the
/// run's evaluation report, and runs the transform; a high MSE fails the run with the
/// message and skips the model, register and transform tasks.
#[test]
fn end_to_end_the_contract_abalone_registers_the_model_or_fails() {
    let path = "examples/abalone/abalone.mlp";
    let reports = |mse: f64| {
        serde_json::json!({ "evaluation": { "file": "evaluation.json",
            "document": { "regression_metrics": { "mse": { "value": mse } } } } })
        .to_string()
    };
    for version in [AirflowVersion::V3, AirflowVersion::V2] {
        // A fresh emulator per version: the registry then holds this run's versions only.
        let moto = common::Moto::start();
        let conf = r#"{"batch_data": "s3://acme-ml/batch/", "approval_status": "Approved"}"#;
        let (_, low, printed) = run_dag_test(version, path, conf, &moto, &reports(5.0));
        assert_eq!(low["state"], "success", "{version:?}: {low:#}\n{printed}");
        for (task, state) in [
            ("mse_ok", "success"),
            ("abalone_model", "success"),
            ("register_model", "success"),
            ("batch", "success"),
            ("too_high", "skipped"),
        ] {
            assert_eq!(low["tasks"][task], state, "{version:?}: {task}: {low:#}");
        }
        let packages = low["model_packages"].as_array().unwrap();
        assert_eq!(packages.len(), 1, "{version:?}: {low:#}");
        let package = &packages[0];
        assert_eq!(package["ModelPackageGroupName"], "abalone-models", "{package:#}");
        assert_eq!(package["ModelApprovalStatus"], "Approved", "the param's value: {package:#}");
        let spec = &package["InferenceSpecification"];
        assert_eq!(spec["SupportedRealtimeInferenceInstanceTypes"], serde_json::json!(["ml.t2.medium", "ml.m5.large"]));
        assert_eq!(spec["SupportedTransformInstanceTypes"], serde_json::json!(["ml.m5.large"]));
        let container = &spec["Containers"][0];
        assert!(container["Image"].as_str().unwrap().ends_with("/sagemaker-xgboost:1.7-1"), "{container:#}");
        // The archive the training job reported, and the report this run's evaluate wrote.
        let trained = low["training"][0]["ModelArtifacts"]["S3ModelArtifacts"].as_str().unwrap();
        assert_eq!(container["ModelDataUrl"], trained, "{package:#}");
        let statistics = &package["ModelMetrics"]["ModelQuality"]["Statistics"];
        assert_eq!(statistics["ContentType"], "application/json");
        let metrics = statistics["S3Uri"].as_str().unwrap();
        assert!(metrics.ends_with("/evaluate/evaluation/evaluation.json"), "{metrics}");
        assert!(low["json_objects"].get(metrics).is_some(), "{metrics} is not the run's report: {low:#}");

        let (_, high, printed) = run_dag_test(version, path, conf, &moto, &reports(7.0));
        assert_eq!(high["state"], "failed", "{version:?}: {high:#}");
        for (task, state) in
            [("abalone_model", "skipped"), ("register_model", "skipped"), ("batch", "skipped"), ("too_high", "failed")]
        {
            assert_eq!(high["tasks"][task], state, "{version:?}: {task}: {high:#}");
        }
        assert_eq!(high["model_packages"].as_array().unwrap().len(), 1, "no new version: {high:#}");
        assert!(printed.contains("MSE 7.0 is above 6.0"), "{version:?}: the message is not in the log:\n{printed}");
    }
}

/// examples/judged/judged.mlp with `dag.test()` against moto's Lambda (no Docker). On
/// Airflow 2 the function echoes its event: the response written as the step's report
/// is the payload the task resolved when it ran (the report's value and the params,
/// typed), and the condition then fails the run on the missing verdict. On Airflow 3
/// the function answers a verdict: the condition holds and the model is created in
/// moto, and the fail task is skipped.
#[test]
fn end_to_end_a_lambda_step_sends_its_payload_and_its_answer_decides() {
    let path = "examples/judged/judged.mlp";
    let reports = serde_json::json!({ "evaluation": { "file": "evaluation.json",
        "document": { "regression_metrics": { "mse": { "value": 4.5 } } } } })
    .to_string();
    let conf =
        r#"{"team": "ranking", "train_data": "s3://acme-ml/data/train/", "test_data": "s3://acme-ml/data/test/"}"#;

    let moto = common::Moto::start();
    let echo = r#"{"function": "judge-model"}"#;
    let (_, r, printed) = run_dag_test_with_lambda(AirflowVersion::V2, path, conf, &moto, &reports, echo);
    assert_eq!(r["tasks"]["judge"], "success", "{r:#}\n{printed}");
    let run_key = r["json_objects"].as_object().unwrap().keys().find(|k| k.ends_with("/judge/verdict/report.json"));
    let sent = &r["json_objects"][run_key.expect("the response is written as the report").as_str()];
    assert_eq!(sent["mse"], 4.5, "{sent:#}");
    assert_eq!(sent["min_score"], 0.5, "a float param stays a number: {sent:#}");
    assert_eq!(sent["team"], "ranking", "{sent:#}");
    assert_eq!(sent["strict"], true, "{sent:#}");
    assert_eq!(sent["attempts"], 3, "{sent:#}");
    assert!(sent["model"].as_str().unwrap().starts_with("s3://"), "{sent:#}");
    assert!(sent["run"].as_str().unwrap().starts_with("run "), "{sent:#}");
    assert_eq!(r["state"], "failed", "no verdict in an echo: {r:#}");
    assert!(printed.contains("report value `judge.verdict.approved` is missing"), "{printed}");

    let moto = common::Moto::start();
    let verdict = r#"{"function": "judge-model", "results": [{"score": 0.75, "approved": true, "reason": "fine"}]}"#;
    let (_, r, printed) = run_dag_test_with_lambda(AirflowVersion::V3, path, conf, &moto, &reports, verdict);
    assert_eq!(r["state"], "success", "{r:#}\n{printed}");
    for (task, state) in
        [("judge", "success"), ("good_enough", "success"), ("judged_model", "success"), ("rejected", "skipped")]
    {
        assert_eq!(r["tasks"][task], state, "{task}: {r:#}");
    }
    assert!(
        r["models"].as_array().unwrap().iter().any(|m| m.as_str().unwrap().starts_with("judged-judged-model-")),
        "{r:#}"
    );
}

/// tests/targets/endpoint.mlp with `dag.test()` against moto on Airflow 3 and 2: each
/// endpoint is created with this run's configuration serving the created model (the
/// run's instance count) and is in service when its task ends. On a second run the
/// endpoint without `update = true` exists, and its task fails saying so.
#[test]
fn end_to_end_endpoints_are_created_and_only_updated_when_asked() {
    let path = "tests/targets/endpoint.mlp";
    let conf = r#"{"instances": 2, "train_data": "s3://acme-ml/data/train/"}"#;
    for version in [AirflowVersion::V3, AirflowVersion::V2] {
        let moto = common::Moto::start();
        let (_, first, printed) = run_dag_test(version, path, conf, &moto, "{}");
        assert_eq!(first["state"], "success", "{version:?}: {first:#}\n{printed}");
        let endpoints = first["endpoints"].as_array().unwrap();
        let live = endpoints.iter().find(|e| e["EndpointName"] == "serving-live").expect("serving-live in moto");
        assert_eq!(live["EndpointStatus"], "InService", "{live:#}");
        assert!(endpoints.iter().any(|e| e["EndpointName"] == "serving-shadow"), "{first:#}");
        let config_name = live["EndpointConfigName"].as_str().unwrap();
        let configs = first["endpoint_configs"].as_array().unwrap();
        let config = configs.iter().find(|c| c["EndpointConfigName"] == config_name).unwrap();
        assert_eq!(config["ProductionVariants"][0]["InitialInstanceCount"], 2, "the run's param: {config:#}");
        let model = config["ProductionVariants"][0]["ModelName"].as_str().unwrap();
        assert!(first["models"].as_array().unwrap().iter().any(|m| m == model), "{model}: {first:#}");

        let (_, second, printed) = run_dag_test(version, path, conf, &moto, "{}");
        assert_eq!(second["tasks"]["live"], "failed", "{version:?}: {second:#}");
        assert_eq!(second["tasks"]["shadow"], "success", "{version:?}: {second:#}");
        assert!(printed.contains("endpoint serving-live exists"), "{version:?}: {printed}");
    }
}

/// examples/tuned/tuned.mlp with `dag.test()` against moto: the tuning task creates a
/// tuning job in moto (named within 32 characters, its request the step's search), and
/// the tasks after it read the model of the best training job moto reports: evaluate's
/// input, the registered version's archive, the Lambda's payload. On Airflow 3 a low MSE
/// registers and announces the model; on Airflow 2 a high MSE fails the run with the
/// message and skips both.
#[test]
fn end_to_end_a_tuning_steps_best_model_is_evaluated_registered_and_announced() {
    let path = "examples/tuned/tuned.mlp";
    let reports = |mse: f64| {
        serde_json::json!({ "evaluation": { "file": "evaluation.json",
            "document": { "regression_metrics": { "mse": { "value": mse } } } } })
        .to_string()
    };
    let echo = r#"{"function": "model-tuned"}"#;
    let moto = common::Moto::start();
    let (ir, r, printed) = run_dag_test_with_lambda(AirflowVersion::V3, path, "{}", &moto, &reports(4.5), echo);
    assert_eq!(r["state"], "success", "{r:#}\n{printed}");
    let jobs = r["tuning"].as_array().unwrap();
    assert_eq!(jobs.len(), 1, "{r:#}");
    let job = &jobs[0];
    let name = job["HyperParameterTuningJobName"].as_str().unwrap();
    assert!(name.len() <= 32 && name.starts_with("tuned-tune-"), "{name}");
    let config = &job["HyperParameterTuningJobConfig"];
    assert_eq!(config["Strategy"], "Random");
    assert_eq!(config["ResourceLimits"]["MaxParallelTrainingJobs"], 2);
    assert_eq!(
        config["ParameterRanges"]["CategoricalParameterRanges"][0]["Values"],
        serde_json::json!(["gbtree", "dart"])
    );
    let best = job["BestTrainingJob"]["TrainingJobName"].as_str().unwrap();
    let model = format!("{}{best}/output/model.tar.gz", location(&ir, r["run_id"].as_str().unwrap(), "tune", "model"));
    let evaluate = &r["processing"]
        .as_array()
        .unwrap()
        .iter()
        .find(|j| j["ProcessingJobName"].as_str().unwrap().starts_with("tuned-evaluate-"))
        .unwrap();
    let input = evaluate["ProcessingInputs"].as_array().unwrap().iter().find(|i| i["InputName"] == "model").unwrap();
    assert_eq!(input["S3Input"]["S3Uri"], model.as_str(), "{evaluate:#}");
    let packages = r["model_packages"].as_array().unwrap();
    assert_eq!(packages.len(), 1, "{r:#}");
    assert_eq!(packages[0]["InferenceSpecification"]["Containers"][0]["ModelDataUrl"], model.as_str());
    for (task, state) in
        [("tune", "success"), ("register_best", "success"), ("notify", "success"), ("too_high", "skipped")]
    {
        assert_eq!(r["tasks"][task], state, "{task}: {r:#}");
    }

    let moto = common::Moto::start();
    let (_, r, printed) = run_dag_test_with_lambda(AirflowVersion::V2, path, "{}", &moto, &reports(7.0), echo);
    assert_eq!(r["state"], "failed", "{r:#}");
    assert_eq!(r["tuning"].as_array().unwrap().len(), 1, "{r:#}");
    for (task, state) in
        [("tune", "success"), ("register_best", "skipped"), ("notify", "skipped"), ("too_high", "failed")]
    {
        assert_eq!(r["tasks"][task], state, "{task}: {r:#}");
    }
    assert!(printed.contains("the best model's MSE 7.0 is above 6.0"), "{printed}");
}
