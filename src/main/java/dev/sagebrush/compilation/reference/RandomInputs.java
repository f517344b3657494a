package dev.sagebrush.compilation.reference;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Seeded random input sets for verification. Floats come in three ranges (standard normal, wide uniform in [-4, 4],
 * and image-like [0, 1)), so saturating activations and large accumulations are both exercised. Integer and bool
 * inputs get 0 or 1: such inputs are often indices or masks, and any larger value could be out of range for the
 * model; 0/1 are valid for nearly every such use.
 */
public final class RandomInputs {
    public static final int SETS = 3;
    private static final long SEED = 0x5a6eb705L;

    private RandomInputs() {}

    public static List<List<Tensor>> generate(List<TensorSpec> inputs, Map<String, long[]> shapes) {
        return generate(inputs, shapes, Set.of());
    }

    /**
     * As above, but the integer inputs named in {@code quantized} take values over their type's whole range (uniform):
     * they are quantized reals (a uint8 image, an int8 activation), not indices or masks, and 0/1 would leave most
     * of the model's arithmetic unexercised.
     */
    public static List<List<Tensor>> generate(List<TensorSpec> inputs, Map<String, long[]> shapes,
                                              Set<String> quantized) {
        SplittableRandom rnd = new SplittableRandom(SEED);
        List<List<Tensor>> sets = new ArrayList<>();
        for (int k = 0; k < SETS; k++) {
            List<Tensor> set = new ArrayList<>();
            for (TensorSpec in : inputs) {
                long[] shape = shapes.get(in.name());
                long n = 1;
                for (long d : shape) n *= d;
                int size = ElementTypes.size(in.elementType());
                if (n * size > Integer.MAX_VALUE) {
                    throw new IllegalArgumentException("input \"" + in.name() + "\" is too large to verify: " + n
                            + " elements");
                }
                ByteBuffer b = ByteBuffer.allocate((int) (n * size)).order(ByteOrder.LITTLE_ENDIAN);
                for (long i = 0; i < n; i++) {
                    double v = switch (k) {
                        case 0 -> gaussian(rnd);
                        case 1 -> rnd.nextDouble(-4, 4);
                        default -> rnd.nextDouble();
                    };
                    int integer = !quantized.contains(in.name()) ? rnd.nextInt(2)
                            : in.elementType() == ElementTypes.UINT8 ? rnd.nextInt(256)
                            : in.elementType() == ElementTypes.INT8 ? rnd.nextInt(256) - 128
                            : in.elementType() == ElementTypes.INT16 ? rnd.nextInt(65536) - 32768 : rnd.nextInt(2);
                    switch (in.elementType()) {
                        case ElementTypes.FLOAT -> b.putFloat((float) v);
                        case ElementTypes.DOUBLE -> b.putDouble(v);
                        case ElementTypes.UINT8, ElementTypes.INT8, ElementTypes.BOOL -> b.put((byte) integer);
                        case ElementTypes.INT16 -> b.putShort((short) integer);
                        case ElementTypes.INT32 -> b.putInt(integer);
                        case ElementTypes.INT64 -> b.putLong(integer);
                        default -> throw new IllegalArgumentException("unsupported element type " + in.dtype());
                    }
                }
                set.add(new Tensor(in.name(), in.elementType(), shape, b.array()));
            }
            sets.add(set);
        }
        return sets;
    }

    private static double gaussian(SplittableRandom r) {
        // Box-Muller: SplittableRandom has no nextGaussian on Java 17.
        double u = 1.0 - r.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r.nextDouble());
    }
}
