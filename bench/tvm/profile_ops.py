# Per-operator time of a TVM artifact (DLR layout) as it runs in the graph, not in isolation: TVM's debug executor
# profiles whole runs (each operator once, in graph order, so it finds its inputs where the previous operator left
# them), and the minimum over RUNS runs is kept per operator. (run_individual, which repeats each operator on warm
# caches, under-reports the memory-bound ones.) Run through bench/tvm/tvm_python.sh:
#
#   bench/tvm/tvm_python.sh WORK_DIR bench/tvm/profile_ops.py INPUT SHAPE ARTIFACT_DIR [RUNS]
#   e.g. ... image 1,3,224,224 WORK_DIR/mobilenet_v2/ml_c5/artifact 100
#
# Prints the sums, then one line per operator: minimum and median microseconds, fused function, argument shapes.
# With COLD=1 in the environment every run starts on cold caches (64 MB written first), as in TvmVsOrt when a model
# takes longer than its 25 ms batch and each TVM call follows an ONNX Runtime call.
import json
import os
import sys

import numpy as np
import tvm
from tvm.contrib.debugger import debug_executor

args = json.load(open(sys.argv[1]))
name, shape, art = args[0], tuple(int(x) for x in args[1].split(",")), args[2]
runs = int(args[3]) if len(args) > 3 else 50
lib = tvm.runtime.load_module(os.path.join(art, "compiled.so"))
dump = os.path.join("/tmp", "tvm-profile-ops-%d" % os.getpid())
gm = debug_executor.create(open(os.path.join(art, "compiled_model.json")).read(), lib, tvm.cpu(0), dump_root=dump)
gm.load_params(bytearray(open(os.path.join(art, "compiled.params"), "rb").read()))
gm.set_input(name, np.random.RandomState(7).standard_normal(shape).astype("float32"))
gm.profile()   # warm-up (the debug executor's run() would print its own table)
ops, best, every = None, None, []
junk = np.zeros(16 << 20, dtype="float32") if os.environ.get("COLD") == "1" else None
for _ in range(runs):
    if junk is not None:
        junk += 1.0
    calls = json.loads(gm.profile().json())["calls"]
    times = [c["Duration (us)"]["microseconds"] for c in calls]
    if ops is None:
        ops = [(c["Name"]["string"], c.get("Argument Shapes", {}).get("string", "")) for c in calls]
        best = times
    else:
        best = [min(a, b) for a, b in zip(best, times)]
    every.append(times)
gm.exit()
median = np.median(np.array(every), axis=0)
print("TOTAL_US %.1f (sum of minima) %.1f (sum of medians) median run %.1f operators %d runs %d cold %s"
      % (sum(best), median.sum(), float(np.median(np.array(every).sum(axis=1))), len(best), runs, junk is not None))
for (op, shapes), t, m in zip(ops, best, median):
    print("%9.1f %9.1f  %s  %s" % (t, m, op, shapes))
