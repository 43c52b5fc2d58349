#!/usr/bin/env python3
"""mlpc against the tools it replaces: the SageMaker Python SDK and a hand-written DAG.

Usage: scripts/bench-external [--sdk-uncached-runs K]   (run by a system python3)

Prints a Markdown report of two measurements, each side by side in the same run:

1. **SageMaker pipeline definition of a 100-step chain, whole process.** The release
   binary's `mlpc build FILE --target sagemaker -o -` (median of 15 runs) against a fresh
   `python` process of the official SageMaker Python SDK (sagemaker==2.257.7, venv
   target/py/sagemaker2) that builds the same pipeline and prints
   `Pipeline.definition()` (median of 5 runs), offline, with the setup of
   tests/sagemaker/oracle.py (imported as a module: its import sets the offline
   environment, its config-validation cache and telemetry opt-out). Both outputs are
   checked to have the same facts (tests/sagemaker/facts.py). With
   `--sdk-uncached-runs K` the SDK is also run K times without the oracle's validation
   cache, i.e. as a user gets it out of the box (about 4.5 minutes a run on 2 cores).
2. **Airflow 3 parse time of mlpc's DAG against a hand-written equivalent**, 100 and
   2,000 tasks: in a fresh process of venv target/py/airflow3 (apache-airflow 3.3.2 +
   amazon provider 9.39.0), Airflow and the provider are imported first (not timed, as
   the DAG processor has them imported before it parses a file), then
   `DagBag(dag_folder=FILE, load_op_links=False)` is timed, as the DAG processor builds
   it, and the serialization the processor does next (`DagSerialization.to_dict`).
   Twice: with the DAG file's bytecode cached (the steady state: the processor parses
   each file again every 30 s) and compiling it (the first parse after a change).
   Median of 7 runs each; every run must give 0 import errors and N tasks.

The same file is the worker that runs inside the venvs (`sdk-worker`, `dagbag-worker`):
the report needs no other files. Everything stays on this machine: the SDK's AWS
endpoint is a closed port on 127.0.0.1, and nothing here calls AWS. Temporary files go
under target/bench-external/ (its `pycache` is kept between runs).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
MLPC = ROOT / "target" / "release" / "mlpc"
SDK_PYTHON = ROOT / "target" / "py" / "sagemaker2" / "bin" / "python"
AIRFLOW_PYTHON = ROOT / "target" / "py" / "airflow3" / "bin" / "python"
WORK = ROOT / "target" / "bench-external"
# Bytecode of the venvs' packages. The machine sets PYTHONDONTWRITEBYTECODE=1 and the
# venvs were installed without compiled bytecode, so without a cache every process
# would compile boto3, sagemaker, pandas, airflow... again (8 s of a 12 s SDK run): no
# user pays that, since pip compiles on install.
PYCACHE = WORK / "pycache"

SDK_RUNS, MLPC_RUNS, PARSE_RUNS = 5, 15, 7
SDK_STEPS = 100
AIRFLOW_TASKS = (100, 2000)

# The settings of benches/scale.rs's generated pipelines.
ROLE = "arn:aws:iam::123456789012:role/R"
IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/i:1"
ARTIFACTS = "s3://bench-bucket/p"
HEADER = f"""  role = "{ROLE}"
  artifacts = "{ARTIFACTS}"
  region = "us-east-1"
  image i = "{IMAGE}"
  param depth: int = 6 {{ min = 1, max = 20 }}
