"""Target-neutral facts of a SageMaker pipeline definition, to compare mlpc with the SDK.

Usage: python facts.py compare NAME MLPC_JSON [NAME MLPC_JSON ...]
                                                (in the venv with sagemaker==2.257.7)
       python facts.py show DEFINITION_JSON     (prints the facts of one definition)

`compare` builds example NAME with the official SDK (`oracle.py`), computes the facts of
both definitions with the same function `facts`, prints every difference and exits 1,
or prints "same facts: ..." and exits 0.

Two definitions of the same pipeline differ in ways that do not change a run: key and
list order, fields the SDK always writes with the service's default value (`AppManaged:
false`, `S3CompressionType: "None"`, an empty model `Environment`), the
`PipelineExperimentConfig` and Debugger/profiler settings the SDK adds, and how a value
is spelled as a string. So the facts are what decides what a run does, and only that:

- parameters: name → type, default, enum values;
- per step, by name, whether it is at the top level or in a branch of a Condition step
  (`Arguments.IfSteps`/`ElseSteps`, at any depth): its type; the branch it is in, as
  "<condition>.IfSteps" or "<condition>.ElseSteps" for the innermost condition (none
  for a top-level step); the steps it runs after (`DependsOn` plus every step named by
  a `Get` anywhere in its own arguments, which includes the step whose property file a
  `Std:JsonGet` reads); every `Get` in its own arguments; instance type, count and
  volume size; images; processing inputs (S3 URI, or the query's engine fields) and
  outputs, with their container paths; property files (name → output name, file path);
  training channels (S3 URI, content type) and output path; hyperparameters; metric
  definitions (name → regex); the transform's input, content type, split type and
  output path; the model's data; entrypoint and container arguments; environment;
  role; stopping condition; retry policies; cache config; a Condition step's
  conditions (their types, operands and the nesting of `Not`/`Or`/`In` as written; the
  top-level list, an implicit AND, in any order); a Fail step's error message; a
  RegisterModel step's group, approval status, description, inference containers
  (image, model data, environment), content and response types, instance types and
  model metrics (an absent approval status is the service's default,
  `PendingManualApproval`, which the SDK writes out); a Lambda step's function ARN,
  payload and typed outputs; a Tuning step's strategy, objective, resource limits,
  early stopping (absent: the service's `Off`) and ranges by hyperparameter name
  (kind; bounds, compared as numbers, and scaling, or the categorical values), and of
  its `TrainingJobDefinition` every fact a training job has, its static
  hyperparameters as `StaticHyperParameters` and its instances read from
  `ResourceConfig` or, as the SDK spells it, `HyperParameterTuningResourceConfig`. A
  Condition step's own arguments are its `Conditions`: the steps of its branches are
  facts of their own, not its references. A name that two steps share (never valid)
  shows as a fact `Copies` of the first.

Every other field is left out on purpose (docs/sagemaker.md, "Differences from the
SageMaker Python SDK", says which and why). A fact only one side has is a difference;
an absent and an empty value are the same fact.

Values are normalized the same way on both sides: `{"Get": P}` → "Get:P"; a
`Std:JsonGet` → {"JsonGet": {"PropertyFile": P, "Path": ...}} with P the property
file's `Get` path (or {"JsonGet": {"S3Uri": ..., "Path": ...}}); a
`Std:Join` on "" → {"Join": [parts]} with adjacent literals merged into one string, or
just the part when there is one and it is a string already (a literal, a String
parameter, a string execution variable), since joining it changes nothing; literal
hyperparameters compare as the text the job receives.
"""

from __future__ import annotations

import json
import sys
from typing import Any

Json = Any  # a parsed JSON value
Facts = dict[str, Any]


# --- expressions ---------------------------------------------------------------------

# The execution variables that are strings (StartDateTime and CurrentDateTime are not).
STRING_EXECUTION_VARIABLES = {
    f"Execution.{name}" for name in ("PipelineName", "PipelineArn", "PipelineExecutionId", "PipelineExecutionArn")
}


