#!/usr/bin/python3
"""Checks that the compiled predictor's outputs equal xgboost's, on the benchmark rows.

    /usr/bin/python3 bench/xgboost/compare.py OUT_DIR NAME...

Reads OUT_DIR/compiled.{margin,pred,pred1} and, for every NAME (py_dmatrix, py_inplace, capi_dense, ...),
OUT_DIR/NAME.{margin,pred,pred1}, all float32. Criteria:
  margins (10,000 rows, output_margin): bit-identical
  transformed predictions (10,000 rows, one batch, and the batch-1 calls): max |diff| <= 1e-6
Also checks each predictor's batch-1 outputs against its own batch output. Prints one line per comparison and exits
non-zero on any failure.
"""
import os
import sys

import numpy as np

TOL = 1e-6


def load(out_dir, name, kind):
    return np.fromfile(os.path.join(out_dir, f"{name}.{kind}"), dtype="<f4")


def main():
    out_dir, names = sys.argv[1], sys.argv[2:]
    cm, cp, c1 = (load(out_dir, "compiled", k) for k in ("margin", "pred", "pred1"))
    ok = True
    if not np.array_equal(c1, np.resize(cp, c1.shape)):
        print("FAIL compiled: batch-1 outputs differ from its batch-10000 outputs")
        ok = False
    for name in names:
        m, p, p1 = (load(out_dir, name, k) for k in ("margin", "pred", "pred1"))
        if m.shape != cm.shape or p.shape != cp.shape or p1.shape != c1.shape:
            print(f"FAIL {name}: shapes differ ({m.shape}, {p.shape}, {p1.shape})")
            ok = False
            continue
        mbits = int(np.count_nonzero(m.view("<u4") != cm.view("<u4")))
        mdiff = float(np.max(np.abs(m.astype(np.float64) - cm)))
        pdiff = float(np.max(np.abs(p.astype(np.float64) - cp)))
        pbits = int(np.count_nonzero(p.view("<u4") != cp.view("<u4")))
        p1diff = float(np.max(np.abs(p1.astype(np.float64) - c1)))
        good = mbits == 0 and pdiff <= TOL and p1diff <= TOL
        ok &= good
        print(f"{'OK  ' if good else 'FAIL'} compiled vs {name:<12} rows={cm.size}: margins bit-different={mbits} "
              f"(max |diff| {mdiff:.3g}); predictions max |diff| {pdiff:.3g} (bit-different {pbits}); "
              f"batch-1 predictions ({c1.size} calls) max |diff| {p1diff:.3g}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