"""
JOB_PY = "print('job')\n"
MARK = "BENCH-RESULT "  # prefixes a worker's one line of JSON results


# --- inputs --------------------------------------------------------------------------


def chain_mlp(n: int) -> str:
    """A chain of N processing steps, each reading the previous step's output.

    The same text as `chain` in benches/scale.rs, so the numbers line up with BENCHMARKS.md.
    """
    steps = []
    for k in range(n):
        read = f"    in x0 = s{k - 1}.o\n" if k else ""
        steps.append(
            f"  step s{k}: processing {{\n"
            f'    image = i, instance = "ml.m5.large", code = "job.py"\n'
            f'    args = ["--depth", "${{params.depth}}"]\n'
            f"{read}    out o: dataset<csv>\n  }}\n"
        )
    return "pipeline chain {\n" + HEADER + "".join(steps) + "}\n"


def write_pipeline(folder: Path, n: int) -> Path:
    """Writes chain_N.mlp and the job.py it names into FOLDER; returns the .mlp."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "job.py").write_text(JOB_PY)
    mlp = folder / f"chain_{n}.mlp"
    mlp.write_text(chain_mlp(n))
    return mlp


def code_uri(job_py: Path) -> str:
    """Where mlpc uploads job.py: content-addressed under the pipeline's artifacts."""
    digest = hashlib.sha256(job_py.read_bytes()).hexdigest()
    return f"{ARTIFACTS}/chain/code/{digest}/job.py"


def hand_written_dag(n: int, code: str, params: bool = False) -> str:
    """The DAG a person would write for the chain: N SageMakerProcessingOperator tasks.

    Each has a plain static `config` of the same request shape as mlpc's (same inputs,
    outputs, image, entrypoint, role) but none of mlpc's extras: no templated job
    names or run-scoped S3 prefixes, no code-upload hook, and DAG params only with
    PARAMS (the same typed `depth` Param as mlpc's, passed to the job as
    `{{ params.depth }}`: what "Trigger DAG w/ config" needs). The tasks are written
    out one by one, as mlpc writes them, so the difference is what mlpc adds.
    """
    depth = "{{ params.depth }}" if params else "6"
    out = [
        '"""A chain of SageMaker processing jobs, written by hand."""',
        "",
        "import pendulum",
        "from airflow.providers.amazon.aws.operators.sagemaker import SageMakerProcessingOperator",
        "from airflow.sdk import DAG, Param" if params else "from airflow.sdk import DAG",
        "",
        f'ROLE = "{ROLE}"',
        f'IMAGE = "{IMAGE}"',
        f'CODE = "{code}"',
        "",
        "with DAG(",
        f'    dag_id="hand_chain{"_params" if params else ""}",',
        "    schedule=None,",
        '    start_date=pendulum.datetime(2025, 1, 1, tz="UTC"),',
        "    catchup=False,",
        *(['    params={"depth": Param(6, type="integer", minimum=1, maximum=20)},'] if params else []),
        ") as dag:",
    ]
    for k in range(n):
        read = (
            f"""                {{
                    "InputName": "x0",
                    "S3Input": {{
                        "S3Uri": "{ARTIFACTS}/chain/s{k - 1}/o/",
                        "LocalPath": "/opt/ml/processing/input/x0",
                        "S3DataType": "S3Prefix",
                        "S3InputMode": "File",
                        "S3DataDistributionType": "FullyReplicated",
                    }},
                }},
"""
            if k
            else ""
        )
        out.append(
            f"""    s{k} = SageMakerProcessingOperator(
        task_id="s{k}",
        config={{
            "ProcessingJobName": "chain-s{k}",
            "ProcessingResources": {{
                "ClusterConfig": {{"InstanceCount": 1, "InstanceType": "ml.m5.large", "VolumeSizeInGB": 30}},
            }},
            "AppSpecification": {{
                "ImageUri": IMAGE,
                "ContainerEntrypoint": ["python3", "/opt/ml/processing/input/code/job.py"],
                "ContainerArguments": ["--depth", "{depth}"],
            }},
            "ProcessingInputs": [
{read}                {{
                    "InputName": "code",
                    "S3Input": {{
                        "S3Uri": CODE,
                        "LocalPath": "/opt/ml/processing/input/code",
                        "S3DataType": "S3Prefix",
                        "S3InputMode": "File",
                        "S3DataDistributionType": "FullyReplicated",
                    }},
                }},
            ],
            "ProcessingOutputConfig": {{
                "Outputs": [
                    {{
                        "OutputName": "o",
                        "S3Output": {{
                            "S3Uri": "{ARTIFACTS}/chain/s{k}/o/",
                            "LocalPath": "/opt/ml/processing/output/o",
                            "S3UploadMode": "EndOfJob",
                        }},
                    }},
                ],
            }},
            "RoleArn": ROLE,
        }},
        region_name="us-east-1",
    )"""
        )
    out.extend(f"    s{k - 1} >> s{k}" for k in range(1, n))
    return "\n".join(out) + "\n"