class Normalizer:
    """Normalizes the values of one definition; knows which parameters are strings."""

    def __init__(self, definition: Json) -> None:
        # A `Get` of these is a string already: a one-part Join of it is the same value.
        strings = {f"Parameters.{p['Name']}" for p in definition.get("Parameters", []) if p.get("Type") == "String"}
        self.string_gets = {f"Get:{path}" for path in strings | STRING_EXECUTION_VARIABLES}

    def value(self, value: Json) -> Json:
        """A value with its expressions in canonical form, recursively."""
        if isinstance(value, dict):
            if set(value) == {"Get"}:
                return f"Get:{value['Get']}"
            if set(value) == {"Std:Join"}:
                return self.join(value["Std:Join"])
            if set(value) == {"Std:JsonGet"}:
                return {"JsonGet": self.json_get(value["Std:JsonGet"])}
            return {k: self.value(v) for k, v in sorted(value.items())}
        if isinstance(value, list):
            return [self.value(v) for v in value]
        return value

    def json_get(self, json_get: Json) -> Json:
        """A value read from a JSON file at run time: the property file's `Get` path (or
        the file's S3 URI) and the JSON path in it."""
        out = {k: self.value(v) for k, v in sorted(json_get.items()) if k != "PropertyFile"}
        if "PropertyFile" in json_get:
            source = json_get["PropertyFile"]
            is_get = isinstance(source, dict) and set(source) == {"Get"}
            out["PropertyFile"] = source["Get"] if is_get else self.value(source)
        return out

    def join(self, join: Json) -> Json:
        on, values = join.get("On", ""), join.get("Values", [])
        if on != "":
            # Neither side writes these today; kept whole, so a difference still shows.
            return {"Join": on, "Values": [self.value(v) for v in values]}
        parts: list[Json] = []
        merge = False  # whether parts[-1] is literal text, which the next literal extends
        for part in flat_join_values(values):
            if isinstance(part, (dict, list)):
                parts.append(self.value(part))
                merge = False
            elif merge:
                parts[-1] += text(part)  # a literal inside a Join is rendered as text
            else:
                parts.append(text(part))
                merge = True
        if not parts:
            return ""
        # One part: a literal (merge is set) or a string-typed Get joins to itself.
        if len(parts) == 1 and (merge or (isinstance(parts[0], str) and parts[0] in self.string_gets)):
            return parts[0]
        return {"Join": parts}

    def text(self, value: Json) -> Json:
        """A value that SageMaker passes on as a string (a hyperparameter): literals as text."""
        value = self.value(value)
        return value if isinstance(value, (str, list, dict)) else text(value)


def flat_join_values(values: list[Json]) -> list[Json]:
    """The values of a Join on "", with nested Joins on "" spliced in: the same string."""
    out: list[Json] = []
    for value in values:
        inner = value.get("Std:Join") if isinstance(value, dict) and set(value) == {"Std:Join"} else None
        if isinstance(inner, dict) and inner.get("On", "") == "":
            out.extend(flat_join_values(inner.get("Values", [])))
        else:
            out.append(value)
    return out


def text(literal: Json) -> str:
    """A JSON literal as the text SageMaker makes of it: strings as they are, others as JSON."""
    return literal if isinstance(literal, str) else json.dumps(literal)


def gets(value: Json) -> list[str]:
    """Every `Get` path anywhere in a raw value."""
    found: list[str] = []
    if isinstance(value, dict):
        if set(value) == {"Get"} and isinstance(value["Get"], str):
            found.append(value["Get"])
        else:
            for item in value.values():
                found.extend(gets(item))
    elif isinstance(value, list):
        for item in value:
            found.extend(gets(item))
    return found


def dig(value: Json, *path: str) -> Json:
    """value[path[0]][path[1]]... or None where a key is missing."""
    for key in path:
        if not isinstance(value, dict) or key not in value:
            return None
        value = value[key]
    return value


def put(out: Facts, key: str, value: Json) -> None:
    """Records a fact unless it is absent (None or empty): absent and empty mean the same."""
    if value is not None and value != {} and value != []:
        out[key] = value


# --- facts -----------------------------------------------------------------------------

