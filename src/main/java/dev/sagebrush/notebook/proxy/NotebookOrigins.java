package dev.sagebrush.notebook.proxy;

import dev.sagebrush.notebook.runtime.InstanceKey;
import java.net.URI;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Each notebook instance has its own web origin, {@code http://<name>.<account>.<region>.<domain>:<port>/}, as AWS
 * gives each instance its own host name ({@code <name>.notebook.<region>.sagemaker.aws}). Code served by one instance
 * (a {@code custom.js} its owner wrote, a notebook's output) then runs in that origin only: the browser keeps it away
 * from every other instance's pages, cookies and WebSockets.
 *
 * <p>The default domain is {@code notebook.localhost}: browsers resolve every {@code *.localhost} name to loopback
 * (RFC 6761), so this needs no DNS for a server on the same machine. For a remote server, point a wildcard DNS name at
 * it and start with {@code --notebook-domain}. The scheme and port are those of the server's endpoint.
 */
public final class NotebookOrigins {
    public static final String DEFAULT_DOMAIN = "notebook.localhost";

    private final String domain;
    private final Supplier<URI> endpoint;

    /** @param endpoint this server as clients reach it (scheme and port are reused for the notebook origins) */
    public NotebookOrigins(String domain, Supplier<URI> endpoint) {
        String d = domain.toLowerCase(Locale.ROOT);
        if (!d.matches("[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*")) {
            throw new IllegalArgumentException("not a DNS domain: " + domain);
        }
        this.domain = d;
        this.endpoint = endpoint;
    }

    public String domain() {
        return domain;
    }

    /** {@code <name>.<account>.<region>.<domain>}, lower-cased. */
    public String host(InstanceKey key) {
        return key.label() + "." + key.account() + "." + key.region() + "." + domain;
    }

    /** The instance's origin, e.g. {@code http://demo.000000000000.us-east-1.notebook.localhost:8080}. */
    public String origin(InstanceKey key) {
        URI e = endpoint.get();
        return e.getScheme() + "://" + host(key) + (e.getPort() < 0 ? "" : ":" + e.getPort());
    }

    /** True when a Host header names some notebook origin (routing: these requests belong to the proxy). */
    public boolean isNotebookHost(String hostHeader) {
        return hostHeader != null && hostOnly(hostHeader).endsWith("." + domain);
    }

    /** The instance a Host header names; empty for anything else. The name is the lower-cased label. */
    public Optional<InstanceKey> instanceAt(String hostHeader) {
        if (!isNotebookHost(hostHeader)) return Optional.empty();
        String h = hostOnly(hostHeader);
        String[] labels = h.substring(0, h.length() - domain.length() - 1).split("\\.", -1);
        if (labels.length != 3) return Optional.empty();
        try {
            return Optional.of(new InstanceKey(labels[1], labels[2], labels[0]));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static String hostOnly(String hostHeader) {
        String h = hostHeader.toLowerCase(Locale.ROOT);
        int colon = h.lastIndexOf(':');
        if (colon > h.lastIndexOf(']')) h = h.substring(0, colon);
        return h.endsWith(".") ? h.substring(0, h.length() - 1) : h;
    }
}