# --- running -------------------------------------------------------------------------


def child_env(**extra: str) -> dict[str, str]:
    """This environment with bytecode cached under PYCACHE, plus EXTRA."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # set on this machine: would defeat the cache
    env["PYTHONPYCACHEPREFIX"] = str(PYCACHE)
    env.update(extra)
    return env


def timed(cmd: list[str | Path], env: dict[str, str] | None = None) -> tuple[float, subprocess.CompletedProcess[str]]:
    """Runs CMD to completion: (wall milliseconds, result). Fails loudly on a non-zero exit."""
    start = time.perf_counter()
    proc = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, env=env, cwd=WORK)
    ms = (time.perf_counter() - start) * 1000
    if proc.returncode != 0:
        sys.exit(f"failed ({proc.returncode}): {' '.join(map(str, cmd))}\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    return ms, proc


def worker_result(text: str) -> dict[str, Any]:
    """The JSON a worker printed after MARK."""
    for line in text.splitlines():
        if line.startswith(MARK):
            return json.loads(line[len(MARK) :])
    sys.exit(f"worker printed no result:\n{text[-3000:]}")


def median(values: list[float]) -> float:
    return statistics.median(values)


# --- 1. SageMaker definition ---------------------------------------------------------


def bench_sagemaker(uncached_runs: int) -> list[str]:
    """mlpc against the SageMaker SDK, whole process; returns Markdown lines."""
    mlp = write_pipeline(WORK / "sagemaker", SDK_STEPS)
    job = mlp.parent / "job.py"
    mlpc_cmd = [MLPC, "build", mlp, "--target", "sagemaker", "-o", "-"]
    sdk_cmd = [SDK_PYTHON, Path(__file__), "sdk-worker", str(SDK_STEPS), job]
    env = child_env()

    # Untimed first runs: fill the bytecode cache, page the binary in, keep the outputs.
    _, mlpc_out = timed(mlpc_cmd)
    _, sdk_out = timed(sdk_cmd, env)
    same_facts = check_same_facts(mlpc_out.stdout, sdk_out.stdout)

    # Interleaved, so that a burst of load from elsewhere hits both sides alike.
    mlpc_ms: list[float] = []
    sdk_ms: list[float] = []
    sdk_inner: list[dict[str, Any]] = []
    for i in range(max(MLPC_RUNS, SDK_RUNS)):
        if i < MLPC_RUNS:
            mlpc_ms.append(timed(mlpc_cmd)[0])
        if i < SDK_RUNS:
            ms, proc = timed(sdk_cmd, env)
            sdk_ms.append(ms)
            sdk_inner.append(worker_result(proc.stderr))
    uncached_ms = [timed(sdk_cmd + ["--uncached"], env)[0] for _ in range(uncached_runs)]

    m, s = median(mlpc_ms), median(sdk_ms)
    imp = median([r["import_ms"] for r in sdk_inner])
    build = median([r["build_ms"] for r in sdk_inner])
    lines = [
        f"## SageMaker pipeline definition, {SDK_STEPS}-step chain, whole process",
        "",
        "| producer | runs | median ms | ratio to mlpc |",
        "|---|---:|---:|---:|",
        f"| `mlpc build --target sagemaker -o -` | {MLPC_RUNS} | {m:.1f} | 1 |",
        f"| SageMaker Python SDK 2.257.7, `Pipeline.definition()`, fresh process "
        f"(oracle's config-validation cache) | {SDK_RUNS} | {s:.0f} | {s / m:.0f}× |",
    ]
    if uncached_ms:
        u = median(uncached_ms)
        lines.append(
            f"| SageMaker Python SDK, as shipped (validates its config at every lookup) "
            f"| {len(uncached_ms)} | {u:.0f} | {u / m:.0f}× |"
        )
    lines += [
        "",
        f"Inside the SDK process (medians): `import sagemaker` and the oracle's setup {imp:.0f} ms, "
        f"building the steps and `definition()` {build:.0f} ms; the rest is interpreter start and exit.",
        f"Both definitions have the same facts (tests/sagemaker/facts.py): {same_facts}.",
        "",
    ]
    return lines


def check_same_facts(mlpc_json: str, sdk_json: str) -> str:
    """Fails loudly unless both definitions have the same facts; returns a summary."""
    sys.path.insert(0, str(ROOT / "tests" / "sagemaker"))
    import facts  # stdlib only; `compare` would import the SDK, `facts` does not

    mine, theirs = facts.facts(json.loads(mlpc_json)), facts.facts(json.loads(sdk_json))
    found = facts.differences(mine, theirs)
    if found:
        shown = "\n".join(f"  {path}: mlpc {json.dumps(a)} / SDK {json.dumps(b)}" for path, a, b in found[:20])
        sys.exit(f"the SDK's definition differs from mlpc's in {len(found)} facts:\n{shown}")
    return f"{len(mine['Steps'])} steps, {facts.count(mine)} facts"


def sdk_worker(n: int, job_py: Path, uncached: bool) -> None:
    """(In the sagemaker2 venv.) Prints the SDK's definition of the N-step chain."""
    start = time.perf_counter()
    # oracle.py sets the offline environment before it imports the SDK (dummy
    # credentials, endpoints at 127.0.0.1:9, no metadata service, no config files),
    # opts out of telemetry and caches the SDK's config validation: the setup the
    # project's SDK comparison uses. Importing it has no other effect.
    sys.path.insert(0, str(ROOT / "tests" / "sagemaker"))
    import oracle
    import sagemaker.utils
    from sagemaker.processing import ProcessingInput, ProcessingOutput
    from sagemaker.workflow.functions import Join
    from sagemaker.workflow.parameters import ParameterInteger
    from sagemaker.workflow.steps import ProcessingStep

    if uncached:
        # The oracle keeps the SDK's own validation as its default argument.
        sagemaker.utils.validate_sagemaker_config = oracle._validate_config_once.__defaults__[0]
    imported = time.perf_counter()

    oracle.ROLE = ROLE  # script_processor() reads the module's role
    sess = oracle.session("us-east-1", "bench-bucket")
    depth = ParameterInteger(name="depth", default_value=6)
    code = code_uri(job_py)
    steps: list[ProcessingStep] = []
    for k in range(n):
        inputs = []
        if steps:
            source = steps[-1].properties.ProcessingOutputConfig.Outputs["o"].S3Output.S3Uri
            inputs.append(ProcessingInput(input_name="x0", source=source, destination="/opt/ml/processing/input/x0"))
        output = ProcessingOutput(
            output_name="o",
            source="/opt/ml/processing/output/o",
            destination=oracle.location(f"{ARTIFACTS}/chain/", f"s{k}", "o"),
        )
        processor = oracle.script_processor(sess, IMAGE, "ml.m5.large")
        args = processor.run(
            code=code,
            inputs=inputs,
            outputs=[output],
            # mlpc's "${params.depth}" is a one-part Std:Join of the integer parameter.
            arguments=["--depth", Join(on="", values=[depth])],
        )
        steps.append(ProcessingStep(name=f"s{k}", step_args=args))
    definition = oracle.pipeline("chain", [depth], steps, sess).definition()
    done = time.perf_counter()
    sys.stdout.write(definition + "\n")
    times = {"import_ms": (imported - start) * 1000, "build_ms": (done - imported) * 1000}
    print(MARK + json.dumps(times), file=sys.stderr)