# Where each job type keeps its instances, images, role and environment.
RESOURCES = ("ProcessingResources.ClusterConfig", "ResourceConfig", "TransformResources")
IMAGES = ("AppSpecification.ImageUri", "AlgorithmSpecification.TrainingImage", "PrimaryContainer.Image")
ROLES = ("RoleArn", "ExecutionRoleArn")
ENVIRONMENTS = ("Environment", "PrimaryContainer.Environment")
COMMANDS = ("AppSpecification", "AlgorithmSpecification")
# What a registered version serves: content and response types, instance types.
INFERENCE_LISTS = (
    "SupportedContentTypes",
    "SupportedResponseMIMETypes",
    "SupportedRealtimeInferenceInstanceTypes",
    "SupportedTransformInstanceTypes",
)

# The query fields of a dataset definition, per engine. OutputS3Uri (where the engine
# stages the result) is left out: the .mlp does not say it, mlpc picks it.
ENGINE_FIELDS = {
    "AthenaDatasetDefinition": ("Catalog", "Database", "QueryString", "WorkGroup", "OutputFormat"),
    "RedshiftDatasetDefinition": ("ClusterId", "Database", "DbUser", "QueryString", "ClusterRoleArn", "OutputFormat"),
}


def facts(definition: Json) -> Facts:
    """The normalized facts of a SageMaker pipeline definition (a parsed JSON object)."""
    norm = Normalizer(definition)
    parameters: Facts = {}
    for param in definition.get("Parameters", []):
        entry: Facts = {"Type": param.get("Type"), "DefaultValue": param.get("DefaultValue")}
        put(entry, "EnumValues", param.get("EnumValues"))
        parameters[param["Name"]] = entry
    steps: Facts = {}
    for step, branch in all_steps(definition.get("Steps", [])):
        name = step["Name"]
        if name in steps:
            # Names are unique in a pipeline: a second step of the name (say at the top
            # level and in a branch) is a fact of its own rather than hidden by the first.
            steps[name]["Copies"] = steps[name].get("Copies", 1) + 1
            continue
        steps[name] = step_facts(step, norm, branch)
    return {"Parameters": parameters, "Steps": steps}


# A Condition step's arguments that hold the steps of its branches.
BRANCHES = ("IfSteps", "ElseSteps")


def all_steps(steps: list[Json], branch: str | None = None) -> list[tuple[Json, str | None]]:
    """Every step with the branch it is in ("<condition>.IfSteps" or "<condition>.ElseSteps",
    the innermost one; None at the top level): the top-level steps and, recursively, the
    steps in each Condition step's branches."""
    found: list[tuple[Json, str | None]] = []
    for step in steps:
        found.append((step, branch))
        if step.get("Type") == "Condition":
            for key in BRANCHES:
                found.extend(all_steps(dig(step, "Arguments", key) or [], f"{step.get('Name')}.{key}"))
    return found


def own_arguments(step: Json) -> Json:
    """A step's arguments without the steps of its branches (a Condition step's)."""
    args = step.get("Arguments", {})
    if step.get("Type") == "Condition" and isinstance(args, dict):
        return {k: v for k, v in args.items() if k not in BRANCHES}
    return args


