package dev.sagebrush.compilation.xgboost;

import java.util.Arrays;

/**
 * One regression tree as flat arrays indexed by node id, exactly as XGBoost stores it (node 0 is the root).
 * A node is a leaf iff {@code left[n] == -1}; then {@code leafValue[n]} is its output and the split fields are unused.
 * Thresholds and leaves are the exact float32 values XGBoost evaluates with.
 */
public record XgbTree(int[] left, int[] right, int[] splitIndex, float[] threshold, boolean[] defaultLeft,
                      float[] leafValue) {

    public int numNodes() { return left.length; }

    public boolean isLeaf(int n) { return left[n] == -1; }

    /** Depth of the deepest reachable leaf (a single-leaf tree has depth 0). Iterative: trees can be deep. */
    public int depth() {
        int[] stack = new int[numNodes()];
        int[] level = new int[numNodes()];
        int sp = 0;
        int max = 0;
        stack[sp++] = 0;
        while (sp > 0) {
            int n = stack[--sp];
            if (isLeaf(n)) {
                max = Math.max(max, level[n]);
            } else {
                level[left[n]] = level[n] + 1;
                level[right[n]] = level[n] + 1;
                stack[sp++] = left[n];
                stack[sp++] = right[n];
            }
        }
        return max;
    }

    /** Leaf reached by one row (NaN = missing): go left iff x &lt; t, a missing value follows the default. */
    public float predict(float[] x, int offset) {
        int n = 0;
        while (left[n] != -1) {
            float v = x[offset + splitIndex[n]];
            boolean goLeft = Float.isNaN(v) ? defaultLeft[n] : v < threshold[n];
            n = goLeft ? left[n] : right[n];
        }
        return leafValue[n];
    }

    /** Content equality (records compare arrays by reference). Leaf values compare by bits, so -0 != 0. */
    public boolean sameAs(XgbTree o) {
        if (!Arrays.equals(left, o.left) || !Arrays.equals(right, o.right)) {
            return false;
        }
        for (int n = 0; n < left.length; n++) {
            if (isLeaf(n)) {
                if (Float.floatToRawIntBits(leafValue[n]) != Float.floatToRawIntBits(o.leafValue[n])) {
                    return false;
                }
            } else if (splitIndex[n] != o.splitIndex[n] || defaultLeft[n] != o.defaultLeft[n]
                    || Float.floatToRawIntBits(threshold[n]) != Float.floatToRawIntBits(o.threshold[n])) {
                return false;
            }
        }
        return true;
    }
}
