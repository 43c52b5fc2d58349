"""Split churn rows by time into XGBoost-ready CSV files (a SageMaker processing job).

SageMaker processing conventions used by mlpc:
  inputs   /opt/ml/processing/input/<input name>   (here: rows, Parquet files)
  outputs  /opt/ml/processing/output/<output name> (here: train and test)
  code     /opt/ml/processing/input/code

Rows up to --train-end (a YYYY-MM month, inclusive) go to train, later rows to test.
The label is written as the first column and there is no header, as the XGBoost
built-in algorithm expects.
"""

import argparse
import glob
import os

import pandas as pd

INPUT = "/opt/ml/processing/input/rows"
OUTPUT = "/opt/ml/processing/output"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--label", required=True)
    parser.add_argument("--train-end", required=True)
    args = parser.parse_args()

    files = sorted(glob.glob(os.path.join(INPUT, "**", "*"), recursive=True))
    frames = [pd.read_parquet(f) for f in files if os.path.isfile(f)]
    rows = pd.concat(frames, ignore_index=True)

    month = pd.to_datetime(rows["timestamp"]).dt.strftime("%Y-%m")
    features = [c for c in rows.columns if c not in (args.label, "timestamp")]
    ordered = rows[[args.label, *features]]

    for name, part in (("train", ordered[month <= args.train_end]), ("test", ordered[month > args.train_end])):
        folder = os.path.join(OUTPUT, name)
        os.makedirs(folder, exist_ok=True)
        part.to_csv(os.path.join(folder, f"{name}.csv"), header=False, index=False)
        print(f"{name}: {len(part)} rows")


if __name__ == "__main__":
    main()