# --- 2. Airflow parse ----------------------------------------------------------------


def bench_airflow() -> list[str]:
    """DagBag time of mlpc's DAG against the hand-written one; returns Markdown lines."""
    dags = WORK / "dags"
    dags.mkdir(parents=True, exist_ok=True)
    home = WORK / "airflow-home"
    home.mkdir(parents=True, exist_ok=True)
    env = child_env(
        AIRFLOW_HOME=str(home),
        AIRFLOW__CORE__DAGS_FOLDER=str(dags),
        AIRFLOW__CORE__LOAD_EXAMPLES="False",
        # Parsing needs no database; should anything ask, it gets a local file.
        AIRFLOW__DATABASE__SQL_ALCHEMY_CONN=f"sqlite:///{home / 'airflow.db'}",
        AWS_ENDPOINT_URL="http://127.0.0.1:9",
        AWS_EC2_METADATA_DISABLED="true",
    )
    rows: list[str] = []
    ratios: list[str] = []
    for n in AIRFLOW_TASKS:
        mlp = write_pipeline(WORK / "airflow", n)
        files = {
            "mlpc": dags / f"mlpc_{n}.py",
            "hand-written": dags / f"hand_{n}.py",
            "hand-written + params": dags / f"hand_params_{n}.py",
        }
        timed([MLPC, "build", mlp, "--target", "airflow", "-o", files["mlpc"]])
        code = code_uri(mlp.parent / "job.py")
        files["hand-written"].write_text(hand_written_dag(n, code))
        files["hand-written + params"].write_text(hand_written_dag(n, code, params=True))

        def parse(file: Path, mode: str) -> dict[str, Any]:
            _, proc = timed([AIRFLOW_PYTHON, Path(__file__), "dagbag-worker", file, mode], env)
            result = worker_result(proc.stdout)
            if result["import_errors"] or result["tasks"] != [n]:
                sys.exit(f"{file}: expected 1 DAG of {n} tasks and no import errors, got {result}")
            if mode == "warm" and not result["pyc_cached"]:
                sys.exit(f"{file}: its bytecode was not cached by the run before")
            return result

        for file in files.values():
            parse(file, "cold")  # untimed: fills the caches, writes the DAG's bytecode
        runs: dict[tuple[str, str], list[dict[str, Any]]] = {}
        for _ in range(PARSE_RUNS):
            for mode in ("warm", "cold"):
                for who, file in files.items():
                    runs.setdefault((who, mode), []).append(parse(file, mode))

        med: dict[tuple[str, str, str], float] = {}
        for (who, mode), results in runs.items():
            for key in ("dagbag_ms", "serialize_ms"):
                med[who, mode, key] = median([r[key] for r in results])
        for who, file in files.items():
            warm, cold = med[who, "warm", "dagbag_ms"], med[who, "cold", "dagbag_ms"]
            ser = med[who, "warm", "serialize_ms"]
            size = file.stat().st_size
            rows.append(
                f"| {n} | {who} | {size / 1024:.0f} | {warm:.0f} | {warm / n:.2f} | "
                f"{cold:.0f} | {cold / n:.2f} | {ser:.0f} | {ser / n:.2f} |"
            )
        for base in ("hand-written", "hand-written + params"):

            def ratio(mode: str, key: str, base: str = base) -> float:
                return med["mlpc", mode, key] / med[base, mode, key]

            size = files["mlpc"].stat().st_size / files[base].stat().st_size
            ratios.append(
                f"| {n} | {base} | {size:.2f} | {ratio('warm', 'dagbag_ms'):.2f} "
                f"| {ratio('cold', 'dagbag_ms'):.2f} | {ratio('warm', 'serialize_ms'):.2f} |"
            )

    return [
        "## Airflow 3.3.2 parse of a chain of N `SageMakerProcessingOperator` tasks",
        "",
        f"Fresh process per run, Airflow and the provider imported before timing; medians of {PARSE_RUNS} runs.",
        "*DagBag* is `DagBag(dag_folder=FILE, load_op_links=False)` as the DAG processor builds it, "
        "with the file's bytecode cached (*warm*, every re-parse) or compiled (*cold*, the first parse "
        "after a change); *serialize* is the `DagSerialization.to_dict` the processor does next (warm runs). "
        "Every run: 0 import errors, 1 DAG of N tasks.",
        "",
        "| tasks | DAG file | KiB | DagBag warm ms | per task | DagBag cold ms | per task "
        "| serialize ms | per task |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|",
        *rows,
        "",
        "| tasks | mlpc against | size ratio | DagBag warm ratio | DagBag cold ratio | serialize ratio |",
        "|---:|---|---:|---:|---:|---:|",
        *ratios,
        "",
    ]


