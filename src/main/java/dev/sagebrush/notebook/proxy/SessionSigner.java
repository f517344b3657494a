package dev.sagebrush.notebook.proxy;

import dev.sagebrush.auth.Hmac;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;

/**
 * The two credentials of the notebook proxy, both HMAC-SHA256 over their claims with a server key kept in the data
 * directory (so a server restart keeps honouring them):
 * <ul>
 *   <li>the presigned URL's {@code authToken}: instance, expiry (5 minutes, as AWS), session duration to grant;</li>
 *   <li>the session cookie it is exchanged for: instance and expiry (SessionExpirationDurationInSeconds).</li>
 * </ul>
 * Both name the instance by account, region, name <em>and creation time</em>: a credential for a deleted instance
 * does not open a new instance that reuses its name. The kind is part of the signed payload, so a cookie value is
 * not accepted as an authToken or the other way round.
 */
public final class SessionSigner {
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder B64D = Base64.getUrlDecoder();

    /** One notebook instance, as credentials name it. */
    public record InstanceRef(String account, String region, String name, long createdMillis) {}

    public record Presigned(InstanceRef instance, int sessionSeconds) {}

    private final byte[] key;

    public SessionSigner(byte[] key) {
        this.key = key.clone();
    }

    public String presign(InstanceRef ref, Instant expires, int sessionSeconds) {
        return sign("presign", ref, expires, Integer.toString(sessionSeconds));
    }

    public Optional<Presigned> verifyPresigned(String token, Instant now) {
        return verify("presign", token, now).map(f -> new Presigned(ref(f), Integer.parseInt(f[6])));
    }

    public String session(InstanceRef ref, Instant expires) {
        return sign("session", ref, expires, "");
    }

    public Optional<InstanceRef> verifySession(String value, Instant now) {
        return verify("session", value, now).map(SessionSigner::ref);
    }

    private String sign(String kind, InstanceRef ref, Instant expires, String extra) {
        String payload = String.join("\n", kind, ref.account(), ref.region(), ref.name(),
                Long.toString(ref.createdMillis()), Long.toString(expires.getEpochSecond()), extra);
        byte[] body = payload.getBytes(StandardCharsets.UTF_8);
        return B64.encodeToString(body) + "." + B64.encodeToString(mac(body));
    }

    /** The claims of a well-signed, unexpired credential of this kind; empty for anything else. */
    private Optional<String[]> verify(String kind, String token, Instant now) {
        if (token == null || token.length() > 2048) return Optional.empty();
        int dot = token.indexOf('.');
        if (dot < 0) return Optional.empty();
        try {
            byte[] body = B64D.decode(token.substring(0, dot));
            byte[] mac = B64D.decode(token.substring(dot + 1));
            if (!MessageDigest.isEqual(mac, mac(body))) return Optional.empty();
            String[] f = new String(body, StandardCharsets.UTF_8).split("\n", -1);
            if (f.length != 7 || !f[0].equals(kind)) return Optional.empty();
            if (now.getEpochSecond() >= Long.parseLong(f[5])) return Optional.empty();
            return Optional.of(f);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static InstanceRef ref(String[] f) {
        return new InstanceRef(f[1], f[2], f[3], Long.parseLong(f[4]));
    }

    private byte[] mac(byte[] body) {
        return Hmac.sha256(key, body);
    }
}
