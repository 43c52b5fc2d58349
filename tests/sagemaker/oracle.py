"""The SageMaker target's oracle: the examples' pipelines built with the official SDK.

Usage: python oracle.py NAME | --dir DIR NAME...
                                (NAME in churn, athena_features, redshift_xgboost, abalone_batch, abalone,
                                 judged, tuned, script_mode, gates, cached, container_paths;
                                 in a venv with
                                 sagemaker==2.257.7)

Prints `Pipeline.definition()` of the SageMaker Python SDK's own build of the example
`examples/NAME/NAME.mlp`, as pretty JSON. Each builder below is written from the `.mlp`
source (and its config.json) the way a user of the SDK would write that pipeline, with
the classic API: parameters, ScriptProcessor, Estimator, HyperparameterTuner, Model,
Transformer and their steps, dataset definitions for the sql steps, retry policies.
Where the `.mlp` leaves a value to the compiler (the content-addressed S3 key of
uploaded code, the layout of output locations under `artifacts`, where a tuning job's
best model is) the builder uses mlpc's choice, so that `facts.py compare` tests the
structure and meaning of mlpc's definition rather than those conventions. Everything
else comes from the SDK: image URIs from `sagemaker.image_uris.retrieve` (the SDK's
bundled tables, so mlpc's offline image resolution is checked too), the script's
entrypoint and `code` input from ScriptProcessor, property references, `Std:Join` of
non-string values.

Offline and deterministic: dummy credentials, every AWS endpoint at a closed local port,
no EC2 metadata lookups, telemetry opted out in the session's config, no config files
read from this machine.
"""

from __future__ import annotations

import copy
import hashlib
import json
import logging
import os
import sys
import textwrap
import warnings
from collections.abc import Callable

# Set before the SDK is imported, which already makes a default session: no network (a
# closed port answers every AWS call that might slip through, and the EC2 metadata
# service is not asked for credentials), dummy credentials instead of this machine's
# AWS files, no banner, no SDK config files from this machine.
os.environ.update(
    {
        "AWS_ENDPOINT_URL": "http://127.0.0.1:9",
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "SAGEMAKER_SUPPRESS_V2_WARNING": "1",
        "SAGEMAKER_ADMIN_CONFIG_OVERRIDE": os.devnull,
        "SAGEMAKER_USER_CONFIG_OVERRIDE": os.devnull,
    }
)
for _var in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN"):
    os.environ.pop(_var, None)

# stdout carries the definition only. The SDK's config logger writes INFO lines to
# stdout unless a level is set first; botocore logs endpoints at INFO; a PipelineSession
# warns that it starts no jobs.
for _logger in ("sagemaker", "sagemaker.config", "botocore"):
    logging.getLogger(_logger).setLevel(logging.ERROR)
warnings.filterwarnings("ignore", message="Running within a PipelineSession")
# A LambdaStep given an ARN alone warns that it will not update the function: as meant.
warnings.filterwarnings("ignore", message="Lambda function won't be updated")

import boto3  # noqa: E402
import sagemaker.utils  # noqa: E402
from sagemaker import image_uris  # noqa: E402
from sagemaker.dataset_definition.inputs import (  # noqa: E402
    AthenaDatasetDefinition,
    DatasetDefinition,
    RedshiftDatasetDefinition,
)
from sagemaker.estimator import Estimator  # noqa: E402
from sagemaker.inputs import TrainingInput  # noqa: E402
from sagemaker.model import Model  # noqa: E402
from sagemaker.model_metrics import MetricsSource, ModelMetrics  # noqa: E402
from sagemaker.processing import ProcessingInput, ProcessingOutput, ScriptProcessor  # noqa: E402
from sagemaker.sklearn.estimator import SKLearn  # noqa: E402
from sagemaker.transformer import Transformer  # noqa: E402
from sagemaker.tuner import (  # noqa: E402
    CategoricalParameter,
    ContinuousParameter,
    HyperparameterTuner,
    IntegerParameter,
)
from sagemaker.lambda_helper import Lambda  # noqa: E402
from sagemaker.workflow.condition_step import ConditionStep  # noqa: E402
from sagemaker.workflow.conditions import (  # noqa: E402
    ConditionEquals,
    ConditionGreaterThanOrEqualTo,
    ConditionLessThanOrEqualTo,
)
from sagemaker.workflow.entities import PipelineVariable  # noqa: E402
from sagemaker.workflow.execution_variables import ExecutionVariables  # noqa: E402
from sagemaker.workflow.fail_step import FailStep  # noqa: E402
from sagemaker.workflow.functions import Join, JsonGet  # noqa: E402
from sagemaker.workflow.lambda_step import LambdaOutput, LambdaOutputTypeEnum, LambdaStep  # noqa: E402
from sagemaker.workflow.model_step import ModelStep  # noqa: E402
from sagemaker.workflow.parameters import Parameter, ParameterFloat, ParameterInteger, ParameterString  # noqa: E402
from sagemaker.workflow.pipeline import Pipeline  # noqa: E402
from sagemaker.workflow.pipeline_context import PipelineSession  # noqa: E402
from sagemaker.workflow.properties import Properties, PropertyFile  # noqa: E402
from sagemaker.workflow.retry import (  # noqa: E402
    RetryPolicy,
    SageMakerJobExceptionTypeEnum,
    SageMakerJobStepRetryPolicy,
    StepExceptionTypeEnum,
    StepRetryPolicy,
)
from sagemaker.workflow.steps import (  # noqa: E402
    CacheConfig,
    ProcessingStep,
    Step,
    TrainingStep,
    TransformStep,
    TuningStep,
)

ROLE = "arn:aws:iam::123456789012:role/SageMakerExecution"

# The SDK's config with telemetry opted out: the session reads it instead of files.
SDK_CONFIG = {
    "SchemaVersion": "1.0",
    "SageMaker": {"PythonSDK": {"Modules": {"TelemetryOptOut": True}}},
}


def _validate_config_once(config: dict, _validate=sagemaker.utils.validate_sagemaker_config) -> None:
    """The SDK's config validation, once per distinct config instead of on every lookup.

    The SDK validates the session's config against its JSON schema at each of the ~60
    lookups of a pipeline build, and jsonschema re-checks the schema itself each time:
    half a second a lookup. The config never changes here, so one check is the same check.
    """
    if config not in _VALID_CONFIGS:
        _validate(config)
        _VALID_CONFIGS.append(copy.deepcopy(config))