def dagbag_worker(file: Path, mode: str) -> None:
    """(In the airflow3 venv.) Times DagBag and serialization of FILE; prints MARK + JSON."""
    import importlib.util
    import logging

    # What the DAG processor has imported before it parses a file (its manager imports
    # Airflow; it pre-imports the file's airflow modules): not part of the file's cost.
    import airflow  # noqa: F401
    import pendulum  # noqa: F401
    from airflow.dag_processing.dagbag import DagBag
    from airflow.providers.amazon.aws.operators.sagemaker import SageMakerProcessingOperator  # noqa: F401
    from airflow.sdk import DAG, Param  # noqa: F401
    from airflow.serialization.serialized_objects import DagSerialization

    logging.disable(logging.INFO)  # DagBag's "Filling up the DagBag" line
    pyc = Path(importlib.util.cache_from_source(str(file)))  # under PYTHONPYCACHEPREFIX
    if mode == "cold":
        pyc.unlink(missing_ok=True)
    pyc_cached = pyc.exists()

    start = time.perf_counter()
    bag = DagBag(dag_folder=str(file), load_op_links=False)
    parsed = time.perf_counter()
    for dag in bag.dags.values():
        DagSerialization.to_dict(dag)
    serialized = time.perf_counter()

    result = {
        "dagbag_ms": (parsed - start) * 1000,
        "serialize_ms": (serialized - parsed) * 1000,
        "import_errors": bag.import_errors,
        "tasks": [len(dag.tasks) for dag in bag.dags.values()],
        "pyc_cached": pyc_cached,
    }
    print(MARK + json.dumps(result))


