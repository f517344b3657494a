package dev.sagebrush.compilation.onnx;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** A concrete tensor: name, ONNX element type, shape and raw little-endian data (what the C runner reads and writes). */
record Tensor(String name, int elementType, long[] shape, byte[] data) {
    long elements() {
        long n = 1;
        for (long d : shape) n *= d;
        return n;
    }

    double get(int i) {
        return ElementTypes.get(ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN), elementType, i);
    }
}
