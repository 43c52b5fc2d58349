"""What a moto server holds after `mlpc deploy --target sagemaker`, as JSON on stdout.

Usage: deploy_state.py ENDPOINT_URL REGION [create-bucket BUCKET]
Without `create-bucket`: prints {"pipelines": {name: {definition, role, description,
tags, executions: [{parameters}]}}, "objects": {"s3://bucket/key": sha256}}.
Runs with the moto venv's boto3; talks to 127.0.0.1 only.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys

import boto3

os.environ.setdefault("AWS_ACCESS_KEY_ID", "test")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "test")


def main() -> None:
    endpoint, region = sys.argv[1], sys.argv[2]
    s3 = boto3.client("s3", endpoint_url=endpoint, region_name=region)
    if len(sys.argv) > 3 and sys.argv[3] == "create-bucket":
        config = {} if region == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": region}}
        s3.create_bucket(Bucket=sys.argv[4], **config)
        return
    sm = boto3.client("sagemaker", endpoint_url=endpoint, region_name=region)
    pipelines = {}
    for summary in sm.list_pipelines()["PipelineSummaries"]:
        name = summary["PipelineName"]
        described = sm.describe_pipeline(PipelineName=name)
        executions = []
        for ex in sm.list_pipeline_executions(PipelineName=name)["PipelineExecutionSummaries"]:
            params = sm.list_pipeline_parameters_for_execution(PipelineExecutionArn=ex["PipelineExecutionArn"])
            executions.append({p["Name"]: p["Value"] for p in params.get("PipelineParameters", [])})
        pipelines[name] = {
            "definition": described["PipelineDefinition"],
            "role": described["RoleArn"],
            "description": described.get("PipelineDescription"),
            "tags": sm.list_tags(ResourceArn=described["PipelineArn"])["Tags"],
            "executions": executions,
        }
    objects = {}
    for bucket in s3.list_buckets()["Buckets"]:
        for obj in s3.list_objects_v2(Bucket=bucket["Name"]).get("Contents", []):
            body = s3.get_object(Bucket=bucket["Name"], Key=obj["Key"])["Body"].read()
            objects[f"s3://{bucket['Name']}/{obj['Key']}"] = hashlib.sha256(body).hexdigest()
    json.dump({"pipelines": pipelines, "objects": objects}, sys.stdout, indent=1, sort_keys=True)


if __name__ == "__main__":
    main()
