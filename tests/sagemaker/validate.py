"""Structural validation of mlpc's SageMaker Pipeline definitions.

Usage: validate.py SCHEMA DEFINITION.json...

Two independent checks, both must pass:

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
   - `Environment` in a training step's Arguments (CreateTrainingJob has taken it
     since 2020; check 2 validates it);
   - a `DatasetDefinition` processing input (the schema knows only S3Input; check 2
     validates it against the API model).
2. The API model botocore ships: each step's Arguments must be a valid request of its
   operation (CreateProcessingJob, CreateTrainingJob, CreateTransformJob, CreateModel)
   once the names SageMaker chooses are filled in and each expression is replaced by
   a placeholder of the type the field takes.
"""

from __future__ import annotations

import copy
import json
import sys
from typing import Any

import botocore.session
import jsonschema
from botocore.validate import ParamValidator

STEP_SCHEMAS = {
    "Processing": "ProcessingStep",
    "Training": "TrainingStep",
    "Transform": "TransformStep",
    "Model": "CreateModelStep",
}
PARAM_SCHEMAS = {
    "String": "StringParameter",
    "Integer": "IntegerParameter",
    "Float": "FloatParameter",
    "Boolean": "BooleanParameter",
}
# Step type -> (operation, the name member SageMaker fills in itself).
OPERATIONS = {
    "Processing": ("CreateProcessingJob", "ProcessingJobName"),
    "Training": ("CreateTrainingJob", "TrainingJobName"),
    "Transform": ("CreateTransformJob", "TransformJobName"),
    "Model": ("CreateModel", "ModelName"),
}


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


def documented_gap(schema: dict[str, Any], error: jsonschema.ValidationError) -> bool:
    path = list(error.absolute_path)
    value = error.instance
    if error.validator == "additionalProperties" and "'EnumValues' was unexpected" in error.message:
        return True
    if path and path[-1] == "ExceptionType" and isinstance(value, list):
        allowed = schema["definitions"]["RetryPolicy"]["properties"]["ExceptionType"]["enum"]
        return bool(value) and all(v in allowed for v in value)
    if is_expression(value):
        if "Get" in value:
            return not list(validator(schema, "GetFunction").iter_errors(value))
        return not list(validator(join_schema(schema), "FixedJoinFunction").iter_errors(value))
    if (
        error.validator == "additionalProperties"
        and error.message == "Additional properties are not allowed ('Environment' was unexpected)"
    ):
        return path == ["Arguments"] and "TrainingJobName" not in value and "AlgorithmSpecification" in value
    if error.validator == "additionalProperties" and "'DatasetDefinition' was unexpected" in error.message:
        return set(value) <= {"InputName", "AppManaged", "DatasetDefinition"}
    return False


def schema_errors(schema: dict[str, Any], definition: dict[str, Any]) -> list[str]:
    errors = []
    # The top level on its own; parameters and steps are checked one by one below.
    top = {
        **schema,
        "properties": {**schema["properties"], "Parameters": {"type": "array"}, "Steps": {"type": "array"}},
    }
    for e in jsonschema.Draft7Validator(top).iter_errors(definition):
        errors.append(f"definition: {e.message}")
    for param in definition.get("Parameters", []):
        for e in validator(schema, PARAM_SCHEMAS[param["Type"]]).iter_errors(param):
            if not documented_gap(schema, e):
                errors.append(f"parameter {param['Name']}: {list(e.absolute_path)}: {e.message}")
    for step in definition["Steps"]:
        for e in validator(schema, STEP_SCHEMAS[step["Type"]]).iter_errors(step):
            if not documented_gap(schema, e):
                errors.append(f"step {step['Name']}: {list(e.absolute_path)}: {e.message[:300]}")
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
    for step in definition["Steps"]:
        operation, name_member = OPERATIONS[step["Type"]]
        shape = model.operation_model(operation).input_shape
        request = placeholder(copy.deepcopy(step["Arguments"]), shape)
        request[name_member] = "filled-in-by-sagemaker"
        report = ParamValidator().validate(request, shape)
        if report.has_errors():
            errors.append(f"step {step['Name']} as {operation}: {report.generate_report()}")
    return errors


def main() -> int:
    with open(sys.argv[1]) as f:
        schema = json.load(f)
    failed = False
    for path in sys.argv[2:]:
        with open(path) as f:
            definition = json.load(f)
        errors = schema_errors(schema, definition) + api_errors(definition)
        for e in errors:
            print(f"{path}: {e}")
        failed |= bool(errors)
        if not errors:
            print(f"{path}: valid ({len(definition['Steps'])} steps)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
