"""The callable of tests/targets/python_job.mlp: prints what it was given, as JSON."""

import json


def validate(mode, level, strict, data, report):
    print(json.dumps({"mode": mode, "level": level, "strict": strict, "data": data, "report": report}))
