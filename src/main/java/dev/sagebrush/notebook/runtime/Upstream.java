package dev.sagebrush.notebook.runtime;

import java.net.URI;

/**
 * Where the proxy reaches a running instance's Jupyter, and the token it must present. The token never leaves the
 * server: the proxy injects it, the browser never sees it.
 */
public record Upstream(URI uri, String token) {
    @Override
    public String toString() {
        return "Upstream[" + uri + "]"; // never log the token
    }
}
