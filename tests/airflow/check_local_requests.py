"""Checks local-mode tasks against the SageMaker Python SDK's local-mode client.

Usage: python check_local_requests.py REPORT.json   (in a venv with "sagemaker<3")

For every task of a local-mode DAG (as rendered by check_dags.py), the request it
passes must bind to the signature of the LocalSagemakerClient method it calls, and
its instance types must be local ones. Jobs are not started: that needs Docker.
"""

from __future__ import annotations

import inspect
import json
import os
import sys

os.environ.setdefault("SAGEMAKER_SUPPRESS_V2_WARNING", "1")

from sagemaker.local.local_session import LocalSagemakerClient  # noqa: E402

CALLS = {
    "mlpc_local_processing": [("request", "create_processing_job")],
    "mlpc_local_training": [("request", "create_training_job")],
    "mlpc_local_transform": [("model", "create_model"), ("transform", "create_transform_job")],
}


def instance_types(value):
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "InstanceType":
                yield item
            else:
                yield from instance_types(item)
    elif isinstance(value, list):
        for item in value:
            yield from instance_types(item)


def main(path):
    report = json.load(open(path, encoding="utf-8"))
    checked = 0
    for file_report in report.values():
        for dag in file_report["dags"].values():
            for task_id, task in dag["tasks"].items():
                for kwarg, method in CALLS.get(task["callable"], []):
                    request = task["rendered"]["op_kwargs"][kwarg]
                    signature = inspect.signature(getattr(LocalSagemakerClient, method))
                    signature.bind(None, **request)
                    for instance in instance_types(request):
                        assert instance in ("local", "local_gpu"), (task_id, instance)
                    checked += 1
    assert checked > 0, "no local-mode task found"
    print(f"{checked} local-mode requests fit LocalSagemakerClient")


if __name__ == "__main__":
    main(sys.argv[1])
