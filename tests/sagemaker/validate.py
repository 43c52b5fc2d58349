"""Structural validation of mlpc's SageMaker Pipeline definitions.

Usage: validate.py SCHEMA DEFINITION.json...

Three independent checks, all must pass. Every step is checked, including the steps
nested in a Condition step's `IfSteps`/`ElseSteps` (recursively), each on its own.

1. AWS's published pipeline-definition JSON schema (Draft 7), per parameter and per
   step type. The schema is older than the service and the SDK; these errors are
   documented gaps and are accepted *only* in their exact form (docs/sagemaker.md):
   - `EnumValues` on a String parameter (the schema has no such property);
   - `RetryPolicies[].ExceptionType` as an array (the schema says string; the SDK and
     the service use an array) whose items are each in the schema's enum;
   - a `Std:Join` or `Get` where the schema wants a plain value, when it is itself a
     valid GetFunction, or a valid JoinFunction (the schema's own JoinFunction lists
     `Values` outside `properties` under `additionalProperties: false`, so it rejects
     every join; joins are checked against a copy with that one fix);
   - `Environment` in a training step's Arguments, or in a tuning step's
     `TrainingJobDefinition` (CreateTrainingJob and CreateHyperParameterTuningJob take
     it; the schema has neither; check 2 validates it);
   - a `DatasetDefinition` processing input (the schema knows only S3Input; check 2
     validates it against the API model);
   - `ModelApprovalStatus` in a RegisterModel step's Arguments (the schema lacks it;
     the SDK writes it and CreateModelPackage takes it): a status or a parameter's Get;
   - `PropertyFiles` on a Processing step: exactly a non-empty list of
     {PropertyFileName, OutputName, FilePath} (strings), each OutputName one of the
     step's ProcessingOutputConfig outputs, each PropertyFileName once;
   - Model, RegisterModel and Condition steps in `IfSteps`/`ElseSteps`: a Condition step is checked
     with both emptied, and each nested step on its own against its step type;
   - `Not` conditions, exactly {Type, Condition}, the inner condition checked recursively;
   - `In` conditions in the SDK's form, exactly {Type, QueryValue, Values}, Values a
     non-empty list of operand values (the schema's Value/In form is refused: wrong);
   - `Or` conditions containing Not/In/Or conditions, exactly {Type, Conditions}, a
     non-empty list, each item checked recursively;
   - `Std:JsonGet` where a value is expected, in Condition, Fail and Lambda steps only, exactly
     {"Std:JsonGet": {"PropertyFile": {"Get": "Steps.S.PropertyFiles.NAME"}, "Path":
     "..."}}, where S is a step of the definition that declares property file NAME.
   Stricter than the schema: a Fail step's Arguments hold exactly `ErrorMessage`.
   Condition operands are primitives, `Get`, `Std:Join` or `Std:JsonGet`.
2. The API model botocore ships: each job or model step's Arguments must be a valid
   request of its operation (CreateProcessingJob, CreateTrainingJob,
   CreateTransformJob, CreateModel, CreateModelPackage, CreateHyperParameterTuningJob) once the names SageMaker chooses are filled in and
   each expression is replaced by a placeholder of the type the field takes.
   Condition and Fail steps have no API operation.
3. References: step names are unique across the whole definition (nested included);
   every `{"Get": "Steps.X…"}` and every `DependsOn` entry names a step of the
   definition (nested included) other than the step itself; every
   `{"Get": "Parameters.X"}` names a declared parameter; a `Get` starts with `Steps.`,
   `Parameters.`, `Execution.` or `PipelineExperimentConfig.`; a
   `Steps.X.PropertyFiles.…` Get appears only as a Std:JsonGet's PropertyFile.
"""

from __future__ import annotations

import collections
import copy
import json
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import botocore.session
import jsonschema
from botocore.validate import ParamValidator

