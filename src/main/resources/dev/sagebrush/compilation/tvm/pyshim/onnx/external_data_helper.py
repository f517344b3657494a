# Uploaded models are untrusted: a tensor whose data lives in an external file (a path chosen by the model) is
# refused instead of read.


def uses_external_data(tensor):
    return tensor.HasField("data_location") and tensor.data_location == 1


def load_external_data_for_tensor(tensor, base_dir):
    raise ValueError("tensor %s keeps its data in an external file; only self-contained .onnx models are compiled"
                     % tensor.name)