_VALID_CONFIGS: list[dict] = []
sagemaker.utils.validate_sagemaker_config = _validate_config_once


def session(region: str, bucket: str) -> PipelineSession:
    """An offline pipeline session: job methods return step arguments, not API calls."""
    boto = boto3.Session(aws_access_key_id="test", aws_secret_access_key="test", region_name=region)
    return PipelineSession(boto_session=boto, default_bucket=bucket, sagemaker_config=SDK_CONFIG)


def location(prefix: str, *tail: str) -> Join:
    """A run's location under the pipeline's artifacts: PREFIX<execution id>/TAIL/.

    mlpc puts every step output at `<artifacts>/<pipeline>/<run id>/<step>/<output>/`.
    """
    return Join(on="", values=[prefix, ExecutionVariables.PIPELINE_EXECUTION_ID, "/" + "/".join(tail) + "/"])


def retry(attempts: int, delay_seconds: int, job: bool = True) -> list[RetryPolicy]:
    """The `.mlp` `retry { attempts, delay }` as SageMaker retry policies.

    A constant delay (backoff 1.0) between `attempts` retries, for the service's
    faults and throttling, and for a job step also for its internal errors and a lack
    of capacity or quota (the SageMaker job exceptions do not apply to a CreateModel
    step, which is not a job).
    """
    policies: list[RetryPolicy] = [
        StepRetryPolicy(
            exception_types=[StepExceptionTypeEnum.SERVICE_FAULT, StepExceptionTypeEnum.THROTTLING],
            interval_seconds=delay_seconds,
            backoff_rate=1.0,
            max_attempts=attempts,
        )
    ]
    if job:
        policies.append(
            SageMakerJobStepRetryPolicy(
                exception_types=[
                    SageMakerJobExceptionTypeEnum.INTERNAL_ERROR,
                    SageMakerJobExceptionTypeEnum.CAPACITY_ERROR,
                    SageMakerJobExceptionTypeEnum.RESOURCE_LIMIT,
                ],
                interval_seconds=delay_seconds,
                backoff_rate=1.0,
                max_attempts=attempts,
            )
        )
    return policies


def script_processor(
    sess: PipelineSession,
    image: str,
    instance: str,
    max_runtime: int | None = None,
    env: dict[str, str] | None = None,
) -> ScriptProcessor:
    """A processing job that runs one Python script.

    `ScriptProcessor.run(code=<S3 URI>)` mounts the script as the input `code` at
    /opt/ml/processing/input/code and starts `python3 <that dir>/<file>`: the SDK's own
    convention, which mlpc follows, so the entrypoint and code input are not copied.
    """
    return ScriptProcessor(
        role=ROLE,
        image_uri=image,
        command=["python3"],
        instance_count=1,
        instance_type=instance,
        volume_size_in_gb=30,
        max_runtime_in_seconds=max_runtime,
        env=env,
        sagemaker_session=sess,
    )


def pipeline(name: str, parameters: list[Parameter], steps: list[Step], sess: PipelineSession) -> Pipeline:
    """The pipeline, named as mlpc deploys it (`_` → `-`).

    A `.mlp` pipeline tracks no experiments: without `pipeline_experiment_config=None`
    the SDK would make every run create a SageMaker Experiments trial.
    """
    return Pipeline(
        name=name, parameters=parameters, steps=steps, sagemaker_session=sess, pipeline_experiment_config=None
    )


