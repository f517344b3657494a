package dev.sagebrush.compilation.tflite;

import java.util.Arrays;

/**
 * A tensor's affine quantization ({@code real = scale * (q - zero_point)}), read from its QuantizationParameters and
 * checked against what TVM's QNN lowering and the reference can run: one scale and zero point for the tensor, or
 * (per channel) one scale per entry of {@code quantized_dimension} with every zero point 0; scales finite and
 * positive; zero points inside the element type's range; integer tensors only. Anything else is refused with the
 * tensor's name before TVM sees the model.
 *
 * @param scale     one per tensor, or one per channel along {@code dimension}
 * @param zeroPoint as many as {@code scale}
 */
public record TfliteQuantization(float[] scale, long[] zeroPoint, int dimension) {
    /** More channels than any real tensor has; the vectors are bounded before they are read. */
    static final int MAX_CHANNELS = 1 << 20;

    public boolean perTensor() {
        return scale.length == 1;
    }

    /**
     * The quantization of tensor table {@code t}, or null when it has none (no table, or only min/max, or the
     * all-zero parameters some converters give to shape tensors).
     */
    static TfliteQuantization read(FlatBuffer fb, FlatBuffer.Table t, String name, String dtype, long[] shape)
            throws FlatBuffer.Malformed, TfliteModel.Invalid {
        String what = "tensor \"" + name + "\" quantization";
        FlatBuffer.Table q = fb.subTable(t, 4, what);
        if (q == null) return null;
        if (fb.i8(q, 4, 0, what + " details_type") != 0) {
            throw TfliteModel.unsupported("tensor \"" + name + "\" uses a custom quantization scheme, which TVM's "
                    + "TFLite frontend cannot compile (only affine scale/zero-point quantization is)");
        }
        FlatBuffer.Vector sv = fb.vector(q, 2, 4, MAX_CHANNELS, what + " scale");
        FlatBuffer.Vector zv = fb.vector(q, 3, 8, MAX_CHANNELS, what + " zero_point");
        if (sv.length() == 0 && zv.length() == 0) return null;
        if (sv.length() != zv.length()) {
            throw TfliteModel.invalid("tensor \"" + name + "\" has " + sv.length() + " quantization scales but "
                    + zv.length() + " zero points");
        }
        float[] scale = new float[sv.length()];
        long[] zero = new long[zv.length()];
        for (int i = 0; i < scale.length; i++) {
            scale[i] = fb.f32At(sv, i);
            zero[i] = fb.i64At(zv, i);
        }
        int dim = fb.i32(q, 6, 0, what + " quantized_dimension");
        if (scale.length == 1 && scale[0] == 0 && zero[0] == 0) return null;
        for (int i = 0; i < scale.length; i++) {
            if (!Float.isFinite(scale[i]) || scale[i] <= 0) {
                throw TfliteModel.invalid("tensor \"" + name + "\" has quantization scale " + scale[i]
                        + " (scales must be finite and positive)");
            }
        }
        if (dtype.startsWith("float")) {
            throw TfliteModel.unsupported("tensor \"" + name + "\" is " + dtype + " but carries quantization scales "
                    + Arrays.toString(Arrays.copyOf(scale, Math.min(4, scale.length))) + "; TVM's TFLite frontend "
                    + "quantizes integer tensors only");
        }
        if (scale.length > 1) {
            if (dim < 0 || dim >= shape.length || shape[dim] != scale.length) {
                throw TfliteModel.invalid("tensor \"" + name + "\" of shape " + Arrays.toString(shape) + " has "
                        + scale.length + " per-channel scales along dimension " + dim);
            }
            if (Arrays.stream(zero).anyMatch(z -> z != 0)) {
                throw TfliteModel.unsupported("tensor \"" + name + "\" is quantized per channel with non-zero zero "
                        + "points, which TVM's TFLite frontend (like TFLite's own kernels) does not take");
            }
        }
        long lo = switch (dtype) {
            case "uint8" -> 0;
            case "int8" -> -128;
            case "int16" -> -32768;
            default -> Long.MIN_VALUE;
        };
        long hi = switch (dtype) {
            case "uint8" -> 255;
            case "int8" -> 127;
            case "int16" -> 32767;
            default -> Long.MAX_VALUE;
        };
        for (long z : zero) {
            if (z < lo || z > hi) {
                throw TfliteModel.invalid("tensor \"" + name + "\" of type " + dtype + " has zero point " + z
                        + ", outside the type's range");
            }
        }
        return new TfliteQuantization(scale, zero, dim);
    }
}
