"""Runs a `.mlp` python step as a SageMaker processing job (shipped by mlpc).

Usage: python3 mlpc_runner.py MODULE FUNCTION [ARG ...] -- [NAME=S3_URI ...]

Each ARG carries its type: `s:text`, `i:42`, `f:0.5`, `b:true`. The step's code file, if
it has one, is the processing input `code`, whose folder goes first on the import path; a
code folder arrives packed as `sourcedir.tar.gz` there and is unpacked in place first.
The function gets the args positionally and each input and output of the step as a
keyword argument holding its S3 URI, as on every target; it reads and writes S3 itself.
"""

import importlib
import os
import sys
import tarfile

# The processing input `code`, beside this script's own input folder:
# /opt/ml/processing/input/code next to /opt/ml/processing/input/mlpc_runner.
CODE_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "code")
ARCHIVE = os.path.join(CODE_DIR, "sourcedir.tar.gz")


def unpack(archive, into):
    """Unpacks a code folder's archive, refusing members that would land outside it."""
    with tarfile.open(archive) as tar:
        try:
            tar.extractall(into, filter="data")
        except TypeError:  # Python before 3.12 without the backported filters
            tar.extractall(into)


def value(tagged):
    kind, _, text = tagged.partition(":")
    if kind == "s":
        return text
    if kind == "i":
        return int(text)
    if kind == "f":
        return float(text)
    if kind == "b":
        return text == "true"
    raise SystemExit(f"mlpc_runner: an argument without a type: {tagged!r}")


def main(argv):
    module, function, *rest = argv
    split = rest.index("--")
    args = [value(a) for a in rest[:split]]
    kwargs = dict(item.split("=", 1) for item in rest[split + 1 :])
    if os.path.exists(ARCHIVE):
        unpack(ARCHIVE, CODE_DIR)
    sys.path.insert(0, CODE_DIR)
    return getattr(importlib.import_module(module), function)(*args, **kwargs)


if __name__ == "__main__":
    main(sys.argv[1:])
