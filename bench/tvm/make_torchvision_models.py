#!/usr/bin/python3
"""ResNet-18 and MobileNetV2 (torchvision architectures, seeded random weights, no download) exported to ONNX for
bench/tvm/run.sh. Needs Debian's python3-torch and python3-torchvision. Written to OUT_DIR, never committed.

  /usr/bin/python3 bench/tvm/make_torchvision_models.py OUT_DIR

  resnet18.onnx     input "image" [1,3,224,224] -> "logits" [1,1000]   (1.8 G multiply-adds)
  mobilenet_v2.onnx input "image" [1,3,224,224] -> "logits" [1,1000]   (0.3 G multiply-adds)
Opset 13, eval mode (batch norm with its running statistics), fixed batch 1.
"""
import os
import sys

import torch
import torchvision

OUT = sys.argv[1]
os.makedirs(OUT, exist_ok=True)
torch.manual_seed(20240613)
for name, ctor in (("resnet18", torchvision.models.resnet18), ("mobilenet_v2", torchvision.models.mobilenet_v2)):
    model = ctor(weights=None).eval()
    path = os.path.join(OUT, name + ".onnx")
    with torch.no_grad():
        torch.onnx.export(model, torch.randn(1, 3, 224, 224), path, input_names=["image"], output_names=["logits"],
                          opset_version=13, do_constant_folding=True)
    print(name + ".onnx", os.path.getsize(path), "bytes")
