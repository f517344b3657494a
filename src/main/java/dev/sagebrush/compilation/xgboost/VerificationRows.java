package dev.sagebrush.compilation.xgboost;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;

/**
 * Test rows for verifying compiled code. Random rows alone are not enough: a {@code <=} instead of {@code <}
 * passed 10,000 random rows in the research and failed only on rows whose values equal split thresholds. So the
 * rows are: every split threshold of the model (each appears in some row, in every feature column that uses it),
 * the float just below each threshold, the same threshold rows with NaNs sprinkled in, one all-NaN row, and
 * seeded random rows spanning each feature's threshold range with 5% NaN.
 */
final class VerificationRows {
    final float[] rows;
    final int nrow;
    final int edgeRows;

    private VerificationRows(float[] rows, int nrow, int edgeRows) {
        this.rows = rows;
        this.nrow = nrow;
        this.edgeRows = edgeRows;
    }

    static VerificationRows generate(XgbModel model, int randomRows, long seed) {
        int nf = model.numFeature();
        List<float[]> perFeature = thresholds(model);
        int n = maxThresholds(perFeature);
        SplittableRandom rnd = new SplittableRandom(seed);
        int edge = 3 * n + 1;
        // Wide models get fewer random rows, so the matrix stays within XgbLimits.MAX_VERIFICATION_CELLS; the edge
        // rows (every threshold) are always all there (checkBudget refused the model otherwise).
        int total = edge + (int) Math.max(0, Math.min(randomRows, XgbLimits.MAX_VERIFICATION_CELLS / nf - edge));
        float[] x = new float[total * nf];
        for (int i = 0; i < n; i++) {
            for (int f = 0; f < nf; f++) {
                float[] t = perFeature.get(f);
                // Rotate per feature so different rows combine different thresholds.
                float v = t.length == 0 ? 0f : t[(i + 3 * f) % t.length];
                x[i * nf + f] = v;
                x[(n + i) * nf + f] = Math.nextDown(v);
                x[(2 * n + i) * nf + f] = rnd.nextInt(4) == 0 ? Float.NaN : v;
            }
        }
        Arrays.fill(x, 3 * n * nf, edge * nf, Float.NaN);
        for (int r = edge; r < total; r++) {
            for (int f = 0; f < nf; f++) {
                float[] t = perFeature.get(f);
                float lo = t.length == 0 ? -1f : t[0] - 1f;
                float hi = t.length == 0 ? 1f : t[t.length - 1] + 1f;
                x[r * nf + f] = rnd.nextInt(20) == 0 ? Float.NaN : (float) (lo + (hi - lo) * rnd.nextDouble());
            }
        }
        return new VerificationRows(x, total, edge);
    }

    /**
     * Refuses a model whose edge rows alone (every threshold, in every feature column) would not fit the verification
     * budget: {@code (3 x most thresholds of one feature + 2) x num_feature} cells.
     */
    static void checkBudget(XgbModel model) throws XgbModelException {
        long rows = 3L * maxThresholds(thresholds(model)) + 2;
        if (rows * model.numFeature() > XgbLimits.MAX_VERIFICATION_CELLS) {
            throw new XgbModelException("model is too large to verify: " + model.numFeature() + " features x " + rows
                    + " threshold rows exceed the limit of " + XgbLimits.MAX_VERIFICATION_CELLS + " values");
        }
    }

    private static int maxThresholds(List<float[]> perFeature) {
        int n = 1;
        for (float[] t : perFeature) {
            n = Math.max(n, t.length);
        }
        return n;
    }

    /** Distinct split thresholds per feature, sorted (one shared empty array for the features no split uses). */
    static List<float[]> thresholds(XgbModel model) {
        Map<Integer, TreeSet<Float>> sets = new HashMap<>();
        for (XgbTree t : model.trees()) {
            for (int n = 0; n < t.numNodes(); n++) {
                if (!t.isLeaf(n) && t.splitIndex()[n] < model.numFeature()) {
                    sets.computeIfAbsent(t.splitIndex()[n], f -> new TreeSet<>()).add(t.threshold()[n]);
                }
            }
        }
        float[] none = new float[0];
        List<float[]> out = new ArrayList<>(model.numFeature());
        for (int f = 0; f < model.numFeature(); f++) {
            TreeSet<Float> s = sets.get(f);
            if (s == null) {
                out.add(none);
                continue;
            }
            float[] a = new float[s.size()];
            int i = 0;
            for (float v : s) {
                a[i++] = v;
            }
            out.add(a);
        }
        return out;
    }
}