def step_facts(step: Json, norm: Normalizer, branch: str | None = None) -> Facts:
    """The facts of one step; a field a step type lacks is simply absent."""
    args = own_arguments(step)
    out: Facts = {"Type": step.get("Type")}
    put(out, "Branch", branch)
    references = gets(args)
    # A step runs after the steps it names in DependsOn and those whose properties it
    # reads: SageMaker derives the second kind of edge from the Get expressions.
    after = set(step.get("DependsOn", []))
    after.update(path.split(".")[1] for path in references if path.startswith("Steps."))
    put(out, "After", sorted(after))
    put(out, "Gets", sorted(set(references)))

    if step.get("Type") == "Tuning":
        put(out, "Tuning", tuning_config(args.get("HyperParameterTuningJobConfig") or {}, norm))
        # The training jobs the tuning job starts: their facts are a training step's.
        args = training_job_definition(args.get("TrainingJobDefinition") or {})
    for where in RESOURCES:
        resources = dig(args, *where.split("."))
        if resources is not None:
            out["Instances"] = {
                "InstanceType": norm.value(resources.get("InstanceType")),
                "InstanceCount": norm.value(resources.get("InstanceCount")),
            }
            put(out["Instances"], "VolumeSizeInGB", norm.value(resources.get("VolumeSizeInGB")))
    images = (dig(args, *where.split(".")) for where in IMAGES)
    put(out, "Images", sorted((norm.value(image) for image in images if image is not None), key=json.dumps))
    put(out, "Role", next((norm.value(args[k]) for k in ROLES if k in args), None))
    environment: Facts = {}
    for where in ENVIRONMENTS:
        environment.update(dig(args, *where.split(".")) or {})
    put(out, "Environment", norm.value(environment))
    for where in COMMANDS:
        spec = args.get(where) or {}
        put(out, "Entrypoint", norm.value(spec.get("ContainerEntrypoint")))
        put(out, "Arguments", norm.value(spec.get("ContainerArguments")))
    put(out, "StoppingCondition", norm.value(args.get("StoppingCondition")))
    put(
        out,
        "MetricDefinitions",
        {m.get("Name"): m.get("Regex") for m in dig(args, "AlgorithmSpecification", "MetricDefinitions") or []},
    )

    put(out, "ProcessingInputs", {i["InputName"]: processing_input(i, norm) for i in args.get("ProcessingInputs", [])})
    put(
        out,
        "ProcessingOutputs",
        {
            o["OutputName"]: {
                "S3Uri": norm.value(dig(o, "S3Output", "S3Uri")),
                "LocalPath": dig(o, "S3Output", "LocalPath"),
            }
            for o in dig(args, "ProcessingOutputConfig", "Outputs") or []
        },
    )
    put(
        out,
        "Channels",
        {
            c["ChannelName"]: {
                "S3Uri": norm.value(dig(c, "DataSource", "S3DataSource", "S3Uri")),
                "ContentType": c.get("ContentType"),
            }
            for c in args.get("InputDataConfig", [])
        },
    )
    put(out, "OutputPath", norm.value(dig(args, "OutputDataConfig", "S3OutputPath")))
    put(out, "HyperParameters", {k: norm.text(v) for k, v in (args.get("HyperParameters") or {}).items()})
    put(
        out,
        "StaticHyperParameters",
        {k: norm.text(v) for k, v in (args.get("StaticHyperParameters") or {}).items()},
    )

    transform_input = args.get("TransformInput")
    if transform_input is not None:
        out["TransformInput"] = {
            "S3Uri": norm.value(dig(transform_input, "DataSource", "S3DataSource", "S3Uri")),
            "ContentType": transform_input.get("ContentType"),
            "SplitType": transform_input.get("SplitType"),
        }
    put(out, "TransformOutputPath", norm.value(dig(args, "TransformOutput", "S3OutputPath")))
    put(out, "ModelDataUrl", norm.value(dig(args, "PrimaryContainer", "ModelDataUrl")))

    put(
        out,
        "PropertyFiles",
        {
            f.get("PropertyFileName"): {"OutputName": f.get("OutputName"), "FilePath": f.get("FilePath")}
            for f in step.get("PropertyFiles", [])
        },
    )
    # A Condition step's conditions: all must hold, in any order; each as written.
    put(out, "Conditions", sorted((norm.value(c) for c in args.get("Conditions", [])), key=json.dumps))
    put(out, "ErrorMessage", norm.value(args.get("ErrorMessage")))
    # A RegisterModel step's model package version: every argument but the SDK's
    # padding (empty `Bias`/`Explainability`, `SkipModelValidation: "None"`, an empty
    # container `Environment`, all the service's defaults).
    for key in ("ModelPackageGroupName", "ModelApprovalStatus", "ModelPackageDescription"):
        put(out, key, norm.value(args.get(key)))
    if step.get("Type") == "RegisterModel" and "ModelApprovalStatus" not in args:
        # A version registered without a status waits for approval: the service's
        # default (grammar/README.md, `approval`), which the SDK writes out.
        out["ModelApprovalStatus"] = "PendingManualApproval"
    spec = args.get("InferenceSpecification") or {}
    put(
        out,
        "InferenceContainers",
        [
            {
                "Image": norm.value(c.get("Image")),
                "ModelDataUrl": norm.value(c.get("ModelDataUrl")),
                "Environment": norm.value(c.get("Environment") or {}),
            }
            for c in spec.get("Containers", [])
        ],
    )
    for key in INFERENCE_LISTS:
        put(out, key, norm.value(spec.get(key)))
    put(out, "ModelQualityStatistics", norm.value(dig(args, "ModelMetrics", "ModelQuality", "Statistics")))
    metrics = {k: v for k, v in (args.get("ModelMetrics") or {}).items() if k != "ModelQuality" and v}
    put(out, "OtherModelMetrics", norm.value(metrics))
    # A Lambda step: the function, its payload (the step's Arguments) and its typed outputs.
    if step.get("Type") == "Lambda":
        put(out, "FunctionArn", step.get("FunctionArn"))
        put(out, "Payload", norm.value(args))
        put(out, "OutputParameters", {o.get("OutputName"): o.get("OutputType") for o in step.get("OutputParameters", [])})

    put(out, "RetryPolicies", sorted((retry_policy(p) for p in step.get("RetryPolicies", [])), key=json.dumps))
    put(out, "CacheConfig", norm.value(step.get("CacheConfig")))
    return out


