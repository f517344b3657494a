package dev.sagebrush.compilation.xgboost;

/**
 * The model is valid XGBoost but uses a feature this compiler does not implement (categorical splits, multi-target
 * trees, gblinear, an unknown objective). The message says exactly what and why, for the job's FailureReason.
 */
public class XgbUnsupportedModelException extends XgbModelException {
    public XgbUnsupportedModelException(String message) { super(message); }
}
