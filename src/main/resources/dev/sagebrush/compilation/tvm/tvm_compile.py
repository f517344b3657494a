# Runs inside the TVM child process (TvmWorker: a JVM of its own embedding CPython 3.13 with TVM 0.18), never in
# the server. Reads request.json, compiles the model with Relay for one LLVM target and writes DLR's graph-executor
# layout, the way Neo exported it (the factory module of relay.build is never exported: DLR cannot load it):
#   compiled.so          factory.get_lib().export_library(cc=<the target's gcc>)
#   compiled_model.json  factory.get_graph_json()
#   compiled.params      tvm.runtime.save_param_dict(factory.get_params())
# For an x86_64 target it then loads those three files back the way DLR does (runtime.load_module, a fresh graph
# executor from the JSON, load_params) and runs the verification inputs. result.json tells the server what happened;
# Failures are reported in result.json with their kind (frontend, build, ...) and message.
import json
import os
import sys
import time
import traceback


def fail(kind, message):
    with open(REQ["result"], "w") as f:
        json.dump({"status": "FAILED", "kind": kind, "message": message}, f)
    sys.exit(3)


REQ = json.load(open(sys.argv[1]))
OUT = REQ["out"]

try:
    import numpy as np
    import tvm
    from tvm import relay
    sys.path.insert(0, os.path.dirname(os.path.abspath(sys.argv[0])))
    import tvm_build  # build options and schedule defaults, copied beside this script
except Exception as e:  # the embedded Python could not import TVM
    fail("environment", "TVM could not be imported in the compiler process: %s" % e)


def load_onnx(path, shapes, dtypes):
    import onnx  # the pure-Python stand-in on PYTHONPATH (onnx_ml_pb2 + numpy_helper from Debian's python3-onnx)
    from onnx import external_data_helper
    external_data_helper.BASE_DIR = os.path.dirname(os.path.abspath(path))
    model = onnx.ModelProto()
    with open(path, "rb") as f:
        model.ParseFromString(f.read())
    return relay.frontend.from_onnx(model, shape=shapes, dtype=dtypes, freeze_params=True)


def load_tflite(path, shapes, dtypes):
    import tflite  # flatc --python output of TFLite's schema, on PYTHONPATH
    with open(path, "rb") as f:
        buf = f.read()
    model = tflite.Model.GetRootAsModel(buf, 0)
    mod, params = relay.frontend.from_tflite(model, shape_dict=shapes, dtype_dict=dtypes)
    import tflite_rounding  # copied beside this script: quantized averages rounded as TFLite rounds them
    return tflite_rounding.apply(mod), params


def main():
    t0 = time.time()
    names = [i["name"] for i in REQ["inputs"]]
    shapes = {i["name"]: tuple(i["shape"]) for i in REQ["inputs"]}
    dtypes = {i["name"]: i["dtype"] for i in REQ["inputs"]}
    try:
        if REQ["framework"] == "TFLITE":
            mod, params = load_tflite(REQ["model"], shapes, dtypes)
        else:
            mod, params = load_onnx(REQ["model"], shapes, dtypes)
    except Exception as e:
        fail("frontend", "%s: %s" % (type(e).__name__, e))
    t_import = time.time() - t0

    target = tvm.target.Target(REQ["target"])
    t1 = time.time()
    try:
        tvm_build.install()
        factory = tvm_build.build(mod, target, params)
    except Exception as e:
        fail("build", "%s: %s" % (type(e).__name__, e))
    t_build = time.time() - t1

    t2 = time.time()
    so = os.path.join(OUT, "compiled.so")
    factory.get_lib().export_library(so, cc=REQ["cc"], options=REQ.get("cc_options", []))
    graph = factory.get_graph_json()
    with open(os.path.join(OUT, "compiled_model.json"), "w") as f:
        f.write(graph)
    with open(os.path.join(OUT, "compiled.params"), "wb") as f:
        f.write(tvm.runtime.save_param_dict(factory.get_params()))
    t_export = time.time() - t2

    g = json.loads(graph)
    shape_attr = g["attrs"]["shape"][1]
    dtype_attr = g["attrs"]["dltype"][1]
    node_row_ptr = g["node_row_ptr"]
    outputs = []
    for k, (nid, idx, _) in enumerate(g["heads"]):
        eid = node_row_ptr[nid] + idx
        outputs.append({"name": "output_%d" % k, "shape": shape_attr[eid], "dtype": dtype_attr[eid]})

    runs = []
    if REQ.get("run_inputs"):
        # DLR's way: the exported library, a fresh graph executor from the JSON, the params blob.
        from tvm.contrib import graph_executor
        lib = tvm.runtime.load_module(so)
        gm = graph_executor.create(open(os.path.join(OUT, "compiled_model.json")).read(), lib, tvm.cpu(0))
        gm.load_params(bytearray(open(os.path.join(OUT, "compiled.params"), "rb").read()))
        for s, files in enumerate(REQ["run_inputs"]):
            for name, path in zip(names, files):
                arr = np.fromfile(path, dtype=dtypes[name]).reshape(shapes[name])
                gm.set_input(name, arr)
            gm.run()
            outs = []
            for k in range(gm.get_num_outputs()):
                p = os.path.join(REQ["run_dir"], "tvm-run-%d-out-%d.bin" % (s, k))
                gm.get_output(k).numpy().tofile(p)
                outs.append(p)
            runs.append(outs)

    with open(REQ["result"], "w") as f:
        json.dump({"status": "OK", "tvm_version": tvm.__version__, "target": str(target),
                   "import_seconds": t_import, "build_seconds": t_build, "export_seconds": t_export,
                   "outputs": outputs, "runs": runs}, f)


try:
    main()
except SystemExit:
    raise
except BaseException as e:
    fail("internal", "%s: %s\n%s" % (type(e).__name__, e, traceback.format_exc(limit=5)))
