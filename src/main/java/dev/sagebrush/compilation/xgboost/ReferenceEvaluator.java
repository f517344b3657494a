package dev.sagebrush.compilation.xgboost;

import java.util.List;

/**
 * Pure-Java predictor with XGBoost's exact semantics, used as the oracle that compiled code is verified against
 * (no Python or libxgboost needed at test or job time). Margins are bit-exact with XGBoost's CPU predictor:
 * float32 accumulation starting from the base margin, trees added in model order to their output group.
 * Transformed outputs use Java's double-precision exp rounded to float, which agrees with glibc's expf to within
 * an ulp; that is why transforms are compared with a tolerance while margins are compared bit for bit.
 */
public final class ReferenceEvaluator {
    private final XgbModel model;

    public ReferenceEvaluator(XgbModel model) {
        this.model = model;
    }

    /** Margins, row-major {@code nrow x numGroups}. {@code rows} is {@code nrow x numFeature}, NaN = missing. */
    public float[] margins(float[] rows, int nrow) {
        int f = model.numFeature();
        int g = model.numGroups();
        checkShape(rows, nrow, f);
        float[] out = new float[nrow * g];
        float[] base = model.baseMargin();
        List<XgbTree> trees = model.trees();
        int[] info = model.treeInfo();
        float[] w = model.treeWeights();
        for (int r = 0; r < nrow; r++) {
            for (int k = 0; k < g; k++) {
                out[r * g + k] = base[k];
            }
            for (int t = 0; t < trees.size(); t++) {
                float leaf = trees.get(t).predict(rows, r * f);
                out[r * g + info[t]] += w == null ? leaf : leaf * w[t];
            }
        }
        return out;
    }

    /** Transformed predictions, row-major {@code nrow x numOutputs}. */
    public float[] predict(float[] rows, int nrow) {
        return transform(model, margins(rows, nrow), nrow);
    }

    /** Applies the objective's prediction transform to margins ({@code nrow x numGroups}). */
    public static float[] transform(XgbModel model, float[] margins, int nrow) {
        int g = model.numGroups();
        XgbObjective.Transform t = model.objective().transform();
        float[] out = new float[nrow * model.numOutputs()];
        for (int r = 0; r < nrow; r++) {
            switch (t) {
                case SIGMOID:
                    out[r] = 1.0f / (1.0f + expf(-margins[r]));
                    break;
                case EXP:
                    out[r] = expf(margins[r]);
                    break;
                case HINGE:
                    out[r] = margins[r] > 0.0f ? 1.0f : 0.0f;
                    break;
                case SOFTMAX:
                    softmax(margins, r * g, g, out);
                    break;
                case ARGMAX:
                    out[r] = argmax(margins, r * g, g);
                    break;
                default:
                    System.arraycopy(margins, r * g, out, r * g, g);
            }
        }
        return out;
    }

    /** XGBoost's common::Softmax: float max, exp in float, sum in double, divide by the float sum. */
    private static void softmax(float[] m, int off, int g, float[] out) {
        float max = m[off];
        for (int k = 1; k < g; k++) {
            max = Math.max(m[off + k], max);
        }
        double sum = 0;
        for (int k = 0; k < g; k++) {
            out[off + k] = expf(m[off + k] - max);
            sum += out[off + k];
        }
        float s = (float) sum;
        for (int k = 0; k < g; k++) {
            out[off + k] /= s;
        }
    }

    /** First index of the maximum, like std::max_element in XGBoost's multi:softmax. */
    private static float argmax(float[] m, int off, int g) {
        int best = 0;
        for (int k = 1; k < g; k++) {
            if (m[off + k] > m[off + best]) {
                best = k;
            }
        }
        return best;
    }

    static float expf(float x) { return (float) Math.exp(x); }

    private static void checkShape(float[] rows, int nrow, int f) {
        if (nrow < 0 || (long) nrow * f > rows.length) {
            throw new IllegalArgumentException(nrow + " rows of " + f + " features need " + ((long) nrow * f)
                    + " values, got " + rows.length);
        }
    }
}
