"""The callable of tests/targets/file_inputs.mlp: counts the lines of the `file()` input
it is given, read from S3, and writes the count as JSON under its output."""

import json

import boto3


def count_rows(lookup, summary):
    s3 = boto3.client("s3")
    bucket, _, key = lookup.removeprefix("s3://").partition("/")
    lines = s3.get_object(Bucket=bucket, Key=key)["Body"].read().decode().splitlines()
    out_bucket, _, prefix = summary.removeprefix("s3://").partition("/")
    body = json.dumps({"lookup": lookup, "lines": len(lines)})
    s3.put_object(Bucket=out_bucket, Key=prefix + "summary.json", Body=body.encode())
