package dev.sagebrush.compilation.xgboost;

/** Compiled code disagrees with the reference evaluator; the artifact must not be published. */
public class XgbVerificationException extends Exception {
    public XgbVerificationException(String message) { super(message); }
}
