# Run by the TVM child (dev.sagebrush.compilation.tvm.TvmWorker), for quant_accuracy.sh: compiles each quantized test
# model for the host (llvm) with and without tflite_rounding.apply and prints how many quantization steps TVM's
# outputs are from Arm NN's on the same inputs (armnn_outputs.py), as a histogram.
import json
import sys

import numpy as np
import tflite
import tvm
from tvm import relay
from tvm.contrib import graph_executor

REQ = json.load(open(sys.argv[1]))
sys.path.insert(0, REQ["resources"])
import tflite_rounding  # noqa: E402  (the server's resource, src/main/resources/dev/sagebrush/compilation/tvm)

for name, step in REQ["models"]:
    buf = open("%s/%s.tflite" % (REQ["fixtures"], name), "rb").read()
    xs = np.load("%s/%s_x.npy" % (REQ["work"], name))
    ys = np.load("%s/%s_y.npy" % (REQ["work"], name))
    model = tflite.Model.GetRootAsModel(buf, 0)
    subgraph = model.Subgraphs(0)
    in_name = subgraph.Tensors(subgraph.Inputs(0)).Name().decode()
    for variant in ("tvm", "tvm+tflite_rounding"):
        mod, params = relay.frontend.from_tflite(model, shape_dict={in_name: xs.shape[1:]},
                                                 dtype_dict={in_name: str(xs.dtype)})
        if variant != "tvm":
            mod = tflite_rounding.apply(mod)
        with tvm.transform.PassContext(opt_level=3):
            lib = relay.build(mod, target="llvm", params=params)
        gm = graph_executor.GraphModule(lib["default"](tvm.cpu()))
        steps = []
        for x, y in zip(xs, ys):
            gm.set_input(in_name, x)
            gm.run()
            steps.append(np.abs(gm.get_output(0).numpy().astype(np.float64) - y.astype(np.float64)).ravel() / step)
        s = np.rint(np.concatenate(steps)).astype(int)
        values, counts = np.unique(s, return_counts=True)
        print("STEPS model=%s variant=%s values=%d max=%d histogram=%s" % (
            name, variant, s.size, s.max(), ",".join("%d:%d" % (v, c) for v, c in zip(values, counts))), flush=True)
