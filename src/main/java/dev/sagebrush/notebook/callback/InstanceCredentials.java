package dev.sagebrush.notebook.callback;

import dev.sagebrush.auth.Hmac;
import dev.sagebrush.auth.Account;
import dev.sagebrush.auth.TemporaryCredentials;
import dev.sagebrush.errors.AwsException;
import dev.sagebrush.notebook.proxy.SessionSigner;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The credentials a notebook instance gets, as an EC2 instance gets its role's: short-lived, scoped to the instance's
 * account, refreshed by the AWS SDKs themselves from the container credentials endpoint
 * ({@link CredentialsEndpoint}). Stateless: everything is in the session token, HMAC-signed with a server key, and
 * the access key id and the secret are derived from the token, so the server stores nothing per credential and a
 * restart keeps honouring them.
 *
 * <p>A credential works while (a) it has not expired ({@link #LIFETIME}) and (b) the instance it was issued to still
 * exists with the same creation time and is Pending or InService: stopping or deleting the instance revokes every
 * credential it was given, at once. The endpoint's own authorization token names the instance the same way.
 */
public final class InstanceCredentials implements TemporaryCredentials {
    /** Like an instance profile's: about an hour. botocore refreshes 15 minutes before expiry. */
    public static final Duration LIFETIME = Duration.ofHours(1);
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder B64D = Base64.getUrlDecoder();
    private static final String BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

    /** What the credentials endpoint returns (AWS's container credentials document). */
    public record Issued(String accessKeyId, String secretAccessKey, String sessionToken, Instant expiration) {}

    private final byte[] key;
    private final Clock clock;
    private final Predicate<SessionSigner.InstanceRef> active;
    private final SecureRandom random = new SecureRandom();

    /**
     * @param key    server secret (kept in the data directory)
     * @param active whether an instance (account, region, name, creation time) exists and is Pending or InService
     */
    public InstanceCredentials(byte[] key, Clock clock, Predicate<SessionSigner.InstanceRef> active) {
        this.key = key.clone();
        this.clock = clock;
        this.active = active;
    }

    /** The token the instance presents to the credentials endpoint (AWS_CONTAINER_AUTHORIZATION_TOKEN). */
    public String endpointToken(SessionSigner.InstanceRef ref) {
        return sign(String.join("\n", "endpoint", ref.account(), ref.region(), ref.name(),
                Long.toString(ref.createdMillis())));
    }

    /** The instance an endpoint token names, if it is well signed and the instance is still active. */
    public Optional<SessionSigner.InstanceRef> verifyEndpointToken(String token) {
        return verified(token).filter(f -> f.length == 5 && f[0].equals("endpoint"))
                .map(f -> new SessionSigner.InstanceRef(f[1], f[2], f[3], Long.parseLong(f[4])))
                .filter(active);
    }

    public Issued issue(SessionSigner.InstanceRef ref) {
        Instant expires = clock.instant().plus(LIFETIME);
        byte[] nonce = new byte[12];
        random.nextBytes(nonce);
        String token = sign(String.join("\n", "credentials", ref.account(), ref.region(), ref.name(),
                Long.toString(ref.createdMillis()), Long.toString(expires.getEpochSecond()), B64.encodeToString(nonce)));
        return new Issued(accessKeyId(token), secret(token), token, expires);
    }

    @Override
    public Optional<Account> resolve(String accessKeyId, String sessionToken) {
        Optional<String[]> f = verified(sessionToken).filter(x -> x.length == 7 && x[0].equals("credentials"));
        if (f.isEmpty() || !MessageDigest.isEqual(accessKeyId(sessionToken).getBytes(StandardCharsets.US_ASCII),
                accessKeyId.getBytes(StandardCharsets.US_ASCII))) {
            return Optional.empty();
        }
        String[] c = f.get();
        if (clock.instant().getEpochSecond() >= Long.parseLong(c[5])) {
            throw new AwsException("ExpiredTokenException", 400, "The security token included in the request is expired");
        }
        if (!active.test(new SessionSigner.InstanceRef(c[1], c[2], c[3], Long.parseLong(c[4])))) {
            // Stopped or deleted: what it was issued to no longer runs. AWS says the same of a revoked session.
            throw new AwsException("ExpiredTokenException", 400, "The security token included in the request is expired");
        }
        return Optional.of(new Account(accessKeyId, secret(sessionToken), c[1]));
    }

    /** {@code ASIA} and 16 base32 characters, as AWS's temporary access key ids look. */
    String accessKeyId(String token) {
        byte[] h = mac(("access-key-id\n" + token).getBytes(StandardCharsets.UTF_8));
        StringBuilder b = new StringBuilder("ASIA");
        long bits = 0;
        int n = 0;
        for (int i = 0; b.length() < 20; ) {
            if (n < 5) {
                bits = (bits << 8) | (h[i++] & 0xff);
                n += 8;
            }
            b.append(BASE32.charAt((int) ((bits >> (n - 5)) & 31)));
            n -= 5;
        }
        return b.toString().toUpperCase(Locale.ROOT);
    }

    private String secret(String token) {
        return Base64.getEncoder().encodeToString(mac(("secret\n" + token).getBytes(StandardCharsets.UTF_8))).substring(0, 40);
    }

    private String sign(String payload) {
        byte[] body = payload.getBytes(StandardCharsets.UTF_8);
        return B64.encodeToString(body) + "." + B64.encodeToString(mac(body));
    }

    private Optional<String[]> verified(String token) {
        if (token == null || token.length() > 2048) return Optional.empty();
        int dot = token.indexOf('.');
        if (dot < 0) return Optional.empty();
        try {
            byte[] body = B64D.decode(token.substring(0, dot));
            if (!MessageDigest.isEqual(B64D.decode(token.substring(dot + 1)), mac(body))) return Optional.empty();
            String[] f = new String(body, StandardCharsets.UTF_8).split("\n", -1);
            if (f.length >= 5) Long.parseLong(f[4]);
            if (f.length >= 6) Long.parseLong(f[5]);
            return Optional.of(f);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private byte[] mac(byte[] body) {
        return Hmac.sha256(key, body);
    }
}
