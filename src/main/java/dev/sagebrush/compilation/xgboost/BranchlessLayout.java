package dev.sagebrush.compilation.xgboost;

import java.util.Arrays;

/**
 * Re-lays out all trees into one node table for branch-free evaluation (research COMPILATION.md §3, the fastest
 * of three bit-exact code shapes): nodes are numbered breadth-first per tree so that every internal node's right
 * child is {@code left + 1}, and every leaf points to itself. A row then takes exactly {@code depth(tree)} steps of
 * {@code n = left[n] + goRight}, with no data-dependent branch, so 64 rows can walk a tree in lock-step.
 *
 * <p>goRight is {@code (x >= t) | (isnan(x) & defaultRight)}: for a present value that is exactly XGBoost's
 * "left iff x &lt; t", and a missing value follows the default direction. A leaf gets threshold NaN and
 * defaultRight = 0, so goRight is always 0 and the walk stays on the leaf.
 */
final class BranchlessLayout {
    /** Bit 31 of {@link #feature}: a missing value goes right. */
    static final int DEFAULT_RIGHT = 0x80000000;

    final float[] threshold;
    final int[] left;
    /** Feature index in the low 31 bits, {@link #DEFAULT_RIGHT} in bit 31. */
    final int[] feature;
    /** Leaf value as added to the margin (dart weight already applied), 0 for internal nodes. */
    final float[] value;
    final int[] root;
    final int[] depth;
    final int[] group;

    private BranchlessLayout(int nodes, int trees) {
        threshold = new float[nodes];
        left = new int[nodes];
        feature = new int[nodes];
        value = new float[nodes];
        root = new int[trees];
        depth = new int[trees];
        group = new int[trees];
    }

    static BranchlessLayout of(XgbModel model) {
        int total = 0;
        for (XgbTree t : model.trees()) {
            total += reachable(t);
        }
        BranchlessLayout l = new BranchlessLayout(total, model.trees().size());
        int next = 0;
        for (int ti = 0; ti < model.trees().size(); ti++) {
            XgbTree t = model.trees().get(ti);
            l.root[ti] = next;
            l.group[ti] = model.treeInfo()[ti];
            l.depth[ti] = t.depth();
            // Breadth-first: queue[k] is the original id of the node placed at next + k.
            int[] queue = new int[reachable(t)];
            int head = 0;
            int tail = 0;
            queue[tail++] = 0;
            while (head < tail) {
                int orig = queue[head];
                int at = next + head;
                head++;
                if (t.isLeaf(orig)) {
                    l.threshold[at] = Float.NaN;
                    l.left[at] = at;
                    l.value[at] = model.effectiveLeaf(ti, orig);
                } else {
                    l.threshold[at] = t.threshold()[orig];
                    l.left[at] = next + tail;
                    l.feature[at] = t.splitIndex()[orig] | (t.defaultLeft()[orig] ? 0 : DEFAULT_RIGHT);
                    queue[tail++] = t.left()[orig];
                    queue[tail++] = t.right()[orig];
                }
            }
            next += tail;
        }
        l.check();
        return l;
    }

    /** The invariants the generated C relies on; a violation is a bug here, never a property of the input. */
    private void check() {
        for (int n = 0; n < left.length; n++) {
            boolean leaf = Float.isNaN(threshold[n]);
            if (leaf ? left[n] != n || feature[n] != 0 : left[n] <= n || left[n] + 1 >= left.length) {
                throw new IllegalStateException("branchless layout invariant broken at node " + n);
            }
        }
    }

    /** Evaluates the layout exactly as the generated C does; lets tests check the layout without a compiler. */
    float[] margins(XgbModel model, float[] rows, int nrow) {
        int nf = model.numFeature();
        int ng = model.numGroups();
        float[] out = new float[nrow * ng];
        for (int r = 0; r < nrow; r++) {
            System.arraycopy(model.baseMargin(), 0, out, r * ng, ng);
            for (int t = 0; t < root.length; t++) {
                int n = root[t];
                for (int s = 0; s < depth[t]; s++) {
                    float v = rows[r * nf + (feature[n] & ~DEFAULT_RIGHT)];
                    boolean right = v >= threshold[n] || (Float.isNaN(v) && (feature[n] & DEFAULT_RIGHT) != 0);
                    n = left[n] + (right ? 1 : 0);
                }
                out[r * ng + group[t]] += value[n];
            }
        }
        return out;
    }

    int maxDepth() { return Arrays.stream(depth).max().orElse(0); }

    private static int reachable(XgbTree t) {
        int count = 0;
        int[] stack = new int[t.numNodes()];
        int sp = 0;
        stack[sp++] = 0;
        while (sp > 0) {
            int n = stack[--sp];
            count++;
            if (!t.isLeaf(n)) {
                stack[sp++] = t.left()[n];
                stack[sp++] = t.right()[n];
            }
        }
        return count;
    }
}
