# External tensor data for the ONNX frontend. The server has already checked every external reference (a relative path
# without '..' to a regular file inside the model archive, offset and length within it) before ONNX Runtime opened the
# model; this child is sandboxed to the job's directory. Paths are resolved against the model's own directory.
import os

BASE_DIR = ""  # set by tvm_compile.py to the model file's directory


def uses_external_data(tensor):
    return tensor.HasField("data_location") and tensor.data_location == 1


def load_external_data_for_tensor(tensor, base_dir):
    info = {e.key: e.value for e in tensor.external_data}
    loc = info.get("location", "")
    if not loc or os.path.isabs(loc) or ".." in loc.replace("\\", "/").split("/"):
        raise ValueError("tensor %s: external data location %r is not a relative path inside the archive"
                         % (tensor.name, loc))
    with open(os.path.join(base_dir or BASE_DIR, loc), "rb") as f:
        f.seek(int(info.get("offset", "0")))
        data = f.read(int(info["length"])) if "length" in info else f.read()
    tensor.raw_data = data
    tensor.data_location = 0
    del tensor.external_data[:]