def training_job_definition(definition: Json) -> Json:
    """A tuning job's `TrainingJobDefinition` with the keys of a CreateTrainingJob request
    where the two name the same thing, so that its facts are read like a training step's.

    The SDK writes the instances as `HyperParameterTuningResourceConfig`, mlpc as
    `ResourceConfig`: CreateHyperParameterTuningJob takes either (the first also allows
    instance configs to pick from), AWS's published pipeline schema requires the second
    and refuses the first. For one instance type they are the same fact. The static
    hyperparameters keep their key: a fact of their own, next to the searched ranges.
    """
    definition = dict(definition)
    if "HyperParameterTuningResourceConfig" in definition and "ResourceConfig" not in definition:
        definition["ResourceConfig"] = definition.pop("HyperParameterTuningResourceConfig")
    return definition


# The settings of a tuning job that are facts of their own; any other is kept as written.
TUNING_CONFIG_FACTS = {
    "Strategy",
    "HyperParameterTuningJobObjective",
    "ResourceLimits",
    "ParameterRanges",
    "TrainingJobEarlyStoppingType",
}
# A tuning job's parameter ranges, per kind.
RANGE_KINDS = {
    "ContinuousParameterRanges": "Continuous",
    "IntegerParameterRanges": "Integer",
    "CategoricalParameterRanges": "Categorical",
}


def tuning_config(config: Json, norm: Normalizer) -> Facts:
    """What a tuning job searches and how: the strategy, the objective, the resource
    limits, each hyperparameter's range by name, early stopping (the service's default
    `Off` when absent), and any other setting as written."""
    out: Facts = {}
    put(out, "Strategy", config.get("Strategy"))
    put(out, "Objective", norm.value(config.get("HyperParameterTuningJobObjective")))
    put(out, "ResourceLimits", norm.value(config.get("ResourceLimits")))
    ranges: Facts = {}
    for key, kind in RANGE_KINDS.items():
        for entry in dig(config, "ParameterRanges", key) or []:
            name = entry.get("Name")
            if name in ranges:
                # One name in two ranges (never valid) is a fact of its own.
                ranges[name]["Copies"] = ranges[name].get("Copies", 1) + 1
                continue
            ranges[name] = parameter_range(kind, entry, norm)
    put(out, "Ranges", ranges)
    other_ranges = {k: v for k, v in (config.get("ParameterRanges") or {}).items() if k not in RANGE_KINDS}
    put(out, "OtherRanges", norm.value(other_ranges))
    out["EarlyStopping"] = config.get("TrainingJobEarlyStoppingType", "Off")
    put(out, "Other", norm.value({k: v for k, v in config.items() if k not in TUNING_CONFIG_FACTS}))
    return out


# The fields of a range that `parameter_range` reads; any other is kept as written.
RANGE_FIELDS = {"Name", "Values", "MinValue", "MaxValue", "ScalingType"}


