"""Split customer snapshots into train and validation CSV for XGBoost.

Reads Parquet from /opt/ml/processing/input/rows; writes headerless CSV with the
label first (the XGBoost built-in algorithm's format) to
/opt/ml/processing/output/train and /opt/ml/processing/output/validation.
Snapshots after --train-end are held out; of the rest, --validation-fraction is
sampled (seeded) for validation.
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
    parser.add_argument("--validation-fraction", type=float, default=0.2)
    args = parser.parse_args()

    files = [f for f in glob.glob(os.path.join(INPUT, "**", "*"), recursive=True) if os.path.isfile(f)]
    rows = pd.concat([pd.read_parquet(f) for f in sorted(files)], ignore_index=True)
    rows = rows[pd.to_datetime(rows["snapshot_date"]) <= pd.Timestamp(args.train_end)]

    features = [c for c in rows.columns if c not in (args.label, "customer_id", "snapshot_date")]
    table = rows[[args.label, *features]].astype(float)
    validation = table.sample(frac=args.validation_fraction, random_state=42)
    train = table.drop(validation.index)

    for name, part in (("train", train), ("validation", validation)):
        folder = os.path.join(OUTPUT, name)
        os.makedirs(folder, exist_ok=True)
        part.to_csv(os.path.join(folder, f"{name}.csv"), header=False, index=False)
        print(f"{name}: {len(part)} rows")


if __name__ == "__main__":
    main()
