# Sagebrush's stand-in for the `onnx` package inside TVM's embedded CPython 3.13: Debian's python3-onnx is built for
# CPython 3.11 (its C extension cannot load), but the parts TVM's ONNX frontend uses are pure Python: the generated
# protobuf classes, mapping and numpy_helper (copied from Debian's package next to this file at run time).
from .onnx_ml_pb2 import *  # noqa: F401,F403
from .onnx_data_pb2 import *  # noqa: F401,F403
from . import checker, mapping, numpy_helper  # noqa: F401
