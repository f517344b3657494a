#!/usr/bin/python3
"""Generate the larger ONNX models for the TVM benchmark, bench/tvm/run.sh (onnx.helper only, no downloads), in the style of
fixtures/make_onnx_fixtures.py. Written to OUT_DIR (a temporary directory), never committed.

  /usr/bin/python3 bench/onnx/make_bench_models.py OUT_DIR

  convnet224.onnx  input "image" [batch,3,224,224]: 3 x (Conv 3x3 + BN + Relu) with MaxPool after the first two
                   (3->16->32->64 channels), GlobalAveragePool, Flatten, Gemm (64->100), Softmax -> "probs" [batch,100].
                   About 137 M multiply-adds per image.
  mlp_wide.onnx    input "x" [N,256]: 3 x (MatMul+Add), Relu between, 256->512->512->10, Softmax -> "probs" [N,10].
Seeded weights (same generator as the fixtures), opset 13, IR version 7.
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OUT = sys.argv[1]
rng = np.random.default_rng(20240613)


def init(name, *shape, scale=0.3):
    return numpy_helper.from_array((rng.standard_normal(shape) * scale).astype(np.float32), name)


def bn(prefix, c):
    scale = numpy_helper.from_array((1 + 0.1 * rng.standard_normal(c)).astype(np.float32), prefix + "_scale")
    bias = init(prefix + "_bias", c, scale=0.1)
    mean = init(prefix + "_mean", c, scale=0.1)
    var = numpy_helper.from_array((0.5 + rng.random(c)).astype(np.float32), prefix + "_var")
    return [scale, bias, mean, var]


def save(graph, name):
    model = helper.make_model(graph, producer_name="sagebrush-bench", opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 7
    onnx.checker.check_model(model)
    onnx.save(model, os.path.join(OUT, name))
    print(name, os.path.getsize(os.path.join(OUT, name)), "bytes")


def convnet224():
    chans = [3, 16, 32, 64]
    nodes, inits, x = [], [], "image"
    for i in range(3):
        cin, cout = chans[i], chans[i + 1]
        # He-style scale keeps activations O(1) through the stack.
        inits += [init(f"c{i}_w", cout, cin, 3, 3, scale=float(np.sqrt(2.0 / (cin * 9)))),
                  init(f"c{i}_b", cout, scale=0.1)] + bn(f"bn{i}", cout)
        nodes += [
            helper.make_node("Conv", [x, f"c{i}_w", f"c{i}_b"], [f"c{i}"], pads=[1, 1, 1, 1], kernel_shape=[3, 3]),
            helper.make_node("BatchNormalization", [f"c{i}"] + [f"bn{i}_{k}" for k in ("scale", "bias", "mean", "var")],
                             [f"n{i}"]),
            helper.make_node("Relu", [f"n{i}"], [f"r{i}"]),
        ]
        x = f"r{i}"
        if i < 2:
            nodes.append(helper.make_node("MaxPool", [x], [f"p{i}"], kernel_shape=[2, 2], strides=[2, 2]))
            x = f"p{i}"
    nodes += [
        helper.make_node("GlobalAveragePool", [x], ["gap"]),
        helper.make_node("Flatten", ["gap"], ["flat"]),
        helper.make_node("Gemm", ["flat", "fc_w", "fc_b"], ["logits"], transB=1),
        helper.make_node("Softmax", ["logits"], ["probs"], axis=-1),
    ]
    inits += [init("fc_w", 100, 64), init("fc_b", 100, scale=0.1)]
    g = helper.make_graph(nodes, "convnet224",
                          [helper.make_tensor_value_info("image", TensorProto.FLOAT, ["batch", 3, 224, 224])],
                          [helper.make_tensor_value_info("probs", TensorProto.FLOAT, ["batch", 100])], inits)
    save(g, "convnet224.onnx")


def mlp_wide():
    dims = [256, 512, 512, 10]
    nodes, inits, x = [], [], "x"
    for i in range(3):
        inits += [init(f"w{i}", dims[i], dims[i + 1], scale=float(np.sqrt(2.0 / dims[i]))), init(f"b{i}", dims[i + 1])]
        nodes += [helper.make_node("MatMul", [x, f"w{i}"], [f"h{i}"]),
                  helper.make_node("Add", [f"h{i}", f"b{i}"], [f"a{i}"])]
        x = f"a{i}"
        if i < 2:
            nodes.append(helper.make_node("Relu", [x], [f"r{i}"]))
            x = f"r{i}"
    nodes.append(helper.make_node("Softmax", [x], ["probs"], axis=-1))
    g = helper.make_graph(nodes, "mlp_wide",
                          [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 256])],
                          [helper.make_tensor_value_info("probs", TensorProto.FLOAT, ["N", 10])], inits)
    save(g, "mlp_wide.onnx")


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    convnet224()
    mlp_wide()
