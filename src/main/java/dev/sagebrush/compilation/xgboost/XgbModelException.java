package dev.sagebrush.compilation.xgboost;

/** The file is not a readable XGBoost model (unknown format, truncated, inconsistent). */
public class XgbModelException extends Exception {
    public XgbModelException(String message) { super(message); }

    public XgbModelException(String message, Throwable cause) { super(message, cause); }
}
