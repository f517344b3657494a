package dev.sagebrush.compilation.xgboost;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
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
        int n = 1;
        for (float[] t : perFeature) {
            n = Math.max(n, t.length);
        }
        SplittableRandom rnd = new SplittableRandom(seed);
        int edge = 3 * n + 1;
        int total = edge + randomRows;
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

    /** Distinct split thresholds per feature, sorted. */
    static List<float[]> thresholds(XgbModel model) {
        List<TreeSet<Float>> sets = new ArrayList<>();
        for (int f = 0; f < model.numFeature(); f++) {
            sets.add(new TreeSet<>());
        }
        for (XgbTree t : model.trees()) {
            for (int n = 0; n < t.numNodes(); n++) {
                if (!t.isLeaf(n) && t.splitIndex()[n] < model.numFeature()) {
                    sets.get(t.splitIndex()[n]).add(t.threshold()[n]);
                }
            }
        }
        List<float[]> out = new ArrayList<>();
        for (TreeSet<Float> s : sets) {
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
