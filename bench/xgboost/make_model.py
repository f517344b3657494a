#!/usr/bin/python3
"""Trains the XGBoost benchmark models and writes the benchmark rows, all into OUT_DIR (not the repo).

    /usr/bin/python3 bench/xgboost/make_model.py OUT_DIR [--trees 200] [--depth 6] [--objective binary:logistic]
                                                        [--name model] [--no-rows]

Writes, with fixed seeds (the same files on every run with the same xgboost/numpy):
    OUT_DIR/<name>.json         the model (xgboost JSON format)
    OUT_DIR/rows_1.f32          1 row  x 50 features, float32 little-endian, row-major, NaN = missing
    OUT_DIR/rows_10000.f32      10,000 rows x 50 features, same format (row 0 = rows_1.f32)
    OUT_DIR/<name>.info         one line of JSON: objective, trees, nodes, leaves, NaN fraction

About 5 % of the feature values are NaN, in training and in the benchmark rows, so the default directions are
exercised. The benchmark rows are drawn from the same distribution as the training data, plus ~1 % of values
snapped to one of the model's own split thresholds (the x == threshold edge case).
"""
import argparse
import json
import os
import sys

import numpy as np
import xgboost as xgb

NUM_FEATURE = 50
NAN_FRACTION = 0.05


def features(rng, n):
    x = rng.standard_normal((n, NUM_FEATURE)).astype(np.float32)
    x[rng.random(x.shape) < NAN_FRACTION] = np.nan
    return x


def target(x, objective):
    z = np.nan_to_num(x, nan=0.0).astype(np.float64)
    s = (np.sin(z[:, 0] * 2) + z[:, 1] * z[:, 2] + np.abs(z[:, 3]) - 0.5 * z[:, 4] ** 2
         + 0.3 * z[:, 5:15].sum(axis=1) + np.where(np.isnan(x[:, 6]), 1.0, 0.0))
    if objective.startswith("binary:"):
        return (s + 0.5 * np.random.default_rng(1).standard_normal(len(s)) > 0.5).astype(np.float32)
    return s.astype(np.float32)


def thresholds(model_json):
    out = []
    for t in model_json["learner"]["gradient_booster"]["model"]["trees"]:
        for i, left in enumerate(t["left_children"]):
            if left != -1:
                out.append((t["split_indices"][i], np.float32(t["split_conditions"][i])))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out_dir")
    ap.add_argument("--trees", type=int, default=200)
    ap.add_argument("--depth", type=int, default=6)
    ap.add_argument("--objective", default="binary:logistic")
    ap.add_argument("--name", default="model")
    ap.add_argument("--train-rows", type=int, default=20000)
    ap.add_argument("--no-rows", action="store_true", help="only the model (for the compile-time model)")
    a = ap.parse_args()
    os.makedirs(a.out_dir, exist_ok=True)

    rng = np.random.default_rng(20240607)
    x = features(rng, a.train_rows)
    y = target(x, a.objective)
    params = {"objective": a.objective, "max_depth": a.depth, "eta": 0.1, "tree_method": "hist",
              "seed": 7, "nthread": 1, "min_child_weight": 0.0, "subsample": 1.0}
    booster = xgb.train(params, xgb.DMatrix(x, label=y, missing=np.nan), num_boost_round=a.trees)
    model_path = os.path.join(a.out_dir, a.name + ".json")
    booster.save_model(model_path)

    with open(model_path) as f:
        mj = json.load(f)
    trees = mj["learner"]["gradient_booster"]["model"]["trees"]
    nodes = sum(len(t["left_children"]) for t in trees)
    leaves = sum(sum(1 for c in t["left_children"] if c == -1) for t in trees)
    info = {"objective": a.objective, "trees": len(trees), "max_depth": a.depth, "nodes": nodes, "leaves": leaves,
            "num_feature": NUM_FEATURE, "nan_fraction": NAN_FRACTION, "xgboost": xgb.__version__,
            "base_score": mj["learner"]["learner_model_param"]["base_score"]}
    with open(os.path.join(a.out_dir, a.name + ".info"), "w") as f:
        f.write(json.dumps(info) + "\n")

    if not a.no_rows:
        rows = features(np.random.default_rng(424242), 10000)
        th = thresholds(mj)
        snap = np.random.default_rng(99).random(rows.shape[0]) < 0.5
        pick = np.random.default_rng(100)
        for r in np.nonzero(snap)[0]:  # on half of the rows, one value equals a real split threshold
            fi, t = th[pick.integers(len(th))]
            rows[r, fi] = t
        rows = np.ascontiguousarray(rows, dtype="<f4")
        rows.tofile(os.path.join(a.out_dir, "rows_10000.f32"))
        rows[:1].tofile(os.path.join(a.out_dir, "rows_1.f32"))
    print(json.dumps(info))


if __name__ == "__main__":
    sys.exit(main())
