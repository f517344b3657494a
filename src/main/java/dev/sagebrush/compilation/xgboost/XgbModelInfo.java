package dev.sagebrush.compilation.xgboost;

/**
 * What a compilation job reports about the model (manifest and DescribeCompilationJob).
 *
 * @param numOutput            columns of neo_predict's output buffer (num_class for multiclass, else 1)
 * @param numTransformedOutput columns actually written for transformed predictions (1 for multi:softmax)
 */
public record XgbModelInfo(String objective, int numFeature, int numOutput, int numTransformedOutput, int numTrees,
                           int maxDepth, int totalNodes, boolean dart, String xgboostVersion) {
    static XgbModelInfo of(XgbModel m) {
        return new XgbModelInfo(m.objective().name(), m.numFeature(), m.numGroups(), m.numOutputs(),
                m.trees().size(), m.maxDepth(), m.totalNodes(), m.isDart(), m.xgboostVersion());
    }
}
