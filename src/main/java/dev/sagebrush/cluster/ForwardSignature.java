package dev.sagebrush.cluster;

import dev.sagebrush.auth.Hmac;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;

/**
 * Proves that a request was forwarded by another node of this cluster, not sent by a client: an HMAC-SHA256, with a
 * key every node reads from the shared database, over the sending node, the time and the request line
 * ({@code <node-id> <epoch-millis> <base64url mac>} in {@link #HEADER}). A node trusts what a forward carries (it was
 * already forwarded: never forward it again; the scheme the client used) only when this verifies; a client-supplied
 * header that does not verify gets the request refused, never trusted.
 */
public final class ForwardSignature {
    public static final String HEADER = "X-Sagebrush-Forwarded-By";
    /** Nodes' clocks are synchronised (claims need it anyway); a forward older than this is refused. */
    static final Duration MAX_AGE = Duration.ofSeconds(30);

    private final byte[] key;

    public ForwardSignature(byte[] key) {
        this.key = key.clone();
    }

    public String sign(String nodeId, Instant now, String method, String host, String uri) {
        long millis = now.toEpochMilli();
        return nodeId + " " + millis + " " + mac(nodeId, millis, method, host, uri);
    }

    /** The node that forwarded the request, if {@code header} is a fresh signature over this very request. */
    public Optional<String> verify(String header, Instant now, String method, String host, String uri) {
        if (header == null) return Optional.empty();
        String[] parts = header.split(" ", -1);
        if (parts.length != 3 || parts[0].isEmpty()) return Optional.empty();
        long millis;
        try {
            millis = Long.parseLong(parts[1]);
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        if (Math.abs(now.toEpochMilli() - millis) > MAX_AGE.toMillis()) return Optional.empty();
        byte[] expected = mac(parts[0], millis, method, host, uri).getBytes(StandardCharsets.US_ASCII);
        boolean ok = MessageDigest.isEqual(expected, parts[2].getBytes(StandardCharsets.US_ASCII));
        return ok ? Optional.of(parts[0]) : Optional.empty();
    }

    private String mac(String nodeId, long millis, String method, String host, String uri) {
        String body = String.join("\n", "sagebrush-forward-v1", nodeId, Long.toString(millis), method,
                String.valueOf(host), uri);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(
                Hmac.sha256(key, body.getBytes(StandardCharsets.UTF_8)));
    }
}
