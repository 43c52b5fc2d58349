"""Splits the day's raw churn records into train and test sets (a processing job)."""

import argparse
import glob
import os

import pandas as pd

from churn.columns import FEATURES

INPUT = "/opt/ml/processing/input/raw"
OUTPUT = "/opt/ml/processing/output"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--label", required=True)
    args = parser.parse_args()
    frames = [pd.read_csv(path) for path in sorted(glob.glob(os.path.join(INPUT, "*.csv")))]
    data = pd.concat(frames)[[args.label, *FEATURES]]
    test = data.sample(frac=0.2, random_state=0)
    train = data.drop(test.index)
    for name, frame in (("train", train), ("test", test)):
        os.makedirs(os.path.join(OUTPUT, name), exist_ok=True)
        frame.to_csv(os.path.join(OUTPUT, name, f"{name}.csv"), header=False, index=False)


if __name__ == "__main__":
    main()
