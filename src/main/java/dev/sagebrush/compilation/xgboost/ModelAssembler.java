package dev.sagebrush.compilation.xgboost;

import java.util.ArrayList;
import java.util.List;

/**
 * The checks and conversions every loader shares, so the three formats cannot drift apart: objective lookup,
 * the rejection rules, base_score to margin, and structural validation of every tree. Validation matters beyond
 * tidiness: the generated C indexes {@code x[split_index]} and node tables without bounds checks, so a malformed
 * model must be refused here rather than become an out-of-bounds read in a compiled artifact.
 */
final class ModelAssembler {
    private ModelAssembler() { }

    static void rejectBooster(String booster) throws XgbUnsupportedModelException, XgbModelException {
        if ("gblinear".equals(booster)) {
            throw new XgbUnsupportedModelException("booster 'gblinear' is not supported: the compiler only"
                    + " translates tree ensembles (gbtree, dart) into C; a linear booster has no trees");
        }
        if (!"gbtree".equals(booster) && !"dart".equals(booster)) {
            throw new XgbUnsupportedModelException("booster '" + booster + "' is not supported"
                    + " (supported: gbtree, dart)");
        }
    }

    static void rejectMultiTarget(int numTarget) throws XgbUnsupportedModelException {
        if (numTarget > 1) {
            throw new XgbUnsupportedModelException("multi-target model (num_target=" + numTarget + ") is not"
                    + " supported: the compiler implements one output per tree group (single target or"
                    + " multiclass), not multi-output regression");
        }
    }

    static void rejectCategorical(int tree, int node, int feature, int splitType)
            throws XgbUnsupportedModelException {
        throw new XgbUnsupportedModelException("tree " + tree + " node " + node + " has a categorical split"
                + " (split_type=" + splitType + ") on feature " + feature + ": categorical splits are not supported"
                + " (the compiler only emits numeric 'x < threshold' tests); retrain with numerically or one-hot"
                + " encoded features");
    }

    static XgbModel assemble(String objectiveName, int numFeature, int numClass, float[] baseScores,
                             List<XgbTree> trees, int[] treeInfo, float[] weights, String version)
            throws XgbModelException {
        XgbObjective objective = XgbObjective.forName(objectiveName);
        if (numFeature <= 0) {
            throw new XgbModelException("model declares num_feature=" + numFeature);
        }
        // Budgets before anything is sized by these counts (XgbLimits): nothing in the file is stored per feature,
        // and every output group needs at least one tree.
        if (numFeature > XgbLimits.MAX_FEATURES) {
            throw new XgbModelException("model declares num_feature=" + numFeature + ", above the limit of "
                    + XgbLimits.MAX_FEATURES + " features");
        }
        if (numClass > XgbLimits.MAX_CLASSES || (numClass > 1 && numClass > trees.size())) {
            throw new XgbModelException("model declares num_class=" + numClass + " but has " + trees.size()
                    + " trees (at least one per class is needed; at most " + XgbLimits.MAX_CLASSES + " classes)");
        }
        int groups = Math.max(1, numClass);
        boolean multiclass = objective.transform() == XgbObjective.Transform.SOFTMAX
                || objective.transform() == XgbObjective.Transform.ARGMAX;
        if (multiclass ? numClass < 1 : numClass > 1) {
            throw new XgbModelException("objective " + objectiveName + " is inconsistent with num_class=" + numClass);
        }
        float[] base;
        if (baseScores.length == groups) {
            base = baseScores.clone();
        } else if (baseScores.length == 1) {
            base = new float[groups];
            java.util.Arrays.fill(base, baseScores[0]);
        } else {
            throw new XgbModelException("base_score has " + baseScores.length + " values for " + groups + " groups");
        }
        float[] margin = new float[groups];
        for (int g = 0; g < groups; g++) {
            margin[g] = objective.toMargin(base[g]);
        }
        if (treeInfo.length != trees.size()) {
            throw new XgbModelException("tree_info has " + treeInfo.length + " entries for " + trees.size() + " trees");
        }
        for (int i = 0; i < treeInfo.length; i++) {
            if (treeInfo[i] < 0 || treeInfo[i] >= groups) {
                throw new XgbModelException("tree " + i + " belongs to output group " + treeInfo[i]
                        + " but the model has " + groups);
            }
        }
        if (weights != null && weights.length != trees.size()) {
            throw new XgbModelException("dart weight_drop has " + weights.length + " entries for "
                    + trees.size() + " trees");
        }
        for (int i = 0; i < trees.size(); i++) {
            validateTree(i, trees.get(i), numFeature);
        }
        XgbModel model = new XgbModel(objective, numFeature, numClass, base, margin, List.copyOf(trees), treeInfo,
                weights, version);
        VerificationRows.checkBudget(model);
        return model;
    }

    /** Every reachable node visited once (no cycles or shared children), children and features in range. */
    private static void validateTree(int t, XgbTree tree, int numFeature) throws XgbModelException {
        int n = tree.numNodes();
        if (n == 0) {
            throw new XgbModelException("tree " + t + " has no nodes");
        }
        boolean[] seen = new boolean[n];
        List<Integer> stack = new ArrayList<>(List.of(0));
        while (!stack.isEmpty()) {
            int node = stack.remove(stack.size() - 1);
            if (seen[node]) {
                throw new XgbModelException("tree " + t + " node " + node + " is reachable twice (not a tree)");
            }
            seen[node] = true;
            if (tree.isLeaf(node)) {
                // XGBoost never writes a non-finite leaf; one would make every prediction through it NaN or infinite.
                if (!Float.isFinite(tree.leafValue()[node])) {
                    throw new XgbModelException("tree " + t + " node " + node + " has a non-finite leaf value "
                            + tree.leafValue()[node]);
                }
                continue;
            }
            int l = tree.left()[node];
            int r = tree.right()[node];
            if (l <= 0 || l >= n || r <= 0 || r >= n) {
                throw new XgbModelException("tree " + t + " node " + node + " has children out of range: " + l
                        + ", " + r + " (" + n + " nodes)");
            }
            int f = tree.splitIndex()[node];
            if (f < 0 || f >= numFeature) {
                throw new XgbModelException("tree " + t + " node " + node + " splits on feature " + f
                        + " but the model has " + numFeature + " features");
            }
            if (!Float.isFinite(tree.threshold()[node])) {
                throw new XgbModelException("tree " + t + " node " + node + " has a non-finite threshold "
                        + tree.threshold()[node]);
            }
            stack.add(r);
            stack.add(l);
        }
    }
}
