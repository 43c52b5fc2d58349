"""Abalone evaluation (a SageMaker processing job in the XGBoost image), as in the
SageMaker examples.

Loads the model archive from /opt/ml/processing/input/model, scores the test CSV
(label first, no header) from /opt/ml/processing/input/test, and writes the report
the `mse_ok` condition reads: /opt/ml/processing/output/evaluation/evaluation.json,
`{"regression_metrics": {"mse": {"value": …, "standard_deviation": …}}}`.
"""

import glob
import json
import os
import pickle
import tarfile

import numpy as np
import pandas as pd
import xgboost

MODEL = "/opt/ml/processing/input/model"
TEST = "/opt/ml/processing/input/test"
OUTPUT = "/opt/ml/processing/output/evaluation"


def main() -> None:
    for archive in glob.glob(os.path.join(MODEL, "*.tar.gz")):
        with tarfile.open(archive) as tar:
            tar.extractall(path=".", filter="data")
    with open("xgboost-model", "rb") as f:
        model = pickle.load(f)
    files = sorted(glob.glob(os.path.join(TEST, "**", "*.csv"), recursive=True))
    df = pd.concat(pd.read_csv(f, header=None) for f in files)
    y = df.iloc[:, 0].to_numpy()
    predictions = model.predict(xgboost.DMatrix(df.iloc[:, 1:].values))
    errors = (y - predictions) ** 2
    report = {"regression_metrics": {"mse": {"value": float(np.mean(errors)), "standard_deviation": float(np.std(errors))}}}
    os.makedirs(OUTPUT, exist_ok=True)
    with open(os.path.join(OUTPUT, "evaluation.json"), "w") as f:
        json.dump(report, f)


if __name__ == "__main__":
    main()
