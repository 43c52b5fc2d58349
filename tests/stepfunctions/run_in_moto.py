"""Runs a JSONPath state machine in moto's Step Functions interpreter, with every Task
state replaced by a Pass state, and prints what happened as JSON.

Usage: run_in_moto.py ENDPOINT_URL DEFINITION.json INPUT_JSON EXECUTION_NAME [render] [reports=JSON]
                     [live=STATE,STATE...]

Each Task becomes a Pass that keeps the Task's `ResultPath` and `Next`/`End` and
returns `{"Id": "statement", "Status": "FINISHED"}` (what a Redshift statement's
DescribeStatement says when it is done; other Tasks discard their result). Prints
{"status", "output", "error", "events": [[type, state name or null], ...]} in
history order. With `render`, each Task's Pass keeps the Task's `Parameters`, and
writes what they render to under `$.rendered.<state name>` instead: the output shows
every request exactly as Step Functions' intrinsic functions produced it. With
`reports={"STEP.OUTPUT": {...}}`, a Task that reads a report (`<consumer> reads
STEP.OUTPUT`, an S3 GetObject) becomes a Pass whose result is what its ResultSelector
would give for that document, `{"value": document}` (moto cannot read an object body
with `States.StringToJson`); a Lambda step's Task answers with the document given for
its response (`STEP.OUTPUT`) the same way. A tuning Task reports `<state>-best-job` as
its best training job. With `live=...`, the Tasks of those names stay Tasks and
call moto's services (their `Catch` too); the output then also holds
`"model_packages"`, every model package version moto holds, and `"endpoints"` and
`"endpoint_configs"`, every endpoint and endpoint configuration, described. Talks to
127.0.0.1 only, with the moto venv's boto3.
"""

from __future__ import annotations

import json
import os
import sys
import time
import urllib.request
from typing import Any

import boto3

os.environ.setdefault("AWS_ACCESS_KEY_ID", "test")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "test")
ROLE = "arn:aws:iam::123456789012:role/StepFunctions"


# Where the stand-in training jobs report their model archives.
REPORTED_MODELS = "s3://mlpc-reported-models/"


def rendering(name: str, parameters: dict) -> dict:
    """A Pass that writes what a Task's Parameters render to under `$.rendered.<name>`."""
    # moto gives a Pass state's context no RetryCount; a first attempt's is 0.
    return {
        "Type": "Pass",
        "Parameters": json.loads(json.dumps(parameters).replace("$$.State.RetryCount", "States.MathAdd(0, 0)")),
        "ResultPath": "$.rendered." + "".join(c if c.isalnum() else "_" for c in name),
    }