STEP_SCHEMAS = {
    "Processing": "ProcessingStep",
    "Training": "TrainingStep",
    "Transform": "TransformStep",
    "Model": "CreateModelStep",
    "RegisterModel": "RegisterModelStep",
    "Lambda": "LambdaStep",
    "Tuning": "TuningStep",
    "Condition": "ConditionStep",
    "Fail": "FailStep",
}
PARAM_SCHEMAS = {
    "String": "StringParameter",
    "Integer": "IntegerParameter",
    "Float": "FloatParameter",
    "Boolean": "BooleanParameter",
}
# Step type -> (operation, the name member SageMaker fills in itself, if any).
OPERATIONS: dict[str, tuple[str, str | None]] = {
    "Processing": ("CreateProcessingJob", "ProcessingJobName"),
    "Training": ("CreateTrainingJob", "TrainingJobName"),
    "Transform": ("CreateTransformJob", "TransformJobName"),
    "Model": ("CreateModel", "ModelName"),
    "RegisterModel": ("CreateModelPackage", None),
    "Tuning": ("CreateHyperParameterTuningJob", "HyperParameterTuningJobName"),
}
# Step types whose values may be a Std:JsonGet (the SDK evaluates JsonGet there).
JSON_GET_STEPS = ("Condition", "Fail", "Lambda")
# CreateModelPackage's ModelApprovalStatus values.
APPROVAL_STATUSES = ("Approved", "Rejected", "PendingManualApproval")
PROPERTY_FILE_KEYS = {"PropertyFileName", "OutputName", "FilePath"}
GET_ROOTS = ("Steps", "Parameters", "Execution", "PipelineExperimentConfig")
# `Steps.<name>` then a property (`.` or `[`) or nothing; names per the schema's StepName.
STEP_GET = re.compile(r"Steps\.([A-Za-z0-9\-_]{1,64})(?=[.\[]|$)")
PROPERTY_FILE_GET = re.compile(r"Steps\.([A-Za-z0-9\-_]{1,64})\.PropertyFiles\.(.+)")


@dataclass
class Context:
    """What the checks need to know about the whole definition."""

    schema: dict[str, Any]
    steps: set[str]  # every step name, nested included
    files: dict[str, set[str]]  # Processing step name -> its declared property file names
    params: set[str]


def validator(schema: dict[str, Any], definition: str) -> jsonschema.Draft7Validator:
    return jsonschema.Draft7Validator({**schema, "$ref": f"#/definitions/{definition}"})


def join_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """The schema's JoinFunction with `On` and `Values` moved under `properties`."""
    broken = schema["definitions"]["JoinFunction"]["properties"]["Std:Join"]
    fixed = {
        "type": "object",
        "properties": {"On": {"type": "string"}, "Values": broken["Values"]},
        "required": ["On", "Values"],
        "additionalProperties": False,
    }
    join = {
        "type": "object",
        "properties": {"Std:Join": fixed},
        "required": ["Std:Join"],
        "additionalProperties": False,
    }
    return {**schema, "definitions": {**schema["definitions"], "FixedJoinFunction": join}}


def is_expression(value: Any) -> bool:
    return isinstance(value, dict) and len(value) == 1 and next(iter(value)) in ("Get", "Std:Join")


def is_json_get(value: Any) -> bool:
    return isinstance(value, dict) and "Std:JsonGet" in value


def nested_steps(steps: Any) -> Iterator[dict[str, Any]]:
    """Every step of `steps`, then (depth first) those in each Condition step's branches."""
    if not isinstance(steps, list):
        return
    for step in steps:
        if not isinstance(step, dict):
            continue
        yield step
        if step.get("Type") == "Condition" and isinstance(step.get("Arguments"), dict):
            for branch in ("IfSteps", "ElseSteps"):
                yield from nested_steps(step["Arguments"].get(branch))


def own(step: dict[str, Any]) -> dict[str, Any]:
    """The step without the steps nested in it (a Condition's branches emptied)."""
    if step.get("Type") != "Condition" or not isinstance(step.get("Arguments"), dict):
        return step
    args = dict(step["Arguments"])
    for branch in ("IfSteps", "ElseSteps"):
        if isinstance(args.get(branch), list):
            args[branch] = []
    return {**step, "Arguments": args}


def context(schema: dict[str, Any], definition: dict[str, Any]) -> Context:
    files: dict[str, set[str]] = {}
    for step in nested_steps(definition.get("Steps")):
        declared = step.get("PropertyFiles")
        if step.get("Type") == "Processing" and isinstance(declared, list):
            names = {f.get("PropertyFileName") for f in declared if isinstance(f, dict)}
            files[step.get("Name")] = {n for n in names if isinstance(n, str)}
    params = {p.get("Name") for p in definition.get("Parameters", []) if isinstance(p, dict)}
    steps = {s.get("Name") for s in nested_steps(definition.get("Steps"))}
    return Context(schema, steps, files, params)


