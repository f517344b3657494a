# Times a DLR graph-executor artifact with TVM's own graph executor, one thread (TVM_NUM_THREADS=1 is set by the
# launcher). Runs inside TvmWorker (TVM 0.18 in its embedded CPython). argv[1]: {"dir": ..., "inputs": {name: shape},
# "number": N, "repeat": R}. Prints "RESULT median_us=... min_us=..." over the repeats (each the mean of N runs).
import json
import sys

import numpy as np
import tvm
from tvm.contrib import graph_executor

req = json.load(open(sys.argv[1]))
d = req["dir"]
lib = tvm.runtime.load_module(d + "/compiled.so")
gm = graph_executor.create(open(d + "/compiled_model.json").read(), lib, tvm.cpu(0))
gm.load_params(bytearray(open(d + "/compiled.params", "rb").read()))
rng = np.random.default_rng(7)
for name, shape in req["inputs"].items():
    gm.set_input(name, rng.standard_normal(shape).astype("float32"))
gm.run()
ft = gm.module.time_evaluator("run", tvm.cpu(0), number=req["number"], repeat=req["repeat"], min_repeat_ms=0)
res = np.array(ft().results) * 1e6
print("RESULT median_us=%.2f min_us=%.2f" % (np.median(res), res.min()))
