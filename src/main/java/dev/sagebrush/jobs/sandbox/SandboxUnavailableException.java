package dev.sagebrush.jobs.sandbox;

import java.io.IOException;

/** This host cannot make a sandbox (bubblewrap missing, not root, ...): untrusted work must not run at all. */
public final class SandboxUnavailableException extends IOException {
    public SandboxUnavailableException(String message) {
        super(message);
    }
}
