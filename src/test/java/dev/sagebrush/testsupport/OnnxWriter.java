package dev.sagebrush.testsupport;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Writes small hand-made ONNX models (protobuf wire format, field numbers from onnx.proto3) for attack tests: models
 * whose tensors point at external files, or that make ONNX Runtime materialize huge constants. No onnx library needed.
 */
public final class OnnxWriter {
    public static final int FLOAT = 1, INT64 = 7;

    private final ByteArrayOutputStream buf = new ByteArrayOutputStream();

    public static OnnxWriter message() {
        return new OnnxWriter();
    }

    public byte[] bytes() {
        return buf.toByteArray();
    }

    public OnnxWriter varint(int field, long v) {
        key(field, 0);
        raw(v);
        return this;
    }

    public OnnxWriter string(int field, String s) {
        return bytes(field, s.getBytes(StandardCharsets.UTF_8));
    }

    public OnnxWriter bytes(int field, byte[] b) {
        key(field, 2);
        raw(b.length);
        buf.writeBytes(b);
        return this;
    }

    public OnnxWriter message(int field, OnnxWriter m) {
        return bytes(field, m.bytes());
    }

    private void key(int field, int wire) {
        raw(((long) field << 3) | wire);
    }

    private void raw(long v) {
        while ((v & ~0x7fL) != 0) {
            buf.write((int) ((v & 0x7f) | 0x80));
            v >>>= 7;
        }
        buf.write((int) v);
    }

    /** ValueInfoProto for a tensor of {@code elemType} and fixed {@code dims}. */
    public static OnnxWriter valueInfo(String name, int elemType, long... dims) {
        OnnxWriter shape = message();
        for (long d : dims) shape.message(1, message().varint(1, d));
        return message().string(1, name).message(2, message().message(1, message().varint(1, elemType)
                .message(2, shape)));
    }

    /** A TensorProto with raw data. */
    public static OnnxWriter tensor(String name, int elemType, long[] dims, byte[] raw) {
        OnnxWriter t = message();
        for (long d : dims) t.varint(1, d);
        return t.varint(2, elemType).string(8, name).bytes(9, raw);
    }

    /** A TensorProto whose data lives in an external file ({@code data_location = EXTERNAL}). */
    public static OnnxWriter externalTensor(String name, int elemType, long[] dims, Map<String, String> externalData) {
        OnnxWriter t = message();
        for (long d : dims) t.varint(1, d);
        t.varint(2, elemType).string(8, name);
        externalData.forEach((k, v) -> t.message(13, message().string(1, k).string(2, v)));
        return t.varint(14, 1);
    }

    public static OnnxWriter node(String opType, String[] inputs, String[] outputs) {
        OnnxWriter n = message();
        for (String i : inputs) n.string(1, i);
        for (String o : outputs) n.string(2, o);
        return n.string(3, opType + "_0").string(4, opType);
    }

    /** ModelProto (IR 8, opset 13) around a graph. */
    public static byte[] model(OnnxWriter graph) {
        return message().varint(1, 8).string(2, "sagebrush-test").message(7, graph)
                .message(8, message().string(1, "").varint(2, 13)).bytes();
    }

    /** GraphProto: nodes, initializers, one input and one output. */
    public static OnnxWriter graph(OnnxWriter[] nodes, OnnxWriter[] initializers, OnnxWriter input, OnnxWriter output) {
        OnnxWriter g = message();
        for (OnnxWriter n : nodes) g.message(1, n);
        g.string(2, "g");
        for (OnnxWriter i : initializers) g.message(5, i);
        return g.message(11, input).message(12, output);
    }
}
