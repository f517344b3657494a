package dev.sagebrush.compilation.xgboost;

import java.util.List;

/**
 * Format-independent IR of an XGBoost tree ensemble: what JSON, UBJSON and legacy binary loaders all produce.
 *
 * @param objective    XGBoost objective name, e.g. "binary:logistic"
 * @param numFeature   number of input columns
 * @param numClass     XGBoost's num_class (0 for non-multiclass models)
 * @param baseScore    base_score as stored in the model (probability space for logistic objectives), per group
 * @param baseMargin   base_score converted to margin space by the objective, per output group (float32, as
 *                     XGBoost computes it)
 * @param trees        trees in boosting order
 * @param treeInfo     output group of each tree
 * @param treeWeights  dart weight_drop per tree, or null for plain gbtree
 * @param xgboostVersion version recorded in the model (e.g. "1.7.4"), or "unknown"
 */
public record XgbModel(XgbObjective objective, int numFeature, int numClass, float[] baseScore, float[] baseMargin,
                       List<XgbTree> trees, int[] treeInfo, float[] treeWeights, String xgboostVersion) {

    /** Number of margin columns: num_class for multiclass, else 1. */
    public int numGroups() { return baseMargin.length; }

    /** Number of transformed output columns (multi:softmax collapses the groups to one class index). */
    public int numOutputs() { return objective.transform() == XgbObjective.Transform.ARGMAX ? 1 : numGroups(); }

    public boolean isDart() { return treeWeights != null; }

    public int maxDepth() {
        int d = 0;
        for (XgbTree t : trees) {
            d = Math.max(d, t.depth());
        }
        return d;
    }

    public int totalNodes() {
        int n = 0;
        for (XgbTree t : trees) {
            n += t.numNodes();
        }
        return n;
    }

    /**
     * Leaf value as it is added to the margin: for dart XGBoost computes {@code leaf * weight} in float32 per tree,
     * then adds; folding the product here keeps the evaluators a plain float sum.
     */
    public float effectiveLeaf(int tree, int node) {
        float v = trees.get(tree).leafValue()[node];
        return treeWeights == null ? v : v * treeWeights[tree];
    }
}
