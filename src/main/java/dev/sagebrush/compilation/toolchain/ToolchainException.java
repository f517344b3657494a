package dev.sagebrush.compilation.toolchain;

/** A compile, link, run or ELF check failed. The message is meant for the job's FailureReason. */
public class ToolchainException extends Exception {
    public ToolchainException(String message) { super(message); }

    public ToolchainException(String message, Throwable cause) { super(message, cause); }
}
