"""A data check between feature building and training (a python step)."""

import io
from urllib.parse import urlparse

import boto3
import pandas as pd

from churn.columns import FEATURES


def validate(max_missing: float, data: str) -> None:
    """Fails the run when a feature column misses more than `max_missing` of its values.

    `data` is the S3 URI of the training set, as every target passes it.
    """
    url = urlparse(data)
    s3 = boto3.client("s3")
    listed = s3.list_objects_v2(Bucket=url.netloc, Prefix=url.path.lstrip("/"))
    for item in listed.get("Contents", []):
        body = s3.get_object(Bucket=url.netloc, Key=item["Key"])["Body"].read()
        frame = pd.read_csv(io.BytesIO(body), header=None, names=["label", *FEATURES])
        missing = frame[FEATURES].isna().mean()
        bad = missing[missing > max_missing]
        if not bad.empty:
            raise ValueError(f"too many missing values in {item['Key']}: {bad.to_dict()}")