def json_get_errors(ctx: Context, value: Any) -> list[str]:
    """Problems of a Std:JsonGet: its exact shape, and the property file it reads."""
    shape = '{"Std:JsonGet": {"PropertyFile": {"Get": "Steps.S.PropertyFiles.NAME"}, "Path": "..."}}'
    if not isinstance(value, dict) or set(value) != {"Std:JsonGet"}:
        return [f"a Std:JsonGet must be exactly {shape}, not {json.dumps(value)[:200]}"]
    body = value["Std:JsonGet"]
    if not isinstance(body, dict) or set(body) != {"PropertyFile", "Path"}:
        return [f"a Std:JsonGet must be exactly {shape}, not {json.dumps(value)[:200]}"]
    errors = []
    if not isinstance(body["Path"], str) or not body["Path"]:
        errors.append(f"Std:JsonGet Path must be a non-empty string, not {json.dumps(body['Path'])}")
    file = body["PropertyFile"]
    get = file.get("Get") if isinstance(file, dict) and set(file) == {"Get"} else None
    match = PROPERTY_FILE_GET.fullmatch(get) if isinstance(get, str) else None
    if not match:
        return errors + [
            f'Std:JsonGet PropertyFile must be exactly {{"Get": "Steps.S.PropertyFiles.NAME"}}, not {json.dumps(file)[:200]}'
        ]
    step, name = match.groups()
    if step not in ctx.steps:
        errors.append(f"Std:JsonGet reads property file {name!r} of step {step!r}, which is not in the definition")
    elif step not in ctx.files:
        errors.append(f"Std:JsonGet reads property file {name!r} of step {step!r}, which declares no PropertyFiles")
    elif name not in ctx.files[step]:
        errors.append(
            f"Std:JsonGet reads property file {name!r} of step {step!r}, which declares only {sorted(ctx.files[step])}"
        )
    return errors


def join_errors(ctx: Context, value: Any, json_get_ok: bool) -> list[str]:
    """Problems of a Std:Join against the fixed JoinFunction; JsonGet items where allowed."""
    errors = []
    for e in validator(join_schema(ctx.schema), "FixedJoinFunction").iter_errors(value):
        if is_json_get(e.instance) and list(e.absolute_path)[:2] == ["Std:Join", "Values"]:
            errors += json_get_here(ctx, e.instance, json_get_ok)
        else:
            errors.append(f"Std:Join: {list(e.absolute_path)}: {e.message[:300]}")
    return errors


def json_get_here(ctx: Context, value: Any, json_get_ok: bool) -> list[str]:
    if not json_get_ok:
        return ["Std:JsonGet is accepted only in Condition, Fail and Lambda steps"]
    return json_get_errors(ctx, value)


def gap_errors(ctx: Context, error: jsonschema.ValidationError, json_get_ok: bool) -> list[str] | None:
    """None: not a documented gap (the schema's error stands); [] an accepted gap; else
    the gap's form was recognised and these are its problems."""
    schema = ctx.schema
    path = list(error.absolute_path)
    value = error.instance
    if error.validator == "additionalProperties" and "'EnumValues' was unexpected" in error.message:
        return []
    if path and path[-1] == "ExceptionType" and isinstance(value, list):
        allowed = schema["definitions"]["RetryPolicy"]["properties"]["ExceptionType"]["enum"]
        return [] if value and all(v in allowed for v in value) else None
    if is_json_get(value):
        return json_get_here(ctx, value, json_get_ok)
    if is_expression(value):
        if "Get" in value:
            return None if list(validator(schema, "GetFunction").iter_errors(value)) else []
        return join_errors(ctx, value, json_get_ok)
    if (
        error.validator == "additionalProperties"
        and error.message == "Additional properties are not allowed ('Environment' was unexpected)"
    ):
        training = path == ["Arguments"] and "TrainingJobName" not in value
        tuning = path == ["Arguments", "TrainingJobDefinition"]
        ok = (training or tuning) and "AlgorithmSpecification" in value
        return [] if ok else None
    if error.validator == "additionalProperties" and "'DatasetDefinition' was unexpected" in error.message:
        return [] if set(value) <= {"InputName", "AppManaged", "DatasetDefinition"} else None
    if (
        error.validator == "additionalProperties"
        and error.message == "Additional properties are not allowed ('ModelApprovalStatus' was unexpected)"
        and path == ["Arguments"]
        and "ModelPackageGroupName" in value
    ):
        status = value["ModelApprovalStatus"]
        if status in APPROVAL_STATUSES:
            return []
        if is_expression(status) and "Get" in status:
            return [] if str(status["Get"]).startswith("Parameters.") else None
        return [f"ModelApprovalStatus must be one of {', '.join(APPROVAL_STATUSES)} or a parameter, not {status!r}"]
    return None