# --- main ----------------------------------------------------------------------------


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "sdk-worker":
        sdk_worker(int(sys.argv[2]), Path(sys.argv[3]), "--uncached" in sys.argv[4:])
        return
    if len(sys.argv) > 1 and sys.argv[1] == "dagbag-worker":
        dagbag_worker(Path(sys.argv[2]), sys.argv[3])
        return

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sdk-uncached-runs",
        type=int,
        default=0,
        metavar="K",
        help="also run the SDK K times without the oracle's config-validation cache (~4.5 min each)",
    )
    opts = parser.parse_args()

    start = time.perf_counter()
    load_before = os.getloadavg()[0]
    # Fresh inputs each run; the bytecode cache is kept (it only saves the warm-up).
    for sub in ("sagemaker", "airflow", "dags", "airflow-home"):
        shutil.rmtree(WORK / sub, ignore_errors=True)
    WORK.mkdir(parents=True, exist_ok=True)

    lines = [
        "# mlpc against the SageMaker SDK and a hand-written Airflow DAG",
        "",
        f"{time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores, "
        f"{subprocess.run([MLPC, '--version'], capture_output=True, text=True).stdout.strip()}. "
        "Whole-process times are wall clock from `subprocess.run`, after one untimed run.",
        "",
    ]
    lines += bench_sagemaker(opts.sdk_uncached_runs)
    lines += bench_airflow()
    total = time.perf_counter() - start
    lines.append(
        f"Total run time {total:.0f} s; 1-minute load average {load_before:.1f} at the start, "
        f"{os.getloadavg()[0]:.1f} at the end."
    )
    print("\n".join(lines))


if __name__ == "__main__":
    main()
