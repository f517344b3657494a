# No model checker here: the server validated the model with ONNX Runtime before compiling it.
