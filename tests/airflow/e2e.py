"""Runs a generated DAG end to end with `dag.test()` against a moto server.

Usage: python e2e.py REPORT.json MOTO_PORT DAG_FILE RUN_CONF_JSON REGION

Everything AWS goes to the emulator on 127.0.0.1. Two gaps of the emulator are
bridged here, in this test process only (never in generated code): moto completes
processing jobs without writing their outputs, and nothing emulates Redshift's SQL
protocol; so placeholder objects are put where a job would have written, and the
Redshift UNLOAD statement is recorded instead of sent. S3 URIs in the run's conf are
data from outside the pipeline: an object is put there before the run. A processing job
whose output is named in MLPC_E2E_REPORTS (`{"output": {"file": F, "document": D}}`)
writes D as F there, as a job writes its report. With MLPC_E2E_LAMBDA
(`{"function": NAME, "results": [...]}`), moto's Lambda runs without Docker and the
function NAME exists: it answers each invocation with the next of `results` (JSON),
and once they are used up, with the payload it was sent. The report lists every task's
final state and every SageMaker request the emulator received.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import urllib.request
import zipfile

report_path, port, dag_file, run_conf = sys.argv[1], sys.argv[2], sys.argv[3], json.loads(sys.argv[4])
endpoint = f"http://127.0.0.1:{port}"
region = sys.argv[5]
home = tempfile.mkdtemp(prefix="mlpc-e2e-")
os.environ.update(
    {
        "AIRFLOW_HOME": home,
        "AIRFLOW__CORE__DAGS_FOLDER": os.path.dirname(os.path.abspath(dag_file)),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": region,
        "AWS_ENDPOINT_URL": endpoint,
        "AIRFLOW_CONN_AWS_DEFAULT": json.dumps(
            {"conn_type": "aws", "extra": {"endpoint_url": endpoint, "region_name": region}}
        ),
        "AIRFLOW_CONN_REDSHIFT_DEFAULT": json.dumps(
            {"conn_type": "redshift", "host": "127.0.0.1", "login": "ml", "password": "x", "schema": "dev"}
        ),
        "MLPC_SAGEMAKER_CHECK_INTERVAL": "1",
    }
)
# A DAG that names its AWS connection (`aws_connection`) gets that connection pointed at
# the emulator, and `aws_default` at a closed port: a task that ignored the setting fails.
named = set(re.findall(r'aws_conn_id="([A-Za-z0-9_]+)"', open(dag_file, encoding="utf-8").read()))
for conn in named - {"aws_default"}:
    os.environ[f"AIRFLOW_CONN_{conn.upper()}"] = os.environ["AIRFLOW_CONN_AWS_DEFAULT"]
    os.environ["AIRFLOW_CONN_AWS_DEFAULT"] = json.dumps(
        {"conn_type": "aws", "extra": {"endpoint_url": "http://127.0.0.1:9", "region_name": region}}
    )



def migrated_database() -> None:
    """Puts a migrated metadata database in this run's AIRFLOW_HOME. `airflow db migrate`
    takes seconds per run, so the first run in a venv keeps its result next to the
    venv's interpreter and later runs copy it (a venv is rebuilt when Airflow changes)."""
    template = os.path.join(sys.prefix, "mlpc-e2e-airflow.db")
    database = os.path.join(home, "airflow.db")
    if not os.path.exists(template):
        airflow_bin = os.path.join(os.path.dirname(sys.executable), "airflow")
        subprocess.run([airflow_bin, "db", "migrate"], check=True, capture_output=True)
        partial = f"{template}.{os.getpid()}"
        shutil.copyfile(database, partial)
        os.replace(partial, template)
        return
    shutil.copyfile(template, database)


migrated_database()

import boto3  # noqa: E402
from airflow.providers.amazon.aws.hooks.redshift_data import RedshiftDataHook  # noqa: E402
from airflow.providers.amazon.aws.hooks.redshift_sql import RedshiftSQLHook  # noqa: E402
from airflow.providers.amazon.aws.hooks.sagemaker import SageMakerHook  # noqa: E402

s3 = boto3.client("s3", region_name=region, endpoint_url=endpoint)
unloads = []


