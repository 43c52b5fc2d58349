//! `mlpc deploy --target sagemaker` against a moto server on 127.0.0.1: the first run
//! uploads code and creates the pipeline, the second updates it (no duplicate), a
//! third starts an execution with a parameter override; the code objects in S3 are
//! the files' bytes at the keys the definition names. Failures end with exit code 3
//! and a message that says what failed, and nothing a re-run cannot complete.
// mlpc-test: end-to-end (real consumers from scripts/setup-python and scripts/setup-node)

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use std::process::{Command, Output};

use serde_json::Value as Json;

fn mlpc(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mlpc"))
        .args(args)
        .current_dir(common::root())
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_ENDPOINT_URL")
        .env("AWS_CONFIG_FILE", "/nonexistent")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .output()
        .unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn state(moto: &common::Moto, region: &str, extra: &[&str]) -> Json {
    let python = common::root().join("target/py/moto/bin/python");
    assert!(python.exists(), "run scripts/setup-python");
    let out = Command::new(python)
        .arg(common::root().join("tests/sagemaker/deploy_state.py"))
        .args([moto.url().as_str(), region])
        .args(extra)
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .output()
        .unwrap();
    assert!(out.status.success(), "deploy_state.py: {}", stderr(&out));
    if extra.is_empty() {
        serde_json::from_slice(&out.stdout).unwrap()
    } else {
        Json::Null
    }
}

fn code_sha256(path: &str) -> String {
    use sha2::Digest;
    let bytes = std::fs::read(common::root().join(path)).unwrap();
    sha2::Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn deploy_creates_updates_and_starts_against_moto() {
    let moto = common::Moto::start();
    let url = moto.url();
    let deploy = |extra: &[&str]| {
        let mut args = vec!["deploy", "examples/churn/churn.mlp", "--target", "sagemaker", "--endpoint-url", &url];
        args.extend_from_slice(extra);
        mlpc(&args)
    };

    // No bucket yet: a refused upload is exit 3 with S3's own words, and no pipeline.
    let out = deploy(&[]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(stderr(&out).contains("NoSuchBucket"), "{}", stderr(&out));
    assert!(state(&moto, "us-east-1", &[])["pipelines"].as_object().unwrap().is_empty());

    state(&moto, "us-east-1", &["create-bucket", "acme-ml"]);
    let first = deploy(&[]);
    assert!(first.status.success(), "{}", stderr(&first));
    assert!(stderr(&first).contains("(uploaded, "), "{}", stderr(&first));
    assert!(stderr(&first).contains("pipeline  churn (created)"), "{}", stderr(&first));

    let second = deploy(&[]);
    assert!(second.status.success(), "{}", stderr(&second));
    assert!(stderr(&second).contains("(already there)"), "{}", stderr(&second));
    assert!(stderr(&second).contains("pipeline  churn (updated)"), "{}", stderr(&second));

    let started = deploy(&["--start", "--param", "max_depth=7", "--param", "instance=ml.m5.2xlarge"]);
    assert!(started.status.success(), "{}", stderr(&started));
    assert!(stderr(&started).contains("execution arn:aws:sagemaker:us-east-1:"), "{}", stderr(&started));

    let s = state(&moto, "us-east-1", &[]);
    let pipelines = s["pipelines"].as_object().unwrap();
    assert_eq!(pipelines.keys().collect::<Vec<_>>(), ["churn"], "one pipeline, updated in place");
    let churn = &pipelines["churn"];
    let built = mlpc(&["build", "examples/churn/churn.mlp", "--target", "sagemaker", "-o", "-"]);
    assert_eq!(churn["definition"].as_str().unwrap(), String::from_utf8(built.stdout).unwrap());
    assert_eq!(churn["role"], "arn:aws:iam::123456789012:role/SageMakerExecution");
    assert_eq!(churn["description"], "Monthly churn model");
    assert_eq!(churn["tags"], serde_json::json!([{"Key": "ml", "Value": ""}, {"Key": "churn", "Value": ""}]));
    assert_eq!(churn["executions"], serde_json::json!([{"max_depth": "7", "instance": "ml.m5.2xlarge"}]));
    let sha = code_sha256("examples/churn/code/preprocessing.py");
    let key = format!("s3://acme-ml/pipelines/churn/code/{sha}/preprocessing.py");
    // The sql step's script, too: on SageMaker the query runs in a job of its own.
    let sql_sha = code_sha256("crates/mlpc-core/templates/python/mlpc_sql.py");
    let sql_key = format!("s3://acme-ml/pipelines/churn/code/{sql_sha}/mlpc_sql.py");
    assert_eq!(s["objects"], serde_json::json!({ key: sha, sql_key: sql_sha }), "the code files, content-addressed");
}

#[test]
fn pipeline_names_with_underscores_are_deployed_with_dashes() {
    let moto = common::Moto::start();
    state(&moto, "eu-west-1", &["create-bucket", "acme-features"]);
    let url = moto.url();
    let out = mlpc(&[
        "deploy",
        "examples/athena_features/athena_features.mlp",
        "--target",
        "sagemaker",
        "--endpoint-url",
        &url,
        "--start",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let s = state(&moto, "eu-west-1", &[]);
    assert_eq!(s["pipelines"]["athena-features"]["executions"], serde_json::json!([{}]));
}

#[test]
fn bad_overrides_are_refused_before_anything_is_sent() {
    // The endpoint is closed: reaching it would be exit 3, not these usage errors.
    let closed = "http://127.0.0.1:9";
    let cases: [(&str, &str); 5] = [
        ("max_dept=7", "did you mean `max_depth`?"),
        ("max_depth=70", "the maximum is 20"),
        ("max_depth=deep", "`max_depth` is an int"),
        ("instance=ml.c5.large", "allowed values are ml.m5.xlarge, ml.m5.2xlarge"),
        ("max_depth", "is not NAME=VALUE"),
    ];
    for (param, expected) in cases {
        let args = [
            "deploy",
            "examples/churn/churn.mlp",
            "--target",
            "sagemaker",
            "--endpoint-url",
            closed,
            "--start",
            "--param",
            param,
        ];
        let out = mlpc(&args);
        assert_eq!(out.status.code(), Some(2), "{param}: {}", stderr(&out));
        assert!(stderr(&out).contains(expected), "{param}: {}", stderr(&out));
    }
}

#[test]
fn an_unreachable_endpoint_is_exit_3_with_a_clear_message() {
    let out =
        mlpc(&["deploy", "examples/churn/churn.mlp", "--target", "sagemaker", "--endpoint-url", "http://127.0.0.1:9"]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(stderr(&out).contains("the endpoint cannot be reached"), "{}", stderr(&out));
    assert!(!stderr(&out).contains("panicked"), "{}", stderr(&out));
}

/// `mlpc import --sagemaker-pipeline`: a pipeline created in moto by `mlpc deploy` is
/// read back with DescribePipeline and imported; it builds to the definition that was
/// deployed, byte for byte. An unknown name and a closed port are exit 3.
#[test]
fn import_reads_a_deployed_pipeline_back_with_describe_pipeline() {
    let moto = common::Moto::start();
    let url = moto.url();
    state(&moto, "us-east-1", &["create-bucket", "acme-ml"]);
    let source = "examples/abalone_batch/abalone_batch.mlp";
    let out = mlpc(&["deploy", source, "--target", "sagemaker", "--endpoint-url", &url]);
    assert!(out.status.success(), "{}", stderr(&out));

    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("import-describe");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let imported = dir.join("abalone_batch.mlp");
    let imported_arg = imported.display().to_string();
    let args = ["import", "--sagemaker-pipeline", "abalone-batch", "--region", "us-east-1", "--endpoint-url", &url];
    let out = mlpc(&[&args[..], &["-o", &imported_arg]].concat());
    assert!(out.status.success(), "{}", stderr(&out));
    let mlp = std::fs::read_to_string(&imported).unwrap();
    assert!(mlp.starts_with("pipeline abalone_batch {\n  description = \"Abalone age"), "{mlp}");

    let rebuilt = dir.join("rebuilt.json");
    let out = mlpc(&["build", &imported_arg, "--target", "sagemaker", "-o", &rebuilt.display().to_string()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let deployed = mlpc(&["build", source, "--target", "sagemaker", "-o", "-"]);
    assert_eq!(std::fs::read_to_string(&rebuilt).unwrap(), String::from_utf8_lossy(&deployed.stdout));

    // Writing over the file needs --force.
    let again = mlpc(&[&args[..], &["-o", &imported_arg]].concat());
    assert_eq!(again.status.code(), Some(2), "{}", stderr(&again));
    assert!(stderr(&again).contains("--force"), "{}", stderr(&again));

    let missing =
        mlpc(&["import", "--sagemaker-pipeline", "no-such-pipeline", "--region", "us-east-1", "--endpoint-url", &url]);
    assert_eq!(missing.status.code(), Some(3), "{}", stderr(&missing));
    assert!(stderr(&missing).contains("describing pipeline no-such-pipeline failed"), "{}", stderr(&missing));

    let closed = "http://127.0.0.1:9";
    let unreachable =
        mlpc(&["import", "--sagemaker-pipeline", "abalone-batch", "--region", "us-east-1", "--endpoint-url", closed]);
    assert_eq!(unreachable.status.code(), Some(3), "{}", stderr(&unreachable));
    assert!(stderr(&unreachable).contains("cannot be reached"), "{}", stderr(&unreachable));
}
