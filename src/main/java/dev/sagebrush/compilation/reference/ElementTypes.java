package dev.sagebrush.compilation.reference;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * ONNX element types the compiler can verify: those ONNX Runtime's Java API creates from a raw buffer and the C
 * runner can pass through. Strings, float16/bfloat16, complex and float8 are left out, so a model with such an input
 * or output is refused before compiling rather than published unverified.
 */
public final class ElementTypes {
    public static final int FLOAT = 1, UINT8 = 2, INT8 = 3, INT16 = 5, INT32 = 6, INT64 = 7, BOOL = 9, DOUBLE = 11;

    private ElementTypes() {}

    /**
     * The ONNX TensorProto code of ORT Java's enum. Its {@code value} field is ORT's own numbering, not ONNX's
     * (FLOAT is 10 there), so the mapping goes by name.
     */
    public static int of(ai.onnxruntime.TensorInfo.OnnxTensorType t) {
        return switch (t.name().substring("ONNX_TENSOR_ELEMENT_DATA_TYPE_".length())) {
            case "FLOAT" -> FLOAT;
            case "UINT8" -> UINT8;
            case "INT8" -> INT8;
            case "UINT16" -> 4;
            case "INT16" -> INT16;
            case "INT32" -> INT32;
            case "INT64" -> INT64;
            case "STRING" -> 8;
            case "BOOL" -> BOOL;
            case "FLOAT16" -> 10;
            case "DOUBLE" -> DOUBLE;
            case "UINT32" -> 12;
            case "UINT64" -> 13;
            case "COMPLEX64" -> 14;
            case "COMPLEX128" -> 15;
            case "BFLOAT16" -> 16;
            default -> 0;
        };
    }

    public static boolean supported(int t) {
        return switch (t) {
            case FLOAT, UINT8, INT8, INT16, INT32, INT64, BOOL, DOUBLE -> true;
            default -> false;
        };
    }

    public static int size(int t) {
        return switch (t) {
            case UINT8, INT8, BOOL -> 1;
            case INT16 -> 2;
            case FLOAT, INT32 -> 4;
            case INT64, DOUBLE -> 8;
            default -> throw new IllegalArgumentException("unsupported element type " + dtype(t));
        };
    }

    public static String dtype(int t) {
        return switch (t) {
            case FLOAT -> "float32";
            case UINT8 -> "uint8";
            case INT8 -> "int8";
            case 4 -> "uint16";
            case INT16 -> "int16";
            case INT32 -> "int32";
            case INT64 -> "int64";
            case 8 -> "string";
            case BOOL -> "bool";
            case 10 -> "float16";
            case DOUBLE -> "float64";
            case 12 -> "uint32";
            case 13 -> "uint64";
            case 14 -> "complex64";
            case 15 -> "complex128";
            case 16 -> "bfloat16";
            default -> "onnx-type-" + t;
        };
    }

    /** The element type of a numpy-style dtype name (as TFLite models and the reference scripts give them). */
    public static int fromDtype(String dtype) {
        return switch (dtype) {
            case "float32" -> FLOAT;
            case "float64" -> DOUBLE;
            case "uint8" -> UINT8;
            case "int8" -> INT8;
            case "int16" -> INT16;
            case "int32" -> INT32;
            case "int64" -> INT64;
            case "bool" -> BOOL;
            default -> throw new dev.sagebrush.compilation.CompilationFailure("ClientError: CompilationError: The "
                    + "TFLite model has a tensor of type " + dtype + ", which this server cannot verify.");
        };
    }

    /** Element {@code i} of a little-endian raw tensor as a double, for comparison. */
    public static double get(ByteBuffer le, int t, int i) {
        ByteBuffer b = le.order(ByteOrder.LITTLE_ENDIAN);
        return switch (t) {
            case FLOAT -> b.getFloat(i * 4);
            case DOUBLE -> b.getDouble(i * 8);
            case UINT8 -> b.get(i) & 0xff;
            case INT8, BOOL -> b.get(i);
            case INT16 -> b.getShort(i * 2);
            case INT32 -> b.getInt(i * 4);
            case INT64 -> b.getLong(i * 8);
            default -> throw new IllegalArgumentException("unsupported element type " + dtype(t));
        };
    }
}
