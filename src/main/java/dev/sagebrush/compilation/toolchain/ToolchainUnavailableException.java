package dev.sagebrush.compilation.toolchain;

/** This host lacks a compiler, sysroot or emulator for a target; the message names the Debian package to install. */
public class ToolchainUnavailableException extends ToolchainException {
    public ToolchainUnavailableException(String message) { super(message); }
}
