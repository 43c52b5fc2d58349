"""Turn per-page click counts into one feature row per user (a SageMaker processing job).

Reads Parquet from /opt/ml/processing/input/rows and writes Parquet to
/opt/ml/processing/output/features. MIN_VIEWS (environment) drops rare pages.
"""

import argparse
import glob
import os

import pandas as pd

INPUT = "/opt/ml/processing/input/rows"
OUTPUT = "/opt/ml/processing/output/features"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--day", required=True)
    args = parser.parse_args()
    min_views = int(os.environ.get("MIN_VIEWS", "1"))

    files = [f for f in glob.glob(os.path.join(INPUT, "**", "*"), recursive=True) if os.path.isfile(f)]
    clicks = pd.concat([pd.read_parquet(f) for f in sorted(files)], ignore_index=True)
    clicks = clicks[clicks["views"] >= min_views]

    features = clicks.pivot_table(index="user_id", columns="page", values="views", fill_value=0)
    features.columns = [f"views_{page}" for page in features.columns]
    features["day"] = args.day

    os.makedirs(OUTPUT, exist_ok=True)
    features.reset_index().to_parquet(os.path.join(OUTPUT, f"features-{args.day}.parquet"), index=False)
    print(f"{len(features)} users featurized for {args.day}")


if __name__ == "__main__":
    main()