def operand_errors(ctx: Context, value: Any, where: str) -> list[str]:
    """A condition operand: a primitive, Get, Std:Join or Std:JsonGet."""
    if isinstance(value, (str, bool, int, float)):
        return []
    if is_json_get(value):
        return [f"{where}: {m}" for m in json_get_errors(ctx, value)]
    if is_expression(value) and "Get" in value:
        return [f"{where}: {e.message}" for e in validator(ctx.schema, "GetFunction").iter_errors(value)]
    if is_expression(value):
        return [f"{where}: {m}" for m in join_errors(ctx, value, json_get_ok=True)]
    return [f"{where}: not an operand value (a primitive, Get, Std:Join or Std:JsonGet): {json.dumps(value)[:200]}"]


def keys_error(what: str, value: dict[str, Any], keys: set[str]) -> str:
    """Which keys `value` lacks and which it should not have."""
    missing, unexpected = sorted(keys - set(value)), sorted(set(value) - keys)
    found = []
    if missing:
        found.append("missing " + ", ".join(missing))
    if unexpected:
        found.append("unexpected " + ", ".join(unexpected))
    return f"{what} has exactly the keys {', '.join(sorted(keys))}: {'; '.join(found)}"


def condition_errors(ctx: Context, cond: Any, where: str) -> list[str]:
    """Problems of one condition, recursively: the schema's comparisons (with the value
    gaps), and Not, In (QueryValue/Values) and Or checked here exactly."""
    if not isinstance(cond, dict):
        return [f"{where}: a condition must be an object, not {json.dumps(cond)[:200]}"]
    kind = cond.get("Type")
    comparisons = ctx.schema["definitions"]["BinaryCondition"]["properties"]["Type"]["enum"]
    if kind == "Not":
        if set(cond) != {"Type", "Condition"}:
            return [f"{where}: {keys_error('a Not condition', cond, {'Type', 'Condition'})}"]
        return condition_errors(ctx, cond["Condition"], f"{where}.Condition")
    if kind == "Or":
        if set(cond) != {"Type", "Conditions"}:
            return [f"{where}: {keys_error('an Or condition', cond, {'Type', 'Conditions'})}"]
        if not isinstance(cond["Conditions"], list) or not cond["Conditions"]:
            return [f"{where}: an Or condition's Conditions must be a non-empty list"]
        return [
            e for i, c in enumerate(cond["Conditions"]) for e in condition_errors(ctx, c, f"{where}.Conditions[{i}]")
        ]
    if kind == "In":
        if set(cond) != {"Type", "QueryValue", "Values"}:
            what = "an In condition (the SDK's and service's form; the schema's Value/In is wrong)"
            return [f"{where}: {keys_error(what, cond, {'Type', 'QueryValue', 'Values'})}"]
        if not isinstance(cond["Values"], list) or not cond["Values"]:
            return [f"{where}: an In condition's Values must be a non-empty list"]
        errors = operand_errors(ctx, cond["QueryValue"], f"{where}.QueryValue")
        for i, v in enumerate(cond["Values"]):
            errors += operand_errors(ctx, v, f"{where}.Values[{i}]")
        return errors
    if kind in comparisons:
        errors = []
        for e in validator(ctx.schema, "BinaryCondition").iter_errors(cond):
            path = "".join(f".{p}" for p in e.absolute_path)
            gap = gap_errors(ctx, e, json_get_ok=True)
            if gap is None:
                errors.append(f"{where}{path}: {e.message[:300]}")
            errors += [f"{where}{path}: {m}" for m in gap or []]
        return errors
    known = ", ".join([*comparisons, "Not", "Or", "In"])
    return [f"{where}: unknown condition type {json.dumps(kind)} (known: {known})"]


