# Runs in the job's sandbox with Debian's /usr/bin/python3, never in the server: the reference outputs of an uploaded
# TFLite model, computed by Arm NN (Debian python3-pyarmnn, its TfLite parser and the CpuRef backend: plain C++
# reference kernels, independent of TVM) on the verification inputs. request.json names the model, each input's
# files (one per set, raw little-endian) and where to write: ref-<set>-<output>.bin and result.json.
import json
import os
import sys
import traceback

REQ = json.load(open(sys.argv[1]))


def finish(doc):
    with open(REQ["result"], "w") as f:
        json.dump(doc, f)


def fail(kind, message):
    finish({"status": "FAILED", "kind": kind, "message": message[-4000:]})
    sys.exit(3)


try:
    import numpy as np
    import pyarmnn as ann
except Exception as e:
    fail("environment", "Arm NN could not be imported: %s" % e)

try:
    parser = ann.ITfLiteParser()
    network = parser.CreateNetworkFromBinaryFile(REQ["model"])
    input_names = list(parser.GetSubgraphInputTensorNames(0))
    output_names = list(parser.GetSubgraphOutputTensorNames(0))
    runtime = ann.IRuntime(ann.CreationOptions())
    optimized, _ = ann.Optimize(network, [ann.BackendId("CpuRef")], runtime.GetDeviceSpec(),
                                ann.OptimizerOptions())
    net_id, _ = runtime.LoadNetwork(optimized)
except Exception as e:
    fail("load", "%s: %s" % (type(e).__name__, e))

try:
    by_name = {i["name"]: i for i in REQ["inputs"]}
    if sorted(by_name) != sorted(input_names):
        fail("load", "Arm NN sees the inputs %s, the server %s" % (input_names, sorted(by_name)))
    in_bindings = [parser.GetNetworkInputBindingInfo(0, n) for n in input_names]
    out_bindings = [parser.GetNetworkOutputBindingInfo(0, n) for n in output_names]
    outputs = []
    for s in range(len(REQ["inputs"][0]["files"])):
        arrays = []
        for n in input_names:
            spec = by_name[n]
            arrays.append(np.fromfile(spec["files"][s], dtype=spec["dtype"]).reshape(spec["shape"]))
        out_tensors = ann.make_output_tensors(out_bindings)
        runtime.EnqueueWorkload(net_id, ann.make_input_tensors(in_bindings, arrays), out_tensors)
        results = ann.workload_tensors_to_ndarray(out_tensors)
        for k, r in enumerate(results):
            r = np.ascontiguousarray(r)
            r.astype(r.dtype.newbyteorder("<")).tofile(os.path.join(REQ["out_dir"], "ref-%d-%d.bin" % (s, k)))
            if s == 0:
                outputs.append({"name": output_names[k], "dtype": str(r.dtype), "shape": list(r.shape)})
    finish({"status": "OK", "armnn_version": ann.__version__, "outputs": outputs})
except SystemExit:
    raise
except Exception as e:
    fail("run", "%s: %s\n%s" % (type(e).__name__, e, traceback.format_exc(limit=3)))
