"""Moves a sql step's result to the step's output in a SageMaker processing job (shipped
by mlpc).

Usage: python3 mlpc_sql.py MODE QUERY_DIR OUTPUT_DIR

SageMaker Pipelines has no query step, so on SageMaker a sql step is a processing job
whose input is the query (an Athena or Redshift dataset definition: SageMaker runs it
and puts the result in QUERY_DIR); this script writes it to OUTPUT_DIR, the step's
output, which any step can read. MODE `copy` keeps the files as the engine wrote them
(Parquet; Redshift's CSV); `textfile-to-csv` turns Athena's TEXTFILE (fields separated
by \\x01, `\\N` for NULL, optionally gzip-compressed) into CSV files.
"""

import csv
import gzip
import os
import shutil
import sys


def text_lines(path):
    """The lines of a result file, gunzipped when it is compressed."""
    with open(path, "rb") as f:
        gzipped = f.read(2) == b"\x1f\x8b"
    opener = gzip.open if gzipped else open
    with opener(path, "rt", encoding="utf-8", newline="") as f:
        for line in f:
            yield line.rstrip("\n").rstrip("\r")


def textfile_to_csv(source, target):
    with open(target, "w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        for line in text_lines(source):
            writer.writerow("" if field == "\\N" else field for field in line.split("\x01"))


def main(mode, query_dir, output_dir):
    os.makedirs(output_dir, exist_ok=True)
    count = 0
    for root, _, files in os.walk(query_dir):
        for name in sorted(files):
            source = os.path.join(root, name)
            relative = os.path.relpath(source, query_dir)
            if mode == "copy":
                target = os.path.join(output_dir, relative)
                os.makedirs(os.path.dirname(target), exist_ok=True)
                shutil.copyfile(source, target)
            elif mode == "textfile-to-csv":
                base = relative[: -len(".gz")] if relative.endswith(".gz") else relative
                target = os.path.join(output_dir, base + ".csv")
                os.makedirs(os.path.dirname(target), exist_ok=True)
                textfile_to_csv(source, target)
            else:
                raise SystemExit(f"mlpc_sql: unknown mode {mode!r}")
            count += 1
    print(f"mlpc_sql: {count} result files from {query_dir} to {output_dir} ({mode})")


if __name__ == "__main__":
    main(*sys.argv[1:])