def code_uri(run_root: str, example: str, file: str, folder: str = "examples") -> str:
    """The content-addressed key mlpc uploads `FOLDER/EXAMPLE/code/FILE` to (FOLDER is
    `examples`, or `tests` for a test pipeline `tests/targets/*.mlp`, EXAMPLE `targets`)."""
    path = os.path.join(os.path.dirname(__file__), "..", "..", folder, example, "code", file)
    with open(path, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    return f"{run_root}code/{digest}/{file}"


def shipped_uri(run_root: str, script: str) -> str:
    """The content-addressed key of a script mlpc ships itself (templates/python/SCRIPT)."""
    path = os.path.join(os.path.dirname(__file__), "..", "..", "crates", "mlpc-core", "templates", "python", script)
    with open(path, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    return f"{run_root}code/{digest}/{script}"


def sql_step(
    sess: PipelineSession,
    name: str,
    run_root: str,
    region: str,
    output: str,
    mode: str,
    definition: dict,
    retry_policies: list[RetryPolicy] | None = None,
) -> ProcessingStep:
    """A sql step as mlpc lowers it on SageMaker: a processing job of its own whose input
    `query` is the dataset definition (SageMaker runs the query), and whose code,
    mlpc's `mlpc_sql.py`, moves the result to the step's output (MODE `copy`, or
    `textfile-to-csv` for Athena's TEXTFILE). `definition` holds the engine's
    `athena_dataset_definition=` or `redshift_dataset_definition=`, staging the result
    under `<run>/<step>/_query/`."""
    image = image_uris.retrieve("sklearn", region=region, version="1.2-1", instance_type="ml.t3.medium")
    query = ProcessingInput(
        input_name="query",
        dataset_definition=DatasetDefinition(
            local_path="/opt/ml/processing/input/query",
            data_distribution_type="FullyReplicated",
            input_mode="File",
            **definition,
        ),
    )
    return ProcessingStep(
        name=name,
        step_args=script_processor(sess, image, "ml.t3.medium").run(
            code=shipped_uri(run_root, "mlpc_sql.py"),
            inputs=[query],
            outputs=[
                ProcessingOutput(
                    output_name=output,
                    source=f"/opt/ml/processing/output/{output}",
                    destination=location(run_root, name, output),
                )
            ],
            arguments=[mode, "/opt/ml/processing/input/query", f"/opt/ml/processing/output/{output}"],
        ),
        retry_policies=retry_policies,
    )


def output_of(step: ProcessingStep, name: str) -> Properties:
    """A processing step's output, as a step reading it names it."""
    return step.properties.ProcessingOutputConfig.Outputs[name].S3Output.S3Uri


def dedent(text: str) -> str:
    """A `.mlp` multi-line string's layout (grammar/README.md, "Multi-line strings").

    The blank rest of the opening line and the closing quotes' line are dropped, then
    the text is dedented like Python's `textwrap.dedent`.
    """
    if text.startswith("\n"):
        text = text[1:]
    head, newline, last = text.rpartition("\n")
    if newline and not last.strip():
        text = head
    return textwrap.dedent(text)


def churn() -> Pipeline:
    """examples/churn: Redshift extract → split (processing) → XGBoost → batch transform."""
    region, artifacts = "us-east-1", "s3://acme-ml/pipelines/churn/"
    sess = session(region, "acme-ml")
    # Pipeline `retry { attempts = 1, delay = 5m }`; `train` overrides it.
    default_retry = (1, 300)

    max_depth = ParameterInteger(name="max_depth", default_value=5)
    eta = ParameterFloat(name="eta", default_value=0.2)
    train_end = ParameterString(name="train_end", default_value="2021-12")  # config.split.train_end
    instance = ParameterString(
        name="instance", default_value="ml.m5.xlarge", enum_values=["ml.m5.xlarge", "ml.m5.2xlarge"]
    )

    xgboost = image_uris.retrieve("xgboost", region=region, version="1.5-1")
    sklearn = "123456789012.dkr.ecr.us-east-1.amazonaws.com/churn-sklearn:3"

    # `extract` (sql, redshift): a processing job of its own that runs the query.
    extract = sql_step(
        sess,
        "extract",
        artifacts,
        region,
        "rows",
        "copy",
        {
            "redshift_dataset_definition": RedshiftDatasetDefinition(
                cluster_id="analytics",
                database="datamart",
                db_user="ml_pipeline",
                query_string=dedent(
                    """
      select a, b, label, timestamp
      from datamart.table
      where timestamp between '2020-01' and '2022-07'
    """
                ),
                cluster_role_arn=ROLE,
                output_s3_uri=location(artifacts, "extract", "_query"),
                output_format="PARQUET",
            )
        },
        retry(*default_retry),
    )
    extract_rows = ProcessingInput(
        source=output_of(extract, "rows"), destination="/opt/ml/processing/input/rows", input_name="rows"
    )
    split = ProcessingStep(
        name="split",
        step_args=script_processor(sess, sklearn, "ml.t3.large").run(
            # code/preprocessing.py, at the content-addressed key mlpc uploads it to
            code=code_uri("s3://acme-ml/pipelines/churn/", "churn", "preprocessing.py"),
            inputs=[extract_rows],
            outputs=[
                ProcessingOutput(
                    output_name=name,
                    source=f"/opt/ml/processing/output/{name}",
                    destination=location(artifacts, "split", name),
                )
                for name in ("train", "test")
            ],
            arguments=["--label", "label", "--train-end", train_end],  # config.label_column
        ),
        retry_policies=retry(*default_retry),
    )

    def split_output(name: str) -> Properties:
        return split.properties.ProcessingOutputConfig.Outputs[name].S3Output.S3Uri

    estimator = Estimator(
        image_uri=xgboost,
        role=ROLE,
        instance_count=1,
        instance_type=instance,
        volume_size=30,
        max_run=2 * 3600,
        output_path=location(artifacts, "train", "model"),
        hyperparameters={"max_depth": max_depth, "eta": eta, "objective": "binary:logistic"},
        sagemaker_session=sess,
        # The .mlp has no Debugger: without these the SDK adds a debug hook and system
        # profiling, both writing under the output path.
        debugger_hook_config=False,
        disable_profiler=True,
    )
    train = TrainingStep(
        name="train",
        step_args=estimator.fit(
            inputs={
                "train": TrainingInput(s3_data=split_output("train"), content_type="text/csv"),
                "validation": TrainingInput(s3_data=split_output("test"), content_type="text/csv"),
            }
        ),
        retry_policies=retry(3, 600),
    )

    # `score` (transform) is a model step, then the transform job that uses it. mlpc
    # names the model step "score-CreateModel", as `ModelStep(name="score")` names its
    # CreateModel step. The SDK refuses a ModelStep and a TransformStep both named
    # "score" (a step collection's name shares the steps' namespace), so the pipeline
    # gets the ModelStep's one inner step (no repack is needed: no entry point).
    model = Model(
        image_uri=xgboost,  # the image `train` ran: the .mlp sets none on `score`
        model_data=train.properties.ModelArtifacts.S3ModelArtifacts,
        role=ROLE,
        sagemaker_session=sess,
    )
    model_step = ModelStep(name="score", step_args=model.create(), retry_policies=retry(*default_retry, job=False))
    (create_model,) = model_step.steps
    transformer = Transformer(
        model_name=create_model.properties.ModelName,
        instance_count=1,
        instance_type="ml.m5.large",
        output_path=location(artifacts, "score", "predictions"),
        sagemaker_session=sess,
    )
    score = TransformStep(
        name="score",
        step_args=transformer.transform(data=split_output("test"), content_type="text/csv"),
        retry_policies=retry(*default_retry),
    )
    return pipeline(
        "churn", [max_depth, eta, train_end, instance], [extract, split, train, create_model, score], sess
    )


def athena_features() -> Pipeline:
    """examples/athena_features: an Athena query read by one processing step."""
    region, artifacts = "eu-west-1", "s3://acme-features/pipelines/athena_features/"
    sess = session(region, "acme-features")
    day = ParameterString(name="day", default_value="2026-01-01")
    sklearn = image_uris.retrieve("sklearn", region=region, version="1.2-1", instance_type="ml.m5.xlarge")

    # `clicks` (sql, athena): a processing job of its own that runs the query. The
    # query interpolates `params.day`, so it is a Join evaluated at run time.
    query = dedent(
        """
      select user_id, page, count(*) as views, max(event_time) as last_seen
      from clicks
      where day = '${params.day}'
      group by user_id, page
    """
    )
    before, after = query.split("${params.day}")
    clicks = sql_step(
        sess,
        "clicks",
        artifacts,
        region,
        "rows",
        "copy",
        {
            "athena_dataset_definition": AthenaDatasetDefinition(
                catalog="AwsDataCatalog",  # Athena's default catalog; the .mlp names none
                database="web_events",
                query_string=Join(on="", values=[before, day, after]),
                work_group="primary",
                output_s3_uri=location(artifacts, "clicks", "_query"),
                output_format="PARQUET",
            )
        },
    )
    clicks_rows = ProcessingInput(
        source=output_of(clicks, "rows"), destination="/opt/ml/processing/input/rows", input_name="rows"
    )
    processor = script_processor(sess, sklearn, "ml.m5.xlarge", max_runtime=3600, env={"MIN_VIEWS": "2"})
    featurize = ProcessingStep(
        name="featurize",
        step_args=processor.run(
            code=code_uri("s3://acme-features/pipelines/athena_features/", "athena_features", "featurize.py"),
            inputs=[clicks_rows],
            outputs=[
                ProcessingOutput(
                    output_name="features",
                    source="/opt/ml/processing/output/features",
                    destination=location(artifacts, "featurize", "features"),
                )
            ],
            arguments=["--day", day],
        ),
        # No `retry` in this pipeline: SageMaker's defaults apply.
    )
    return pipeline("athena-features", [day], [clicks, featurize], sess)


def redshift_xgboost() -> Pipeline:
    """examples/redshift_xgboost: Redshift UNLOAD → split (processing) → XGBoost."""
    region, artifacts = "us-east-1", "s3://acme-ml/pipelines/redshift_xgboost/"
    sess = session(region, "acme-ml")
    default_retry = retry(2, 300)  # pipeline `retry { attempts = 2, delay = 5m }`

    max_depth = ParameterInteger(name="max_depth", default_value=6)
    eta = ParameterFloat(name="eta", default_value=0.3)
    num_round = ParameterInteger(name="num_round", default_value=100)

    xgboost = image_uris.retrieve("xgboost", region=region, version="1.7-1")
    sklearn = image_uris.retrieve("sklearn", region=region, version="1.2-1", instance_type="ml.m5.xlarge")

    # config.json: redshift.cluster, redshift.database, label_column, split.*.
    unload = sql_step(
        sess,
        "unload",
        artifacts,
        region,
        "rows",
        "copy",
        {
            "redshift_dataset_definition": RedshiftDatasetDefinition(
                cluster_id="analytics-prod",
                database="warehouse",
                db_user="ml_pipeline",
                query_string=dedent(
                    """
      select customer_id, tenure_days, orders_90d, spend_90d, churned, snapshot_date
      from analytics.customer_snapshots
      where snapshot_date >= dateadd(month, -24, current_date)
    """
                ),
                cluster_role_arn=ROLE,  # no `iam_role` on the step: the pipeline's role
                output_s3_uri=location(artifacts, "unload", "_query"),
                output_format="PARQUET",
            )
        },
        default_retry,
    )
    unload_rows = ProcessingInput(
        source=output_of(unload, "rows"), destination="/opt/ml/processing/input/rows", input_name="rows"
    )
    split = ProcessingStep(
        name="split",
        step_args=script_processor(sess, sklearn, "ml.m5.xlarge").run(
            code=code_uri("s3://acme-ml/pipelines/redshift_xgboost/", "redshift_xgboost", "split.py"),
            inputs=[unload_rows],
            outputs=[
                ProcessingOutput(
                    output_name=name,
                    source=f"/opt/ml/processing/output/{name}",
                    destination=location(artifacts, "split", name),
                )
                for name in ("train", "validation")
            ],
            arguments=["--label", "churned", "--train-end", "2026-06-30", "--validation-fraction", "0.2"],
        ),
        retry_policies=default_retry,
    )

    def split_output(name: str) -> Properties:
        return split.properties.ProcessingOutputConfig.Outputs[name].S3Output.S3Uri

    estimator = Estimator(
        image_uri=xgboost,
        role=ROLE,
        instance_count=1,
        instance_type="ml.m5.2xlarge",
        volume_size=30,
        max_run=2 * 3600,
        output_path=location(artifacts, "train", "model"),
        hyperparameters={
            "max_depth": max_depth,
            "eta": eta,
            "num_round": num_round,
            "objective": "binary:logistic",
            "eval_metric": "auc",
        },
        metric_definitions=[
            {"Name": "validation:auc", "Regex": r".*\[[0-9]+\].*validation-auc:([-+]?[0-9]*\.?[0-9]+)"}
        ],
        sagemaker_session=sess,
        debugger_hook_config=False,
        disable_profiler=True,
    )
    train = TrainingStep(
        name="train",
        step_args=estimator.fit(
            inputs={
                "train": TrainingInput(s3_data=split_output("train"), content_type="text/csv"),
                "validation": TrainingInput(s3_data=split_output("validation"), content_type="text/csv"),
            }
        ),
        retry_policies=default_retry,
    )
    return pipeline("redshift-xgboost", [max_depth, eta, num_round], [unload, split, train], sess)


def batch_transform(
    sess: PipelineSession,
    image: str,
    train: TrainingStep,
    data: Parameter,
    artifacts: str,
    model_step: str = "batch",
) -> tuple[Step, TransformStep]:
    """A `batch` transform step of the model `train` made (the Abalone pipelines'): a
    CreateModel step (`ModelStep` named `model_step`: the transform's own, or a `.mlp`
    model step), then the transform job writing `batch/predictions`."""
    model = Model(
        image_uri=image,
        model_data=train.properties.ModelArtifacts.S3ModelArtifacts,
        role=ROLE,
        sagemaker_session=sess,
    )
    (create_model,) = ModelStep(name=model_step, step_args=model.create()).steps
    transformer = Transformer(
        model_name=create_model.properties.ModelName,
        instance_count=1,
        instance_type="ml.m5.xlarge",
        output_path=location(artifacts, "batch", "predictions"),
        sagemaker_session=sess,
    )
    batch = TransformStep(name="batch", step_args=transformer.transform(data=data, content_type="text/csv"))
    return create_model, batch


def abalone_batch() -> Pipeline:
    """examples/abalone_batch: inputs from outside (string parameters holding S3 URIs) read by a
    processing step and a batch transform, as the SageMaker examples' Abalone pipeline
    passes them: `ProcessingInput(source=param)`, `transform(data=param)`."""
    region, artifacts = "us-east-1", "s3://acme-ml/pipelines/abalone_batch/"
    sess = session(region, "acme-ml")

    input_data = ParameterString(name="input_data", default_value="s3://acme-ml/abalone/abalone-dataset.csv")
    batch_data = ParameterString(name="batch_data")  # required: no default
    instance_type = ParameterString(name="instance_type", default_value="ml.m5.xlarge")

    sklearn = image_uris.retrieve("sklearn", region=region, version="1.2-1", instance_type="ml.m5.xlarge")
    xgboost = image_uris.retrieve("xgboost", region=region, version="1.7-1")

    code = code_uri(artifacts, "abalone_batch", "preprocessing.py")
    preprocess = abalone_preprocess(sess, sklearn, artifacts, code, input_data, instance_type, ("train", "validation"))

    def output(name: str) -> Properties:
        return preprocess.properties.ProcessingOutputConfig.Outputs[name].S3Output.S3Uri

    estimator = Estimator(
        image_uri=xgboost,
        role=ROLE,
        instance_count=1,
        instance_type=instance_type,
        volume_size=30,
        output_path=location(artifacts, "train", "model"),
        hyperparameters={
            "objective": "reg:linear",
            "num_round": 50,
            "max_depth": 5,
            "eta": 0.2,
            "gamma": 4,
            "min_child_weight": 6,
            "subsample": 0.7,
        },
        sagemaker_session=sess,
        debugger_hook_config=False,
        disable_profiler=True,
    )
    train = TrainingStep(
        name="train",
        step_args=estimator.fit(
            inputs={
                "train": TrainingInput(s3_data=output("train"), content_type="text/csv"),
                "validation": TrainingInput(s3_data=output("validation"), content_type="text/csv"),
            }
        ),
    )
    # `batch` (transform): its CreateModel step, then the transform job, as for churn.
    create_model, batch = batch_transform(sess, xgboost, train, batch_data, artifacts)
    return pipeline(
        "abalone_batch", [input_data, batch_data, instance_type], [preprocess, train, create_model, batch], sess
    )


def script_mode() -> Pipeline:
    """tests/targets/script_mode.mlp: training in a framework image's script mode, as the
    SDK's framework estimators set it up from `entry_point` and `source_dir`, from a code
    folder and from a single script.

    The archives' S3 URIs are mlpc's content-addressed keys, which the test passes in
    MLPC_SOURCEDIRS (a JSON map from the `code` path to the URI): given an S3
    `source_dir`, the SDK uploads nothing and names it as given. The processing step
    runs a script of the same folder: the SDK's `FrameworkProcessor` would upload a
    second script (`runproc.sh`) at build time for that, so here it is what mlpc runs,
    a `ScriptProcessor` whose command is that script's commands inline (the SDK appends
    the code's path, the archive, which the shell gets as `$0`).
    """
    region, artifacts = "us-east-1", "s3://acme-ml/pipelines/script_mode/"
    sess = session(region, "acme-ml")
    # A framework estimator asks for the default bucket (checking it in S3) even when
    # `source_dir` is already in S3: settle it offline.
    sess._default_bucket = "acme-ml"
    sourcedirs = json.loads(os.environ["MLPC_SOURCEDIRS"])
    n_estimators = ParameterInteger(name="n_estimators", default_value=200)
    sklearn = image_uris.retrieve("sklearn", region=region, version="1.2-1", instance_type="ml.m5.xlarge")

    features = ProcessingStep(
        name="features",
        step_args=ScriptProcessor(
            role=ROLE,
            image_uri=sklearn,
            command=[
                "/bin/sh",
                "-c",
                'cd /opt/ml/processing/input/code && tar -xzf "$0" && if [ -f requirements.txt ];'
                ' then python3 -m pip install -r requirements.txt; fi && exec python3 features.py "$@"',
            ],
            instance_count=1,
            instance_type="ml.m5.xlarge",
            volume_size_in_gb=30,
            sagemaker_session=sess,
        ).run(
            code=sourcedirs["script_src/"],
            arguments=["--label", "churn"],
            inputs=[
                ProcessingInput(
                    source="s3://acme-ml/churn/raw/", destination="/opt/ml/processing/input/raw", input_name="raw"
                )
            ],
            outputs=[
                ProcessingOutput(
                    output_name="train",
                    source="/opt/ml/processing/output/train",
                    destination=location(artifacts, "features", "train"),
                )
            ],
        ),
    )
    train = TrainingInput(
        s3_data=features.properties.ProcessingOutputConfig.Outputs["train"].S3Output.S3Uri, content_type="text/csv"
    )

    def estimator(step: str, source_dir: str, hyperparameters: dict | None) -> SKLearn:
        return SKLearn(
            entry_point="train.py",
            source_dir=source_dir,
            framework_version="1.2-1",
            role=ROLE,
            instance_count=1,
            instance_type="ml.m5.xlarge",
            volume_size=30,
            output_path=location(artifacts, step, "model"),
            hyperparameters=hyperparameters,
            sagemaker_session=sess,
            debugger_hook_config=False,
            disable_profiler=True,
        )

    fit_folder = TrainingStep(
        name="fit_folder",
        step_args=estimator(
            "fit_folder", sourcedirs["script_src/"], {"n_estimators": n_estimators, "max_depth": 8}
        ).fit(inputs={"train": train}),
    )
    fit_script = TrainingStep(
        name="fit_script",
        step_args=estimator("fit_script", sourcedirs["script_src/train.py"], None).fit(inputs={"train": train}),
    )
    return pipeline("script_mode", [n_estimators], [features, fit_folder, fit_script], sess)


def gates() -> Pipeline:
    """tests/targets/gates.mlp: a quality gate as the SageMaker examples' Abalone pipeline
    has it. `evaluate` writes a report (a property file), the condition `mse_ok` reads
    the MSE from it with `JsonGet`; `batch` (and its CreateModel step) runs in its
    `IfSteps`, the fail step `too_high` in its `ElseSteps`, with the MSE in the message."""
    return quality_gate("gates", ("tests", "targets"), ("job.py", "quality_checks.py"), register=False)


def abalone() -> Pipeline:
    """examples/abalone: the language contract's Abalone pipeline, as the SageMaker
    examples' notebook builds it: `gates` plus `register_model`, a `RegisterModel` step
    (`model.register(...)` in a `ModelStep`) in the condition's `IfSteps`, its metrics
    the evaluation report, its approval status a parameter."""
    return quality_gate(
        "abalone", ("examples", "abalone"), ("preprocessing.py", "evaluate.py"), register=True
    )


def abalone_preprocess(
    sess: PipelineSession,
    sklearn: str,
    artifacts: str,
    code: str,
    input_data: ParameterString,
    instance: str | ParameterString = "ml.m5.xlarge",
    outputs: tuple[str, ...] = ("train", "validation", "test"),
) -> ProcessingStep:
    """The Abalone examples' `preprocess` step: CODE splits INPUT_DATA into OUTPUTS
    under the run's location."""
    return ProcessingStep(
        name="preprocess",
        step_args=script_processor(sess, sklearn, instance).run(
            code=code,
            inputs=[ProcessingInput(source=input_data, destination="/opt/ml/processing/input/raw", input_name="raw")],
            outputs=[
                ProcessingOutput(
                    output_name=name,
                    source=f"/opt/ml/processing/output/{name}",
                    destination=location(artifacts, "preprocess", name),
                )
                for name in outputs
            ],
        ),
    )


def report_metrics(evaluate: ProcessingStep) -> ModelMetrics:
    """A registered version's metrics: the `evaluation.json` report EVALUATE writes, as
    the SDK examples join its output's location and the file name."""
    return ModelMetrics(
        model_statistics=MetricsSource(
            s3_uri=Join(on="", values=[output_of(evaluate, "evaluation"), "evaluation.json"]),
            content_type="application/json",
        )
    )


def evaluation(
    sess: PipelineSession,
    image: str,
    artifacts: str,
    code: str,
    model_data: PipelineVariable,
    inputs: list[ProcessingInput],
) -> tuple[ProcessingStep, PropertyFile]:
    """An `evaluate` processing step reading the model at MODEL_DATA (a training step's
    `ModelArtifacts.S3ModelArtifacts`, or a tuning step's best model) and INPUTS, whose
    `out evaluation: report { file = "evaluation.json" }` is a property file."""
    report = PropertyFile(name="evaluation", output_name="evaluation", path="evaluation.json")
    model = ProcessingInput(
        source=model_data,
        destination="/opt/ml/processing/input/model",
        input_name="model",
    )
    evaluate = ProcessingStep(
        name="evaluate",
        step_args=script_processor(sess, image, "ml.m5.xlarge").run(
            code=code,
            inputs=[model, *inputs],
            outputs=[
                ProcessingOutput(
                    output_name="evaluation",
                    source="/opt/ml/processing/output/evaluation",
                    destination=location(artifacts, "evaluate", "evaluation"),
                )
            ],
        ),
        property_files=[report],
    )
    return evaluate, report


def quality_gate(name: str, code: tuple[str, str], scripts: tuple[str, str], register: bool) -> Pipeline:
    """The quality-gated Abalone pipeline NAME, its scripts SCRIPTS in CODE (folder,
    example); with REGISTER, the contract's version with a register step."""
    region, artifacts = "us-east-1", f"s3://acme-ml/pipelines/{name}/"
    folder, example = code
    sess = session(region, "acme-ml")

    input_data = ParameterString(name="input_data", default_value="s3://acme-ml/data/abalone.csv")
    batch_data = ParameterString(name="batch_data")  # required: no default
    approval_status = ParameterString(
        name="approval_status", default_value="PendingManualApproval", enum_values=["PendingManualApproval", "Approved"]
    )
    mse_threshold = ParameterFloat(name="mse_threshold", default_value=6.0)

    sklearn = image_uris.retrieve("sklearn", region=region, version="1.2-1", instance_type="ml.m5.xlarge")
    xgboost = image_uris.retrieve("xgboost", region=region, version="1.7-1")

    code = code_uri(artifacts, example, scripts[0], folder=folder)
    preprocess = abalone_preprocess(sess, sklearn, artifacts, code, input_data)

    def output(name: str) -> Properties:
        return output_of(preprocess, name)

    estimator = Estimator(
        image_uri=xgboost,
        role=ROLE,
        instance_count=1,
        instance_type="ml.m5.xlarge",
        volume_size=30,
        output_path=location(artifacts, "train", "model"),
        hyperparameters={"objective": "reg:squarederror", "num_round": 50, "max_depth": 5, "eta": 0.2},
        sagemaker_session=sess,
        debugger_hook_config=False,
        disable_profiler=True,
    )
    train = TrainingStep(
        name="train",
        step_args=estimator.fit(
            inputs={
                "train": TrainingInput(s3_data=output("train"), content_type="text/csv"),
                "validation": TrainingInput(s3_data=output("validation"), content_type="text/csv"),
            }
        ),
    )

    test = ProcessingInput(source=output("test"), destination="/opt/ml/processing/input/test", input_name="test")
    code = code_uri(artifacts, example, scripts[1], folder=folder)
    model_data = train.properties.ModelArtifacts.S3ModelArtifacts
    evaluate, report = evaluation(sess, xgboost, artifacts, code, model_data, [test])
    mse = JsonGet(step_name="evaluate", property_file=report, json_path="regression_metrics.mse.value")

    # `abalone_model` (model, `when = mse_ok`), then `batch` (transform) runs the model
    # it created.
    create_model, batch = batch_transform(sess, xgboost, train, batch_data, artifacts, model_step="abalone_model")
    # `too_high` (fail, `when = not mse_ok`).
    too_high = FailStep(
        name="too_high", error_message=Join(on="", values=["MSE ", mse, " is above ", mse_threshold])
    )
    if_steps: list[Step] = [create_model, batch]
    parameters: list[Parameter] = [input_data, batch_data, mse_threshold]
    if register:
        # `register_model` (register, `when = mse_ok`): the notebook's `model.register`.
        model = Model(
            image_uri=xgboost,
            model_data=train.properties.ModelArtifacts.S3ModelArtifacts,
            role=ROLE,
            sagemaker_session=sess,
        )
        metrics = report_metrics(evaluate)
        (register_model,) = ModelStep(
            name="register_model",
            step_args=model.register(
                content_types=["text/csv"],
                response_types=["text/csv"],
                inference_instances=["ml.t2.medium", "ml.m5.large"],
                transform_instances=["ml.m5.large"],
                model_package_group_name="abalone-models",
                approval_status=approval_status,
                model_metrics=metrics,
            ),
        ).steps
        if_steps.insert(1, register_model)
        parameters.insert(2, approval_status)
    mse_ok = ConditionStep(
        name="mse_ok",
        conditions=[ConditionLessThanOrEqualTo(left=mse, right=mse_threshold)],
        if_steps=if_steps,
        else_steps=[too_high],
    )
    return pipeline(name, parameters, [preprocess, train, evaluate, mse_ok], sess)


def judged() -> Pipeline:
    """examples/judged: a LambdaStep judges the model after evaluation (its
    inputs a JsonGet of the report, parameters, the model's location, a Join with the
    execution id, literals), with typed outputs; a ConditionStep on two of them creates
    the model, or a FailStep shows the third."""
    region, artifacts = "us-east-1", "s3://acme-ml/pipelines/judged/"
    sess = session(region, "acme-ml")
    min_score = ParameterFloat(name="min_score", default_value=0.5)
    team = ParameterString(name="team", default_value="forecasting")
    train_data = ParameterString(name="train_data", default_value="s3://acme-ml/data/train/")
    test_data = ParameterString(name="test_data", default_value="s3://acme-ml/data/test/")
    xgboost = image_uris.retrieve("xgboost", region=region, version="1.7-1")

    estimator = Estimator(
        image_uri=xgboost,
        role=ROLE,
        instance_count=1,
        instance_type="ml.m5.xlarge",
        volume_size=30,
        output_path=location(artifacts, "train", "model"),
        sagemaker_session=sess,
        debugger_hook_config=False,
        disable_profiler=True,
    )
    train = TrainingStep(
        name="train",
        step_args=estimator.fit(
            inputs={"train": TrainingInput(s3_data=train_data, content_type="text/csv")}
        ),
    )
    test = ProcessingInput(source=test_data, destination="/opt/ml/processing/input/test", input_name="test")
    evaluate, report = evaluation(
        sess,
        xgboost,
        artifacts,
        code_uri(artifacts, "judged", "evaluate.py"),
        train.properties.ModelArtifacts.S3ModelArtifacts,
        [test],
    )
    judge = LambdaStep(
        name="judge",
        lambda_func=Lambda(function_arn="arn:aws:lambda:us-east-1:123456789012:function:judge-model", session=sess),
        inputs={
            "mse": JsonGet(step_name="evaluate", property_file=report, json_path="regression_metrics.mse.value"),
            "min_score": min_score,
            "team": team,
            "model": train.properties.ModelArtifacts.S3ModelArtifacts,
            "run": Join(on="", values=["run ", ExecutionVariables.PIPELINE_EXECUTION_ID]),
            "strict": True,
            "attempts": 3,
        },
        outputs=[
            LambdaOutput(output_name="score", output_type=LambdaOutputTypeEnum.Float),
            LambdaOutput(output_name="approved", output_type=LambdaOutputTypeEnum.Boolean),
            LambdaOutput(output_name="reason", output_type=LambdaOutputTypeEnum.String),
        ],
    )
    outputs = judge.properties.Outputs
    model = Model(
        image_uri=xgboost,
        model_data=train.properties.ModelArtifacts.S3ModelArtifacts,
        role=ROLE,
        sagemaker_session=sess,
    )
    (create_model,) = ModelStep(name="judged_model", step_args=model.create()).steps
    rejected = FailStep(name="rejected", error_message=Join(on="", values=["rejected: ", outputs["reason"]]))
    good_enough = ConditionStep(
        name="good_enough",
        conditions=[
            ConditionEquals(left=outputs["approved"], right=True),
            ConditionGreaterThanOrEqualTo(left=outputs["score"], right=min_score),
        ],
        if_steps=[create_model],
        else_steps=[rejected],
    )
    return pipeline("judged", [min_score, team, train_data, test_data], [train, evaluate, judge, good_enough], sess)


def tuned() -> Pipeline:
    """examples/tuned: hyperparameter tuning as the SageMaker examples' tuning-step
    notebook does it: an XGBoost `Estimator` with the static hyperparameters, a
    `HyperparameterTuner` searching four of them (continuous, logarithmic, integer,
    categorical) on the validation RMSE, `TuningStep(step_args=tuner.fit(...))`; then
    the best job's model evaluated and, under a ConditionStep on its MSE, registered
    (`model.register(...)` in a `ModelStep`) and announced by a LambdaStep, or a FailStep.

    The best model's S3 URI is mlpc's: the tuning job's output path (under the run's
    location) joined with `BestTrainingJob.TrainingJobName` and `/output/model.tar.gz`,
    where SageMaker writes each training job's model. The notebook's
    `tune.get_top_model_s3_uri(top_k=0, s3_bucket=..., prefix=...)` builds the same
    layout from a static bucket and prefix; mlpc's prefix holds the execution id
    (docs/sagemaker.md, "Differences from the SageMaker Python SDK")."""
    region, artifacts = "us-east-1", "s3://acme-ml/pipelines/tuned/"
    sess = session(region, "acme-ml")

    input_data = ParameterString(name="input_data", default_value="s3://acme-ml/data/abalone.csv")
    mse_threshold = ParameterFloat(name="mse_threshold", default_value=6.0)

    sklearn = image_uris.retrieve("sklearn", region=region, version="1.2-1", instance_type="ml.m5.xlarge")
    xgboost = image_uris.retrieve("xgboost", region=region, version="1.7-1")

    preprocess = abalone_preprocess(sess, sklearn, artifacts, code_uri(artifacts, "tuned", "preprocessing.py"), input_data)

    def output(name: str) -> Properties:
        return output_of(preprocess, name)

    # `tune` (tuning): the notebook's estimator and tuner.
    output_path = location(artifacts, "tune", "model")
    estimator = Estimator(
        image_uri=xgboost,
        role=ROLE,
        instance_count=1,
        instance_type="ml.m5.xlarge",
        volume_size=30,
        output_path=output_path,
        sagemaker_session=sess,
        debugger_hook_config=False,
        disable_profiler=True,
    )
    estimator.set_hyperparameters(objective="reg:squarederror", eval_metric="rmse", num_round=50)
    tuner = HyperparameterTuner(
        estimator,
        objective_metric_name="validation:rmse",
        hyperparameter_ranges={
            "eta": ContinuousParameter(0.0, 1.0),
            "min_child_weight": ContinuousParameter(1.0, 10.0),
            "alpha": ContinuousParameter(0.01, 2.0, scaling_type="Logarithmic"),
            "max_depth": IntegerParameter(1, 10),
            "booster": CategoricalParameter(["gbtree", "dart"]),
        },
        objective_type="Minimize",
        max_jobs=6,
        max_parallel_jobs=2,
        strategy="Random",
    )
    tune = TuningStep(
        name="tune",
        step_args=tuner.fit(
            inputs={
                "train": TrainingInput(s3_data=output("train"), content_type="text/csv"),
                "validation": TrainingInput(s3_data=output("validation"), content_type="text/csv"),
            }
        ),
    )
    # `tune.model`: the best training job's model, under the tuning job's output path.
    best_model = Join(
        on="",
        values=[*output_path.values, tune.properties.BestTrainingJob.TrainingJobName, "/output/model.tar.gz"],
    )

    test = ProcessingInput(source=output("test"), destination="/opt/ml/processing/input/test", input_name="test")
    code = code_uri(artifacts, "tuned", "evaluate.py")
    evaluate, report = evaluation(sess, xgboost, artifacts, code, best_model, [test])
    mse = JsonGet(step_name="evaluate", property_file=report, json_path="regression_metrics.mse.value")

    # `register_best` (register, `when = mse_ok`): the notebook's `model.register`.
    model = Model(image_uri=xgboost, model_data=best_model, role=ROLE, sagemaker_session=sess)
    metrics = report_metrics(evaluate)
    (register_best,) = ModelStep(
        name="register_best",
        step_args=model.register(
            content_types=["text/csv"],
            response_types=["text/csv"],
            inference_instances=["ml.m5.large"],
            transform_instances=["ml.m5.large"],
            model_package_group_name="abalone-tuned",
            model_metrics=metrics,
        ),
    ).steps
    # `notify` (lambda, `when = mse_ok`, `after = [register_best]`).
    notify = LambdaStep(
        name="notify",
        lambda_func=Lambda(function_arn="arn:aws:lambda:us-east-1:123456789012:function:model-tuned", session=sess),
        inputs={"model": best_model, "mse": mse, "run": ExecutionVariables.PIPELINE_EXECUTION_ID},
        depends_on=[register_best],
    )
    # `too_high` (fail, `when = not mse_ok`).
    too_high = FailStep(
        name="too_high",
        error_message=Join(on="", values=["the best model's MSE ", mse, " is above ", mse_threshold]),
    )
    mse_ok = ConditionStep(
        name="mse_ok",
        conditions=[ConditionLessThanOrEqualTo(left=mse, right=mse_threshold)],
        if_steps=[register_best, notify],
        else_steps=[too_high],
    )
    return pipeline("tuned", [input_data, mse_threshold], [preprocess, tune, evaluate, mse_ok], sess)


def container_paths() -> Pipeline:
    """tests/targets/container_paths.mlp: the Abalone preprocessing as the public example
    writes its paths, `ProcessingInput(destination="/opt/ml/processing/input")` and
    `ProcessingOutput(source="/opt/ml/processing/train")`; one output at the default."""
    region, artifacts = "us-east-1", "s3://acme-ml/pipelines/container_paths/"
    sess = session(region, "acme-ml")
    input_data = ParameterString(name="input_data", default_value="s3://acme-ml/abalone/abalone-dataset.csv")
    sklearn = image_uris.retrieve("sklearn", region=region, version="1.2-1", instance_type="ml.m5.xlarge")
    sources = {"train": "/opt/ml/processing/train", "validation": "/opt/ml/processing/validation"}
    preprocess = ProcessingStep(
        name="preprocess",
        step_args=script_processor(sess, sklearn, "ml.m5.xlarge").run(
            code="s3://acme-ml/code/preprocessing.py",
            inputs=[ProcessingInput(source=input_data, destination="/opt/ml/processing/input", input_name="raw")],
            outputs=[
                ProcessingOutput(
                    output_name=name,
                    source=sources.get(name, f"/opt/ml/processing/output/{name}"),
                    destination=location(artifacts, "preprocess", name),
                )
                for name in ("train", "validation", "test")
            ],
        ),
    )
    return pipeline("container_paths", [input_data], [preprocess], sess)


def cached() -> Pipeline:
    """abalone_batch with step caching, as the SageMaker examples turn it on:
    `CacheConfig(enable_caching=True, expire_after="P30D")` on the processing and the
    training step (`cache = 30d` in .mlp). It has no .mlp of its own: `mlpc import`'s
    test imports it and compares what it builds with this."""
    built = abalone_batch()
    cache = CacheConfig(enable_caching=True, expire_after="P30D")
    for step in built.steps:
        if step.name in ("preprocess", "train"):
            step.cache_config = cache
    return built


BUILDERS: dict[str, Callable[[], Pipeline]] = {
    "churn": churn,
    "athena_features": athena_features,
    "redshift_xgboost": redshift_xgboost,
    "abalone_batch": abalone_batch,
    "script_mode": script_mode,
    "gates": gates,
    "abalone": abalone,
    "judged": judged,
    "tuned": tuned,
    "cached": cached,
    "container_paths": container_paths,
}


def definition(name: str) -> dict:
    """The SDK's pipeline definition of example NAME, parsed."""
    return json.loads(BUILDERS[name]().definition())


def main(argv: list[str]) -> int:
    # `--dir DIR NAME...`: each definition to DIR/NAME.json, in one process (importing
    # the SDK is most of a run's time).
    if len(argv) >= 4 and argv[1] == "--dir" and all(n in BUILDERS for n in argv[3:]):
        for name in argv[3:]:
            with open(os.path.join(argv[2], f"{name}.json"), "w", encoding="utf-8") as f:
                f.write(json.dumps(definition(name), indent=2) + "\n")
        return 0
    if len(argv) != 2 or argv[1] not in BUILDERS:
        print(f"usage: {argv[0]} {{{','.join(BUILDERS)}}} | --dir DIR NAME...", file=sys.stderr)
        return 2
    print(json.dumps(definition(argv[1]), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
