"""Loads generated DAG files in a real Airflow and reports what Airflow sees.

Usage: python check_dags.py REPORT.json DAG_FILE...

For each file: import errors and warnings raised while importing, and for each DAG
its tasks (operator, upstream task ids), whether it survives the serializer round
trip, whether its param defaults validate, and every templated field rendered for a
run with the default params. Run under a throw-away AIRFLOW_HOME.
"""

from __future__ import annotations

import copy
import datetime
import json
import os
import sys
import tempfile
import warnings

home = tempfile.mkdtemp(prefix="mlpc-airflow-")
os.environ.setdefault("AIRFLOW_HOME", home)
os.environ.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
os.environ.setdefault("AIRFLOW__CORE__UNIT_TEST_MODE", "True")
os.environ.setdefault("AIRFLOW__METRICS__TIMER_UNIT_CONSISTENCY", "True")
os.environ["AIRFLOW__CORE__DAGS_FOLDER"] = os.path.dirname(os.path.abspath(sys.argv[2]))

import airflow  # noqa: E402

MAJOR = int(airflow.__version__.split(".")[0])
RUN_ID = "manual__2026-11-28T10:00:00+00:00"


class FakeTI:
    """Stands in for a task instance on its first try: xcom_pull returns what a
    training task and a tuning task return."""

    try_number = 1

    def xcom_pull(self, task_ids=None, **_):
        return {
            "Training": {"ModelArtifacts": {"S3ModelArtifacts": f"s3://xcom/{task_ids}/model.tar.gz"}},
            "Tuning": {"BestTrainingJob": {"TrainingJobName": f"xcom-{task_ids}-best"}},
        }


def load(path):
    if MAJOR >= 3:
        from airflow.dag_processing.dagbag import DagBag

        return DagBag(dag_folder=path)
    from airflow.models.dagbag import DagBag

    return DagBag(dag_folder=path, include_examples=False)


def serialize_round_trip(dag):
    """What the DAG processor does with every DAG: serialize, store as JSON, load."""
    if MAJOR >= 3:
        from airflow.serialization.serialized_objects import DagSerialization as serializer
    else:
        from airflow.serialization.serialized_objects import SerializedDAG as serializer
    data = serializer.to_dict(dag)
    back = serializer.from_dict(json.loads(json.dumps(data)))
    return sorted(back.task_ids) == sorted(dag.task_ids)


def jsonable(value):
    try:
        json.dumps(value)
        return value
    except TypeError:
        return repr(value)


# The values a triggered run gives required params (no default), by JSON schema type;
# tests/common/mod.rs `required_sample` says the same.
SAMPLES = {"string": lambda name: f"given-{name}", "integer": lambda _: 1, "number": lambda _: 1.5, "boolean": lambda _: True}


def run_params(dag):
    """The params of a triggered run: each default, or a sample for a required param."""
    out = {}
    for name in dag.params.keys():
        param = dag.params.get_param(name)
        out[name] = param.resolve() if param.has_value else SAMPLES[param.schema["type"]](name)
    return out


class FakeDagRun:
    """Stands in for the run: the logical date of RUN_ID (tests/common/mod.rs RUN_DATE)."""

    logical_date = datetime.datetime(2026, 11, 28, 10, 0, tzinfo=datetime.timezone.utc)
    start_date = logical_date


def render(dag, task):
    params = run_params(dag)
    context = {"run_id": RUN_ID, "params": params, "ti": FakeTI(), "dag": dag, "task": task, "dag_run": FakeDagRun()}
    env = dag.get_template_env()
    task.render_template_fields(context, jinja_env=env)
    fields = {}
    for name in task.template_fields:
        value = getattr(task, name, None)
        if value is not None and value != {} and value != []:
            fields[name] = jsonable(value)
    return fields


def check(path):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        bag = load(path)
    report = {
        "import_errors": {k: str(v) for k, v in bag.import_errors.items()},
        "warnings": [
            f"{w.category.__name__}: {w.message}"
            for w in caught
            if issubclass(w.category, DeprecationWarning) or "airflow" in str(w.filename)
        ],
        "dags": {},
    }
    for dag_id, dag in bag.dags.items():
        # A required param has no value until a run gives it one: validate as a run would.
        given = copy.deepcopy(dag.params)
        given.update(run_params(dag))
        given.validate()
        tasks = {}
        for task in dag.tasks:
            tasks[task.task_id] = {
                "operator": type(task).__name__,
                # The Amazon provider's operator the task is, or derives from.
                "provider_operator": next(
                    (c.__name__ for c in type(task).__mro__ if c.__module__.startswith("airflow.providers.")), None
                ),
                "callable": getattr(getattr(task, "python_callable", None), "__name__", None),
                "upstream": sorted(task.upstream_task_ids),
                "rendered": render(dag, task),
                "retries": task.retries,
            }
        report["dags"][dag_id] = {
            "description": dag.description,
            "tags": sorted(dag.tags),
            "owner": dag.owner,
            "serialized": serialize_round_trip(dag),
            "params": {k: jsonable(v) for k, v in run_params(dag).items()},
            "tasks": tasks,
        }
    return report


if __name__ == "__main__":
    result = {p: check(p) for p in sys.argv[2:]}
    with open(sys.argv[1], "w", encoding="utf-8") as out:
        json.dump(result, out, indent=2, sort_keys=True)
