"""Abalone preprocessing (a SageMaker processing job), as in the SageMaker examples.

Reads the raw CSV from /opt/ml/processing/input/raw (the S3 URI the run was given),
one-hot encodes `sex`, scales the numeric columns and writes train, validation and
test CSV files (label first, no header) under /opt/ml/processing/output/<name>.
"""

import glob
import os

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

INPUT = "/opt/ml/processing/input/raw"
OUTPUT = "/opt/ml/processing/output"
FEATURES = ["sex", "length", "diameter", "height", "whole_weight", "shucked_weight", "viscera_weight", "shell_weight"]
LABEL = "rings"


def main() -> None:
    files = sorted(glob.glob(os.path.join(INPUT, "**", "*.csv"), recursive=True))
    df = pd.concat(pd.read_csv(f, header=None, names=FEATURES + [LABEL]) for f in files)
    numeric = FEATURES[1:]
    transform = ColumnTransformer(
        [
            ("num", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()), numeric),
            ("cat", make_pipeline(SimpleImputer(strategy="most_frequent"), OneHotEncoder(handle_unknown="ignore")), ["sex"]),
        ]
    )
    y = df.pop(LABEL).to_numpy().reshape(-1, 1)
    X = transform.fit_transform(df)
    data = np.random.default_rng(0).permutation(np.concatenate((y, X), axis=1))
    n = len(data)
    splits = {
        "train": data[: int(0.7 * n)],
        "validation": data[int(0.7 * n) : int(0.85 * n)],
        "test": data[int(0.85 * n) :],
    }
    for name, rows in splits.items():
        os.makedirs(os.path.join(OUTPUT, name), exist_ok=True)
        pd.DataFrame(rows).to_csv(os.path.join(OUTPUT, name, f"{name}.csv"), header=False, index=False)


if __name__ == "__main__":
    main()