def as_pass(states: dict[str, Any], render: bool, reports: dict[str, Any], live: set[str]) -> None:
    for name, state in list(states.items()):
        if state.get("Type") == "Task" and name not in live:
            replacement = {"Type": "Pass", "Result": {"Id": "statement", "Status": "FINISHED"}}
            if state.get("Resource") == "arn:aws:states:::aws-sdk:s3:getObject":
                # A report read: the document the test gives for it.
                replacement["Result"] = {"value": reports[name.split(" reads ", 1)[1]]}
            elif state.get("Resource") == "arn:aws:states:::lambda:invoke":
                # A Lambda step answers with the report the test gives for its response
                # (`STEP.OUTPUT`), as its ResultSelector would select it.
                answer = next((v for k, v in reports.items() if k.split(".", 1)[0] == name), {})
                replacement["Result"] = {"value": answer}
            elif "BestTrainingJob.$" in state.get("ResultSelector", {}):
                # A tuning Task keeps the name of its best training job.
                replacement["Result"] = {"BestTrainingJob": f"{name}-best-job"}
            elif "ResultSelector" in state:
                # A training Task keeps the archive its job reports (a Pass has no
                # ResultSelector: its Result is the selection). The key is not the one
                # a consumer could compute, so reading it proves the state passed it on.
                replacement["Result"] = {"S3ModelArtifacts": f"{REPORTED_MODELS}{name}/output/model.tar.gz"}
            for key in ("ResultPath", "Next", "End"):
                if key in state:
                    replacement[key] = state[key]
            if render and "Parameters" in state and state.get("ResultPath", None) is None:
                moves = {k: replacement[k] for k in ("Next", "End") if k in replacement}
                replacement = {**rendering(name, state["Parameters"]), **moves}
            elif render and "Parameters" in state:
                # A Task whose result the machine reads (Redshift's ExecuteStatement):
                # a Pass under its name renders its Parameters, then the Task's Pass runs.
                states[name + " (task)"] = replacement
                replacement = {**rendering(name, state["Parameters"]), "Next": name + " (task)"}
            state.clear()
            state.update(replacement)
        for branch in state.get("Branches", []):
            as_pass(branch["States"], render, reports, live)
            if render and "ResultSelector" in state:
                # The Parallel passes models on: keep that, with the branches beside them.
                state["ResultSelector"]["mlpc_branches.$"] = "$"
            elif render:
                # Keep the branches' renderings: the Parallel's output is their list.
                state.pop("ResultPath", None)
                state["ResultSelector"] = {"branches.$": "$"}
                state["ResultPath"] = "$.parallel"


def main() -> None:
    endpoint, path, given, name = sys.argv[1:5]
    options = sys.argv[5:]
    render = "render" in options
    reports = next((json.loads(o.removeprefix("reports=")) for o in options if o.startswith("reports=")), {})
    with open(path) as f:
        definition = json.load(f)
    live = next((set(o.removeprefix("live=").split(",")) for o in options if o.startswith("live=")), set())
    as_pass(definition["States"], render, reports, live)
    request = urllib.request.Request(
        f"{endpoint}/moto-api/config",
        data=json.dumps({"stepfunctions": {"execute_state_machine": True}}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    urllib.request.urlopen(request).read()
    sfn = boto3.client("stepfunctions", endpoint_url=endpoint, region_name="us-east-1")
    machine = sfn.create_state_machine(name=name, definition=json.dumps(definition), roleArn=ROLE)["stateMachineArn"]
    execution = sfn.start_execution(stateMachineArn=machine, name=name, input=given)["executionArn"]
    deadline = time.time() + 60
    while True:
        described = sfn.describe_execution(executionArn=execution)
        if described["status"] != "RUNNING" or time.time() > deadline:
            break
        time.sleep(0.1)
    events = []
    pages = sfn.get_paginator("get_execution_history").paginate(executionArn=execution)
    for page in pages:
        for e in page["events"]:
            details = e.get("stateEnteredEventDetails") or e.get("stateExitedEventDetails") or {}
            events.append([e["type"], details.get("name")])
    result = {
        "status": described["status"],
        "output": json.loads(described["output"]) if described.get("output") else None,
        "error": described.get("error"),
        "cause": described.get("cause"),
        "events": events,
    }
    if live:
        sagemaker = boto3.client("sagemaker", endpoint_url=endpoint, region_name="us-east-1")
        summaries = sagemaker.list_model_packages(ModelPackageType="Versioned")["ModelPackageSummaryList"]
        result["model_packages"] = [
            sagemaker.describe_model_package(ModelPackageName=s["ModelPackageArn"]) for s in summaries
        ]
        endpoints = sagemaker.list_endpoints()["Endpoints"]
        result["endpoints"] = [sagemaker.describe_endpoint(EndpointName=e["EndpointName"]) for e in endpoints]
        configs = sagemaker.list_endpoint_configs()["EndpointConfigs"]
        result["endpoint_configs"] = [
            sagemaker.describe_endpoint_config(EndpointConfigName=c["EndpointConfigName"]) for c in configs
        ]
    json.dump(result, sys.stdout, default=str)


if __name__ == "__main__":
    main()
