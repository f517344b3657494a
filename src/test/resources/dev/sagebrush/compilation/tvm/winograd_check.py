# Run by TvmWinogradTest in the TVM child (TvmWorker), with tvm_build.py and tvm_winograd.py copied beside it.
# Compiles single 3x3 convolutions (alone, or with bias, ReLU and a residual add fused after them) through
# tvm_build for x86 targets, runs them, and compares with a float64 numpy convolution. Prints one JSON line per case:
# whether the compiled graph used Winograd, and the largest error relative to the output's largest magnitude.
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(sys.argv[0])))
import numpy as np
import tvm
from tvm import relay
from tvm.contrib import graph_executor

import tvm_build

tvm_build.install()
CASES = json.load(open(sys.argv[1]))["cases"]


def reference(x, w, b, pads, strides, residual, relu):
    top, left, bottom, right = pads
    xp = np.pad(x.astype(np.float64), ((0, 0), (0, 0), (top, bottom), (left, right)))
    n, _, h, wd = xp.shape
    oh, ow = h - 2, wd - 2
    out = np.zeros((n, w.shape[0], oh, ow))
    for ky in range(3):
        for kx in range(3):
            out += np.einsum("nchw,oc->nohw", xp[:, :, ky:ky + oh, kx:kx + ow], w[:, :, ky, kx].astype(np.float64))
    out = out[:, :, ::strides[0], ::strides[1]] + b.astype(np.float64)[None, :, None, None]
    if residual is not None:
        out += residual
    return np.maximum(out, 0) if relu else out


for case in CASES:
    n, ci, co, h, w = case["n"], case["in"], case["out"], case["h"], case["w"]
    pads, strides = case["pads"], tuple(case.get("strides", [1, 1]))
    rng = np.random.RandomState(5)
    x_np = rng.standard_normal((n, ci, h, w)).astype("float32")
    w_np = (rng.standard_normal((co, ci, 3, 3)) / np.sqrt(9 * ci)).astype("float32")
    b_np = rng.standard_normal(co).astype("float32")
    x = relay.var("x", shape=x_np.shape, dtype="float32")
    y = relay.nn.conv2d(x, relay.const(w_np), strides=strides, padding=pads, channels=co, kernel_size=(3, 3))
    bare = case.get("bare", False)   # the convolution alone: no elementwise tail fused after it
    if bare:
        b_np = np.zeros(co, dtype="float32")
    else:
        y = relay.nn.bias_add(y, relay.const(b_np))
    oh, ow = (h + pads[0] + pads[2] - 3) // strides[0] + 1, (w + pads[1] + pads[3] - 3) // strides[1] + 1
    res_np = None
    if case.get("residual"):
        res_np = rng.standard_normal((n, co, oh, ow)).astype("float32")
        y = relay.add(y, relay.const(res_np))
    if not bare:
        y = relay.nn.relu(y)
    mod = tvm.IRModule.from_expr(relay.Function([x], y))
    factory = tvm_build.build(mod, "llvm -mtriple=x86_64-linux-gnu -mcpu=" + case["cpu"], {})
    gm = graph_executor.GraphModule(factory["default"](tvm.cpu(0)))
    gm.set_input("x", x_np)
    gm.run()
    got = gm.get_output(0).numpy()
    want = reference(x_np, w_np, b_np, pads, strides, res_np, not bare)
    print("CASE " + json.dumps({"name": case["name"], "winograd": "winograd" in factory.get_graph_json(),
                                "shape": list(got.shape), "want_shape": list(want.shape),
                                "rel_err": float(np.max(np.abs(got - want)) / np.max(np.abs(want)))}))
