# PyTorch (TorchScript) -> ONNX, with Debian's python3-torch, in the job's sandbox (never the server). Also runs the
# TorchScript model on the verification inputs: torch's own outputs are the reference the compiled model must match.
#   /usr/bin/python3 torch_to_onnx.py request.json
# request: {"model": path, "onnx": out path, "inputs": [{"name", "shape", "files": [set0.bin, ...]}], "out_dir": dir,
#           "result": path}. result: {"status": "OK", "torch_version", "outputs": [{"name", "shape"}], "sets": n} or
#           {"status": "FAILED", "kind": "load"|"export"|"run", "message"}. Reference outputs: out_dir/ref-<set>-<k>.bin.
import json
import os
import sys

REQ = json.load(open(sys.argv[1]))


def done(obj, code):
    with open(REQ["result"], "w") as f:
        json.dump(obj, f)
    sys.exit(code)


try:
    import numpy as np
    import torch
except Exception as e:  # noqa: BLE001
    done({"status": "FAILED", "kind": "environment", "message": "python3-torch could not be imported: %s" % e}, 3)

torch.set_num_threads(1)
try:
    model = torch.jit.load(REQ["model"], map_location="cpu")
    model.eval()
except Exception as e:  # noqa: BLE001
    done({"status": "FAILED", "kind": "load", "message": "%s: %s" % (type(e).__name__, str(e)[:2000])}, 3)

names = [i["name"] for i in REQ["inputs"]]
example = tuple(torch.zeros(i["shape"], dtype=torch.float32) for i in REQ["inputs"])
try:
    with torch.no_grad():
        out = model(*example)
    outs = list(out) if isinstance(out, (tuple, list)) else [out]
    if not all(isinstance(o, torch.Tensor) for o in outs):
        raise TypeError("the model returns %s; only tensors (or a tuple of tensors) can be compiled" % type(out).__name__)
    out_names = ["output%d" % k for k in range(len(outs))]
    torch.onnx.export(model, example, REQ["onnx"], input_names=names, output_names=out_names, opset_version=13,
                      do_constant_folding=True)
except Exception as e:  # noqa: BLE001
    done({"status": "FAILED", "kind": "export", "message": "%s: %s" % (type(e).__name__, str(e)[:2000])}, 3)

sets = len(REQ["inputs"][0]["files"])
try:
    for s in range(sets):
        args = tuple(torch.from_numpy(np.fromfile(i["files"][s], dtype=np.float32).reshape(i["shape"]))
                     for i in REQ["inputs"])
        with torch.no_grad():
            res = model(*args)
        res = list(res) if isinstance(res, (tuple, list)) else [res]
        for k, t in enumerate(res):
            t.detach().to(torch.float32).contiguous().numpy().tofile(os.path.join(REQ["out_dir"], "ref-%d-%d.bin" % (s, k)))
except Exception as e:  # noqa: BLE001
    done({"status": "FAILED", "kind": "run", "message": "%s: %s" % (type(e).__name__, str(e)[:2000])}, 3)

done({"status": "OK", "torch_version": torch.__version__, "sets": sets,
      "outputs": [{"name": n, "shape": list(o.shape)} for n, o in zip(out_names, outs)]}, 0)
