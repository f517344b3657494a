package dev.sagebrush.compilation.reference;

import java.util.List;
import java.util.Map;

/**
 * The compiled model's outputs against the reference on the original model (ONNX Runtime, torch or Arm NN), same
 * inputs. Floats must agree within {@link #TOLERANCE} absolute (relative above magnitude 1; NaN only where the
 * reference has NaN); integer and bool outputs exactly; a quantized model's outputs within the absolute tolerance its
 * compiler gives for each.
 */
public record OutputComparison(boolean passed, int sets, long values, long mismatches, double maxAbsDiff, String detail) {
    public static final double TOLERANCE = 1e-5;

    public static OutputComparison compare(List<List<Tensor>> reference, List<List<Tensor>> compiled) {
        return compare(reference, compiled, Map.of());
    }

    /**
     * As above, with an absolute tolerance of its own for the outputs named in {@code absolute}: the outputs of a
     * quantized model, which integer arithmetic may legitimately put a few quantization steps apart (rounding in
     * requantization differs between kernels).
     */
    public static OutputComparison compare(List<List<Tensor>> reference, List<List<Tensor>> compiled,
                                           Map<String, Double> absolute) {
        long values = 0, bad = 0;
        double max = 0;
        String first = null;
        for (int k = 0; k < reference.size(); k++) {
            List<Tensor> want = reference.get(k), got = compiled.get(k);
            if (want.size() != got.size()) {
                return new OutputComparison(false, reference.size(), 0, 1, Double.NaN, "the compiled model has "
                        + got.size() + " outputs, the original " + want.size());
            }
            for (int o = 0; o < want.size(); o++) {
                Tensor w = want.get(o), g = got.get(o);
                if (!w.name().equals(g.name()) || w.elementType() != g.elementType()
                        || !java.util.Arrays.equals(w.shape(), g.shape())) {
                    return new OutputComparison(false, reference.size(), values, bad + 1, Double.NaN, "output "
                            + o + " is \"" + g.name() + "\" " + ElementTypes.dtype(g.elementType()) + " "
                            + java.util.Arrays.toString(g.shape()) + " in the compiled model but \"" + w.name() + "\" "
                            + ElementTypes.dtype(w.elementType()) + " " + java.util.Arrays.toString(w.shape())
                            + " in the original");
                }
                boolean exact = w.elementType() != ElementTypes.FLOAT && w.elementType() != ElementTypes.DOUBLE;
                Double abs = absolute.get(w.name());
                for (int i = 0; i < w.elements(); i++) {
                    double a = w.get(i), b = g.get(i);
                    values++;
                    boolean ok;
                    if (Double.isNaN(a) || Double.isNaN(b)) {
                        ok = Double.isNaN(a) && Double.isNaN(b);
                    } else {
                        double d = Math.abs(a - b);
                        max = Math.max(max, d);
                        ok = abs != null ? d <= abs * (1 + 1e-6) : exact ? d == 0
                                : d <= TOLERANCE * Math.max(1.0, Math.abs(a));
                    }
                    if (!ok) {
                        bad++;
                        if (first == null) {
                            first = "first mismatch: set " + k + ", output \"" + w.name() + "\" element " + i
                                    + ": compiled " + b + " vs original " + a;
                        }
                    }
                }
            }
        }
        String detail = String.format("%d input sets, %d output values: %d outside tolerance %s; max |diff| %s%s",
                reference.size(), values, bad, absolute.isEmpty() ? String.format("%.0e", TOLERANCE)
                        : String.format("%.0e (absolute %s for quantized outputs)", TOLERANCE, absolute), max,
                first == null ? "" : "; " + first);
        return new OutputComparison(bad == 0, reference.size(), values, bad, max, detail);
    }
}
