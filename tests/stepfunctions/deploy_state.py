"""What a moto server holds after `mlpc deploy --target stepfunctions`, as JSON on stdout.

Usage: deploy_state.py ENDPOINT_URL [create-bucket BUCKET]
Prints {"machines": {name: {definition, role, tags, executions: [{name, input}]}}}.
Runs with the moto venv's boto3; talks to 127.0.0.1 only.
"""

from __future__ import annotations

import json
import os
import sys

import boto3

os.environ.setdefault("AWS_ACCESS_KEY_ID", "test")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "test")


def main() -> None:
    endpoint = sys.argv[1]
    if len(sys.argv) > 2 and sys.argv[2] == "create-bucket":
        boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1").create_bucket(Bucket=sys.argv[3])
        return
    sfn = boto3.client("stepfunctions", endpoint_url=endpoint, region_name="us-east-1")
    machines = {}
    for m in sfn.list_state_machines()["stateMachines"]:
        described = sfn.describe_state_machine(stateMachineArn=m["stateMachineArn"])
        executions = []
        for e in sfn.list_executions(stateMachineArn=m["stateMachineArn"])["executions"]:
            execution = sfn.describe_execution(executionArn=e["executionArn"])
            executions.append({"name": e["name"], "input": json.loads(execution["input"])})
        machines[m["name"]] = {
            "definition": described["definition"],
            "role": described["roleArn"],
            "tags": sfn.list_tags_for_resource(resourceArn=m["stateMachineArn"])["tags"],
            "executions": executions,
        }
    json.dump({"machines": machines}, sys.stdout, indent=1, sort_keys=True)


if __name__ == "__main__":
    main()