def put_placeholder(uri: str) -> None:
    bucket, _, key = uri.removeprefix("s3://").partition("/")
    s3.put_object(Bucket=bucket, Key=key.rstrip("/") + "/part-00000", Body=b"placeholder\n")


original_processing = SageMakerHook.create_processing_job


reports = json.loads(os.environ.get("MLPC_E2E_REPORTS", "{}"))


def processing_with_outputs(self, config, *args, **kwargs):
    result = original_processing(self, config, *args, **kwargs)
    for output in config.get("ProcessingOutputConfig", {}).get("Outputs", []):
        put_placeholder(output["S3Output"]["S3Uri"])
        report = reports.get(output["OutputName"])
        if report is not None:
            bucket, _, key = output["S3Output"]["S3Uri"].removeprefix("s3://").partition("/")
            body = json.dumps(report["document"]).encode()
            s3.put_object(Bucket=bucket, Key=key.rstrip("/") + "/" + report["file"], Body=body)
    return result


def redshift_run(self, sql, autocommit=False, parameters=None, handler=None, **kwargs):
    unloads.append(sql)
    match = re.search(r"TO '(s3://[^']+)'", sql)
    if match:
        put_placeholder(match.group(1))


# The statements moto was sent through the Redshift Data API, as it describes them.
# moto keeps every statement STARTED, so the operator's wait would never end: the check
# reads the statement back from moto and counts it finished.
data_api = []


def finished_in_moto(self, statement_id):
    described = self.conn.describe_statement(Id=statement_id)
    fields = ("QueryString", "Database", "ClusterIdentifier", "DbUser")
    data_api.append({k: described.get(k) for k in fields})
    return True


SageMakerHook.create_processing_job = processing_with_outputs
RedshiftSQLHook.run = redshift_run
RedshiftDataHook.check_query_is_finished = finished_in_moto


def moto_api(path: str, body: dict) -> None:
    request = urllib.request.Request(
        f"{endpoint}{path}", data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}, method="POST"
    )
    urllib.request.urlopen(request).read()


