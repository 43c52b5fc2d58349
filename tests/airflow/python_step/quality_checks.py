"""The callable of tests/airflow/python_step: written as a user would, with exactly the
arguments the step declares (no **kwargs), writing its output under the URI it is given."""

import json

import boto3


def validate(mode, level, data, report):
    bucket, _, prefix = report.removeprefix("s3://").partition("/")
    body = json.dumps({"mode": mode, "level": level, "data": data}).encode()
    boto3.client("s3").put_object(Bucket=bucket, Key=prefix + "report.json", Body=body)
    return "ok"