def property_files_errors(step: dict[str, Any]) -> list[str]:
    """A Processing step's PropertyFiles, exactly as SDK 2.257.7 writes them."""
    files = step["PropertyFiles"]
    if not isinstance(files, list) or not files:
        return ["PropertyFiles must be a non-empty list"]
    config = step.get("Arguments", {}).get("ProcessingOutputConfig", {})
    outputs = [o.get("OutputName") for o in config.get("Outputs", []) if isinstance(o, dict)]
    errors, seen = [], set()
    for i, f in enumerate(files):
        if not isinstance(f, dict) or set(f) != PROPERTY_FILE_KEYS:
            keys = sorted(f) if isinstance(f, dict) else json.dumps(f)[:100]
            errors.append(f"PropertyFiles[{i}]: must have exactly the keys {sorted(PROPERTY_FILE_KEYS)}, not {keys}")
            continue
        bad = [k for k in sorted(PROPERTY_FILE_KEYS) if not isinstance(f[k], str) or not f[k]]
        if bad:
            errors.append(f"PropertyFiles[{i}]: {bad} must be non-empty strings")
            continue
        if f["OutputName"] not in outputs:
            errors.append(
                f"PropertyFiles[{i}]: OutputName {f['OutputName']!r} is not one of the step's outputs {outputs}"
            )
        if f["PropertyFileName"] in seen:
            errors.append(f"PropertyFiles[{i}]: PropertyFileName {f['PropertyFileName']!r} is declared twice")
        seen.add(f["PropertyFileName"])
    return errors


def step_schema_errors(ctx: Context, step: dict[str, Any]) -> list[str]:
    """One step against its step schema, without the steps nested in it."""
    name, kind = step.get("Name"), step.get("Type")
    if kind not in STEP_SCHEMAS:
        return [f"step {name}: unknown step type {json.dumps(kind)} (known: {', '.join(STEP_SCHEMAS)})"]
    checked = own(step)
    errors = []
    if kind == "Processing" and "PropertyFiles" in step:
        checked = {k: v for k, v in step.items() if k != "PropertyFiles"}
        errors += [f"step {name}: {m}" for m in property_files_errors(step)]
    if kind == "Fail" and isinstance(step.get("Arguments"), dict) and set(step["Arguments"]) != {"ErrorMessage"}:
        errors.append(
            f"step {name}: a Fail step's Arguments hold exactly ErrorMessage, not {sorted(step['Arguments'])}"
        )
    conditions = checked.get("Arguments", {}).get("Conditions") if kind == "Condition" else None
    for e in validator(ctx.schema, STEP_SCHEMAS[kind]).iter_errors(checked):
        path = list(e.absolute_path)
        if isinstance(conditions, list) and len(path) >= 3 and path[:2] == ["Arguments", "Conditions"]:
            continue  # each condition is checked on its own below
        gap = gap_errors(ctx, e, json_get_ok=kind in JSON_GET_STEPS)
        if gap is None:
            errors.append(f"step {name}: {path}: {e.message[:300]}")
        errors += [f"step {name}: {path}: {m}" for m in gap or []]
    if isinstance(conditions, list):
        for i, cond in enumerate(conditions):
            errors += [f"step {name}: {m}" for m in condition_errors(ctx, cond, f"Conditions[{i}]")]
    return errors


def schema_errors(ctx: Context, definition: dict[str, Any]) -> list[str]:
    schema = ctx.schema
    errors = []
    # The top level on its own; parameters and steps are checked one by one below.
    top = {
        **schema,
        "properties": {**schema["properties"], "Parameters": {"type": "array"}, "Steps": {"type": "array"}},
    }
    for e in jsonschema.Draft7Validator(top).iter_errors(definition):
        errors.append(f"definition: {e.message}")
    for param in definition.get("Parameters", []):
        if param.get("Type") not in PARAM_SCHEMAS:
            errors.append(f"parameter {param.get('Name')}: unknown parameter type {json.dumps(param.get('Type'))}")
            continue
        for e in validator(schema, PARAM_SCHEMAS[param["Type"]]).iter_errors(param):
            if gap_errors(ctx, e, json_get_ok=False) is None:
                errors.append(f"parameter {param['Name']}: {list(e.absolute_path)}: {e.message}")
    for step in nested_steps(definition.get("Steps")):
        errors += step_schema_errors(ctx, step)
    return errors


def placeholder(value: Any, shape: Any) -> Any:
    """The value with each expression replaced by a value of the type `shape` takes."""
    if is_expression(value):
        return {"integer": 1, "long": 1, "float": 1.0, "double": 1.0, "boolean": True}.get(shape.type_name, "x")
    if shape.type_name == "structure" and isinstance(value, dict):
        return {k: placeholder(v, shape.members[k]) if k in shape.members else v for k, v in value.items()}
    if shape.type_name == "list" and isinstance(value, list):
        return [placeholder(v, shape.member) for v in value]
    if shape.type_name == "map" and isinstance(value, dict):
        return {k: placeholder(v, shape.value) for k, v in value.items()}
    return value


