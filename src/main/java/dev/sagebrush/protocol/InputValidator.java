package dev.sagebrush.protocol;

import software.amazon.awssdk.core.SdkPojo;

/** Checks a decoded input against the operation's constraints, throwing AWS's ValidationException on violations. */
@FunctionalInterface
public interface InputValidator {
    void validate(String operationName, SdkPojo input);
}
