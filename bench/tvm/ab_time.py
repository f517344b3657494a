# Two or more TVM artifacts of the same model timed against each other in one process, interleaved batch by batch
# (order alternating), in the calling thread's CPU time: how much a schedule change gained, without ONNX Runtime's
# share of the noise. Run through bench/tvm/tvm_python.sh:
#
#   bench/tvm/tvm_python.sh WORK_DIR bench/tvm/ab_time.py INPUT SHAPE BATCHES DIR_A DIR_B [DIR_C ...]
#
# Prints per artifact the median and minimum over BATCHES of the mean call (~25 ms of calls per batch), the largest
# output difference from DIR_A (absolute and relative to DIR_A's largest output), and the ratios A / each other.
import json
import os
import sys
import time

import numpy as np
import tvm
from tvm.contrib import graph_executor

args = json.load(open(sys.argv[1]))
name, shape, batches, dirs = args[0], tuple(int(x) for x in args[1].split(",")), int(args[2]), args[3:]
x = np.random.RandomState(7).standard_normal(shape).astype("float32")
gms = []
for d in dirs:
    lib = tvm.runtime.load_module(os.path.join(d, "compiled.so"))
    gm = graph_executor.create(open(os.path.join(d, "compiled_model.json")).read(), lib, tvm.cpu(0))
    gm.load_params(bytearray(open(os.path.join(d, "compiled.params"), "rb").read()))
    gm.set_input(name, x)
    gm.run()
    gms.append(gm)
outs = [gm.get_output(0).numpy() for gm in gms]
for d, o in zip(dirs, outs):
    diff = float(np.abs(o - outs[0]).max())
    print("OUTPUT %s maxdiff %.3g relative %.3g" % (d, diff, diff / max(float(np.abs(outs[0]).max()), 1e-30)))
t = time.perf_counter()
gms[0].run()
calls = max(1, int(0.025 / max(time.perf_counter() - t, 1e-6)))
cpu = [[] for _ in gms]
for b in range(batches):
    for k in (range(len(gms)) if b % 2 == 0 else reversed(range(len(gms)))):
        t = time.thread_time()
        for _ in range(calls):
            gms[k].run()
        cpu[k].append((time.thread_time() - t) / calls * 1e6)
stats = [(sorted(c)[len(c) // 2], min(c)) for c in cpu]
for d, (med, lo) in zip(dirs, stats):
    print("TIME %s cpu_us median %.1f min %.1f calls_per_batch %d" % (d, med, lo, calls))
for d, (med, lo) in zip(dirs[1:], stats[1:]):
    print("RATIO %s / %s median %.3f min %.3f" % (dirs[0], d, stats[0][0] / med, stats[0][1] / lo))
