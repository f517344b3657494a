package dev.sagebrush.notebook.runtime;

/** A start or an update that did not work; the message is the instance's FailureReason, worded for the user. */
public final class RuntimeFailure extends Exception {
    public RuntimeFailure(String failureReason) {
        super(failureReason, null, false, false);
    }
}
