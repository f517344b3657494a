#!/usr/bin/python3
"""Arm NN (Debian python3-pyarmnn, CpuRef) outputs of one TFLite model on N seeded random inputs, for
quant_accuracy.sh: writes OUT_x.npy (the inputs) and OUT_y.npy (output 0 per input).

  /usr/bin/python3 armnn_outputs.py MODEL.tflite OUT_PREFIX N
"""
import sys

import numpy as np
import pyarmnn as ann

model, out, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
parser = ann.ITfLiteParser()
network = parser.CreateNetworkFromBinaryFile(model)
in_name = list(parser.GetSubgraphInputTensorNames(0))[0]
out_name = list(parser.GetSubgraphOutputTensorNames(0))[0]
runtime = ann.IRuntime(ann.CreationOptions())
optimized, _ = ann.Optimize(network, [ann.BackendId("CpuRef")], runtime.GetDeviceSpec(), ann.OptimizerOptions())
net_id, _ = runtime.LoadNetwork(optimized)
in_binding = parser.GetNetworkInputBindingInfo(0, in_name)
out_binding = parser.GetNetworkOutputBindingInfo(0, out_name)
shape = list(in_binding[1].GetShape())
uint8 = in_binding[1].GetDataType() == ann.DataType_QAsymmU8
rng = np.random.default_rng(1)
xs, ys = [], []
for _ in range(n):
    x = rng.integers(0, 256, shape).astype(np.uint8) if uint8 else rng.normal(0, 1, shape).astype(np.float32)
    outputs = ann.make_output_tensors([out_binding])
    runtime.EnqueueWorkload(net_id, ann.make_input_tensors([in_binding], [x]), outputs)
    xs.append(x)
    ys.append(ann.workload_tensors_to_ndarray(outputs)[0].copy())
np.save(out + "_x.npy", np.stack(xs))
np.save(out + "_y.npy", np.stack(ys))
print("ARMNN model=%s input=%s %s shape=%s runs=%d" % (model, in_name, "uint8" if uint8 else "float32", shape, n))