def lambda_function(setup: dict) -> None:
    """The Lambda function the DAG calls, in moto's Lambda without Docker."""
    moto_api("/moto-api/config", {"lambda": {"use_docker": False}})
    iam = boto3.client("iam", region_name=region, endpoint_url=endpoint)
    role = iam.create_role(RoleName="mlpc-e2e-lambda", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    code = tempfile.SpooledTemporaryFile()
    with zipfile.ZipFile(code, "w") as archive:
        archive.writestr("index.py", "def handler(event, context):\n    return event\n")
    code.seek(0)
    client = boto3.client("lambda", region_name=region, endpoint_url=endpoint)
    client.create_function(
        FunctionName=setup["function"],
        Runtime="python3.12",
        Role=role,
        Handler="index.handler",
        Code={"ZipFile": code.read()},
    )
    results = [json.dumps(r) for r in setup.get("results", [])]
    if results:
        moto_api("/moto-api/static/lambda-simple/response", {"results": results, "region": region})


def main() -> None:
    try:
        from airflow.dag_processing.dagbag import DagBag  # Airflow 3
    except ImportError:
        from airflow.models.dagbag import DagBag  # Airflow 2

    bag = DagBag(dag_folder=dag_file)
    assert not bag.import_errors, bag.import_errors
    (dag,) = bag.dags.values()
    # The data a run is given from outside (S3 URIs in its conf) is the caller's: it
    # exists before the run, as a file or under a prefix.
    given = [v for v in run_conf.values() if isinstance(v, str) and v.startswith("s3://")]
    named = re.findall(r"s3://([a-z0-9.-]+)/", open(dag_file, encoding="utf-8").read() + " ".join(given))
    for bucket in set(named):
        where = {} if region == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": region}}
        s3.create_bucket(Bucket=bucket, **where)
    for uri in given:
        bucket, _, key = uri.removeprefix("s3://").partition("/")
        if key.endswith("/") or "." not in key.rsplit("/", 1)[-1]:
            put_placeholder(uri)
        else:
            s3.put_object(Bucket=bucket, Key=key, Body=b"given\n")
    lambda_setup = json.loads(os.environ.get("MLPC_E2E_LAMBDA", "null"))
    if lambda_setup is not None:
        lambda_function(lambda_setup)
    run = dag.test(run_conf=run_conf)
    states = {ti.task_id: str(ti.state) for ti in run.get_task_instances()}
    sm = boto3.client("sagemaker", region_name=region, endpoint_url=endpoint)
    processing = [
        sm.describe_processing_job(ProcessingJobName=j["ProcessingJobName"])
        for j in sm.list_processing_jobs()["ProcessingJobSummaries"]
    ]
    training = [
        sm.describe_training_job(TrainingJobName=j["TrainingJobName"])
        for j in sm.list_training_jobs()["TrainingJobSummaries"]
    ]
    transforms = [
        sm.describe_transform_job(TransformJobName=j["TransformJobName"])
        for j in sm.list_transform_jobs()["TransformJobSummaries"]
    ]
    tuning = [
        sm.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName=j["HyperParameterTuningJobName"])
        for j in sm.list_hyper_parameter_tuning_jobs()["HyperParameterTuningJobSummaries"]
    ]
    models = [m["ModelName"] for m in sm.list_models()["Models"]]
    # Every model package version registered, described.
    model_packages = [
        sm.describe_model_package(ModelPackageName=p["ModelPackageArn"])
        for p in sm.list_model_packages(ModelPackageType="Versioned")["ModelPackageSummaryList"]
    ]
    # The code the jobs name, as the tasks uploaded it: a processing job's input `code`,
    # a script-mode training job's `sagemaker_submit_directory` (JSON-encoded, as the
    # SDK writes it).
    code_uris = [
        item["S3Input"]["S3Uri"]
        for job in processing
        for item in job.get("ProcessingInputs", [])
        if item["InputName"] == "code"
    ]
    code_uris += [
        json.loads(job["HyperParameters"]["sagemaker_submit_directory"])
        for job in training
        if "sagemaker_submit_directory" in job.get("HyperParameters", {})
    ]
    # Code named where it already is in S3 (`code = "s3://…"`) was uploaded by no task.
    code_objects = []
    for uri in code_uris:
        bucket, _, key = uri.removeprefix("s3://").partition("/")
        try:
            body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
        except (s3.exceptions.NoSuchKey, s3.exceptions.NoSuchBucket):
            code_objects.append({"uri": uri, "missing": True})
            continue
        code_objects.append({"uri": uri, "size": len(body), "sha256": hashlib.sha256(body).hexdigest()})
    # Every JSON object in the emulator's buckets, by URI: what python tasks wrote.
    json_objects = {}
    for bucket in s3.list_buckets()["Buckets"]:
        for obj in s3.list_objects_v2(Bucket=bucket["Name"]).get("Contents", []):
            if obj["Key"].endswith(".json"):
                body = s3.get_object(Bucket=bucket["Name"], Key=obj["Key"])["Body"].read()
                json_objects[f"s3://{bucket['Name']}/{obj['Key']}"] = json.loads(body)
    athena = boto3.client("athena", region_name=region, endpoint_url=endpoint)
    queries = [
        athena.get_query_execution(QueryExecutionId=i)["QueryExecution"]["Query"]
        for i in athena.list_query_executions()["QueryExecutionIds"]
    ]
    endpoints = [sm.describe_endpoint(EndpointName=e["EndpointName"]) for e in sm.list_endpoints()["Endpoints"]]
    endpoint_configs = [
        sm.describe_endpoint_config(EndpointConfigName=c["EndpointConfigName"])
        for c in sm.list_endpoint_configs()["EndpointConfigs"]
    ]
    report = {
        "athena_queries": sorted(queries),
        "endpoints": endpoints,
        "endpoint_configs": endpoint_configs,
        "code_objects": code_objects,
        "data_api": data_api,
        "json_objects": json_objects,
        "models": models,
        "model_packages": model_packages,
        "run_id": run.run_id,
        "state": str(run.state),
        "tasks": states,
        "processing": processing,
        "training": training,
        "transform": transforms,
        "tuning": tuning,
        "unloads": unloads,
    }
    with open(report_path, "w", encoding="utf-8") as out:
        json.dump(report, out, indent=2, sort_keys=True, default=str)


main()