def api_errors(definition: dict[str, Any]) -> list[str]:
    model = botocore.session.get_session().get_service_model("sagemaker")
    errors = []
    for step in nested_steps(definition.get("Steps")):
        if step.get("Type") not in OPERATIONS:
            continue  # Condition and Fail have no operation; unknown types fail check 1
        operation, name_member = OPERATIONS[step["Type"]]
        shape = model.operation_model(operation).input_shape
        request = placeholder(copy.deepcopy(step["Arguments"]), shape)
        if name_member is not None:
            request[name_member] = "filled-in-by-sagemaker"
        report = ParamValidator().validate(request, shape)
        if report.has_errors():
            errors.append(f"step {step['Name']} as {operation}: {report.generate_report()}")
    return errors


def get_errors(ctx: Context, owner: str, get: Any, where: str) -> list[str]:
    """Problems of one `Get` outside a Std:JsonGet, read in step `owner`."""
    if not isinstance(get, str):
        return []  # the schema's GetFunction refuses it
    root = get.split(".", 1)[0]
    if root not in GET_ROOTS:
        return [f"step {owner}: {where}: Get {get!r} does not start with one of {[r + '.' for r in GET_ROOTS]}"]
    if root == "Parameters" and get[len("Parameters.") :] not in ctx.params:
        return [f"step {owner}: {where}: Get {get!r} names a parameter that is not declared"]
    if root != "Steps":
        return []
    match = STEP_GET.match(get)
    if not match:
        return [f"step {owner}: {where}: Get {get!r} does not name a step"]
    if match.group(1) not in ctx.steps:
        return [f"step {owner}: {where}: Get {get!r} names step {match.group(1)!r}, which is not in the definition"]
    if match.group(1) == owner:
        return [f"step {owner}: {where}: Get {get!r} reads the step's own properties"]
    if PROPERTY_FILE_GET.fullmatch(get):
        return [f"step {owner}: {where}: Get {get!r} reads a property file outside a Std:JsonGet"]
    return []


def reference_errors(ctx: Context, definition: dict[str, Any]) -> list[str]:
    """Unique step names; every Get and DependsOn names what exists."""
    errors = []
    steps = list(nested_steps(definition.get("Steps")))
    counts = collections.Counter(s.get("Name") for s in steps)
    for name, n in counts.items():
        if n > 1:
            errors.append(f"step {name}: the name is used by {n} steps (nested steps included)")

    def walk(owner: str, value: Any, where: str) -> None:
        if isinstance(value, dict):
            if set(value) == {"Get"}:
                errors.extend(get_errors(ctx, owner, value["Get"], where))
                return
            for key, item in value.items():
                if key == "Std:JsonGet":
                    continue  # its PropertyFile Get: json_get_errors where JsonGet is accepted
                walk(owner, item, f"{where}.{key}" if where else key)
        elif isinstance(value, list):
            for i, item in enumerate(value):
                walk(owner, item, f"{where}[{i}]")

    for step in steps:
        name = step.get("Name")
        mine = own(step)
        for i, dep in enumerate(mine.get("DependsOn", []) if isinstance(mine.get("DependsOn"), list) else []):
            if dep not in ctx.steps:
                errors.append(f"step {name}: DependsOn[{i}]: {dep!r} is not a step of the definition")
            elif dep == name:
                errors.append(f"step {name}: DependsOn[{i}]: the step depends on itself")
        walk(name, {k: v for k, v in mine.items() if k != "DependsOn"}, "")
    return errors


def main() -> int:
    with open(sys.argv[1]) as f:
        schema = json.load(f)
    failed = False
    for path in sys.argv[2:]:
        with open(path) as f:
            definition = json.load(f)
        ctx = context(schema, definition)
        errors = schema_errors(ctx, definition) + api_errors(definition) + reference_errors(ctx, definition)
        for e in errors:
            print(f"{path}: {e}")
        failed |= bool(errors)
        if not errors:
            top = len(definition["Steps"])
            nested = len(list(nested_steps(definition["Steps"]))) - top
            print(f"{path}: valid ({top} steps{f', {nested} more in branches' if nested else ''})")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
