package dev.sagebrush.compilation.reference;

import java.util.Arrays;

/**
 * One tensor input or output of an ONNX model as ONNX Runtime reports it.
 *
 * @param elementType the ONNX TensorProto element type code (1 = float, 7 = int64, ...), also what the C runner takes
 * @param shape       -1 for a symbolic (free) dimension
 * @param dimNames    the symbolic dimension's name, or "" when the dimension is fixed or unnamed
 */
public record TensorSpec(String name, int elementType, long[] shape, String[] dimNames) {
    public TensorSpec {
        shape = shape.clone();
        dimNames = dimNames.length == shape.length ? dimNames.clone() : padded(dimNames, shape.length);
    }

    public int rank() {
        return shape.length;
    }

    public boolean isSymbolic(int dim) {
        return shape[dim] < 0;
    }

    /** numpy-style dtype name, for manifests and messages. */
    public String dtype() {
        return ElementTypes.dtype(elementType);
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    @Override
    public String[] dimNames() {
        return dimNames.clone();
    }

    /** The shape with symbolic dimensions shown by name ("[N, 16]"), as a user would write it. */
    public String describeShape() {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < shape.length; i++) {
            b.append(i == 0 ? "" : ", ").append(shape[i] >= 0 ? Long.toString(shape[i])
                    : dimNames[i].isEmpty() ? "?" : dimNames[i]);
        }
        return b.append(']').toString();
    }

    private static String[] padded(String[] names, int n) {
        String[] out = new String[n];
        Arrays.fill(out, "");
        for (int i = 0; i < Math.min(n, names.length); i++) out[i] = names[i] == null ? "" : names[i];
        return out;
    }
}
