#!/usr/bin/python3
"""Times xgboost's own Python predict on one thread, with the same protocol as the C drivers (bench_common.h).

    OMP_NUM_THREADS=1 /usr/bin/python3 bench/xgboost/bench_python.py MODEL_JSON ROWS_10000_F32 OUT_DIR \
        [B1_CALLS] [REPS_10K]

Two paths, each at batch 1 (B1_CALLS calls with one row each, distinct rows cycled, each call timed; median) and
batch 10,000 (REPS_10K calls, median):
  - dmatrix: Booster.predict(DMatrix(x, missing=nan, nthread=1))   (the DMatrix construction is part of each call)
  - inplace: Booster.inplace_predict(x, missing=nan)
Booster nthread = 1. Each call is timed by wall clock (perf_counter) and process CPU time (process_time), like
the C drivers. Writes OUT_DIR/<path>.pred, .margin (10,000 rows, one batch) and .pred1 (the batch-1 calls)
as float32 for compare.py, and prints one RESULT line per path.
"""
import os
import sys
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")
import numpy as np  # noqa: E402
import xgboost as xgb  # noqa: E402

WARM1 = 200
WARM10K = 2


def main():
    model, rows_path, out_dir = sys.argv[1:4]
    b1 = int(sys.argv[4]) if len(sys.argv) > 4 else 10000
    reps = int(sys.argv[5]) if len(sys.argv) > 5 else 30
    bst = xgb.Booster(model_file=model)
    bst.set_param({"nthread": 1})
    nf = bst.num_features()
    x = np.fromfile(rows_path, dtype="<f4").reshape(-1, nf)
    n = x.shape[0]
    singles = [x[i:i + 1] for i in range(n)]  # views made up front, outside the timed region

    paths = {
        "py_dmatrix": lambda a, margin=False: bst.predict(xgb.DMatrix(a, missing=np.nan, nthread=1),
                                                           output_margin=margin),
        "py_inplace": lambda a, margin=False: bst.inplace_predict(a, missing=np.nan,
                                                                   predict_type="margin" if margin else "value"),
    }
    for name, fn in paths.items():
        np.asarray(fn(x, True), dtype="<f4").tofile(os.path.join(out_dir, name + ".margin"))
        np.asarray(fn(x), dtype="<f4").tofile(os.path.join(out_dir, name + ".pred"))

        for i in range(WARM1):
            fn(singles[i % n])
        w1, c1 = np.empty(b1), np.empty(b1)
        out1 = np.empty(b1, dtype="<f4")
        wall, cpu = time.perf_counter, time.process_time
        for i in range(b1):
            a = singles[i % n]
            c0 = cpu()
            t0 = wall()
            p = fn(a)
            t1 = wall()
            cc = cpu()
            w1[i], c1[i] = t1 - t0, cc - c0
            out1[i] = p[0]
        out1.tofile(os.path.join(out_dir, name + ".pred1"))

        for _ in range(WARM10K):
            fn(x)
        wk, ck = np.empty(reps), np.empty(reps)
        for i in range(reps):
            c0 = cpu()
            t0 = wall()
            fn(x)
            t1 = wall()
            cc = cpu()
            wk[i], ck[i] = t1 - t0, cc - c0
        q90 = np.sort(w1)[int(0.9 * (b1 - 1) + 0.5)]
        print(f"RESULT name={name} batch1_us={np.median(w1) * 1e6:.3f} batch1_p90_us={q90 * 1e6:.3f} "
              f"batch1_cpu_us={np.median(c1) * 1e6:.3f} batch10k_ms={np.median(wk) * 1e3:.3f} "
              f"batch10k_cpu_ms={np.median(ck) * 1e3:.3f} rows={n}", flush=True)

if __name__ == "__main__":
    main()