def parameter_range(kind: str, entry: Json, norm: Normalizer) -> Facts:
    """One hyperparameter's range: its kind and values (categorical), or its bounds as
    numbers (the API takes them as text: `"0"`, `"0.0"` and `"0.00"` are one bound of a
    continuous range) and scaling (the service's default `Auto` when absent)."""
    out: Facts = {"Kind": kind}
    if kind == "Categorical":
        out["Values"] = [norm.text(v) for v in entry.get("Values", [])]
    else:
        for bound in ("MinValue", "MaxValue"):
            out[bound] = range_bound(kind, norm.value(entry.get(bound)))
        out["ScalingType"] = entry.get("ScalingType", "Auto")
    put(out, "Other", norm.value({k: v for k, v in entry.items() if k not in RANGE_FIELDS}))
    return out


def range_bound(kind: str, value: Json) -> Json:
    """A range's bound as a number where it is a literal one: an integer range's as an
    int (`"1.0"` stays text: not an integer), a continuous range's as a float."""
    if not isinstance(value, str) or value.startswith("Get:"):
        return value
    try:
        return int(value) if kind == "Integer" else float(value)
    except ValueError:
        return value


def processing_input(entry: Json, norm: Normalizer) -> Facts:
    """Where a processing input comes from, and where the job sees it."""
    if "S3Input" in entry:
        return {"S3Uri": norm.value(entry["S3Input"].get("S3Uri")), "LocalPath": entry["S3Input"].get("LocalPath")}
    dataset = entry.get("DatasetDefinition") or {}
    source: Facts = {"LocalPath": dataset.get("LocalPath")}
    for engine, fields in ENGINE_FIELDS.items():
        if engine in dataset:
            source[engine] = {f: norm.value(dataset[engine].get(f)) for f in fields}
    return source


def retry_policy(policy: Json) -> Facts:
    """A retry policy, with the service's defaults filled in (interval 1 s, backoff 2.0)."""
    out: Facts = {
        "ExceptionType": sorted(policy.get("ExceptionType", [])),
        "IntervalSeconds": policy.get("IntervalSeconds", 1),
        "BackoffRate": float(policy.get("BackoffRate", 2.0)),
    }
    put(out, "MaxAttempts", policy.get("MaxAttempts"))
    put(out, "ExpireAfterMin", policy.get("ExpireAfterMin"))
    return out


# --- comparison ------------------------------------------------------------------------


def differences(left: Json, right: Json, path: str = "") -> list[tuple[str, Json, Json]]:
    """(path, left value, right value) for every place where two facts trees differ."""
    if isinstance(left, dict) and isinstance(right, dict):
        found = []
        for key in list(left) + [k for k in right if k not in left]:
            missing = "<absent>"
            found.extend(differences(left.get(key, missing), right.get(key, missing), f"{path}.{key}" if path else key))
        return found
    return [] if left == right else [(path, left, right)]


def count(tree: Json) -> int:
    """The number of leaf facts in a facts tree."""
    if isinstance(tree, dict):
        return sum(count(v) for v in tree.values())
    return 1


def compare(name: str, mlpc_path: str) -> int:
    import oracle  # the SDK is slow to import: only for `compare`

    with open(mlpc_path, encoding="utf-8") as f:
        mine = facts(json.load(f))
    theirs = facts(oracle.definition(name))
    found = differences(mine, theirs)
    if found:
        print(f"{name}: {len(found)} differences (- mlpc, + SageMaker SDK)")
        for path, left, right in found:
            print(f"  {path}\n    - {json.dumps(left)}\n    + {json.dumps(right)}")
        return 1
    print(f"same facts: {len(mine['Steps'])} steps, {len(mine['Parameters'])} parameters, {count(mine)} facts ({name})")
    return 0


def main(argv: list[str]) -> int:
    if len(argv) >= 4 and len(argv) % 2 == 0 and argv[1] == "compare":
        # Several pairs in one process: importing the SDK is most of a run's time.
        results = [compare(name, path) for name, path in zip(argv[2::2], argv[3::2])]
        return max(results)
    if len(argv) == 3 and argv[1] == "show":
        with open(argv[2], encoding="utf-8") as f:
            print(json.dumps(facts(json.load(f)), indent=2))
        return 0
    print(f"usage: {argv[0]} compare NAME MLPC_JSON | show DEFINITION_JSON", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
