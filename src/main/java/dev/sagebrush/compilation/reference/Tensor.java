package dev.sagebrush.compilation.reference;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** A concrete tensor: name, ONNX element type, shape and raw little-endian data (what the C runner reads and writes). */
public record Tensor(String name, int elementType, long[] shape, byte[] data) {
    public long elements() {
        long n = 1;
        for (long d : shape) n *= d;
        return n;
    }

    public double get(int i) {
        return ElementTypes.get(ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN), elementType, i);
    }
}
