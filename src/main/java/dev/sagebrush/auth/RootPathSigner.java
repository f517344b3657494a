package dev.sagebrush.auth;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * SigV4 for the one request shape every awsJson call has: {@code POST /} with no query string. For that shape the
 * canonical request has no URI or query encoding to get wrong, so it is computed directly, and the derived signing
 * key (four HMACs) is cached per secret, day, region and service. This is the hot path of every API call; the SDK's
 * general signer, which {@link SigV4Verifier} uses for any other shape, spent most of its time rebuilding requests.
 * A unit test checks this signer against the SDK's on many requests.
 */
final class RootPathSigner {
    private static final HexFormat HEX = HexFormat.of();
    private static final int MAX_CACHED_KEYS = 4096;

    private final Map<String, byte[]> signingKeys = new ConcurrentHashMap<>();

    static boolean applies(String method, String rawPath, String rawQuery) {
        return "/".equals(rawPath) && (rawQuery == null || rawQuery.isEmpty());
    }

    String signature(String method, List<String> signedHeaders, Function<String, String> header, byte[] body,
                     String amzDate, String date, String region, String service, String secret) {
        return signature(method, signedHeaders, header, HEX.formatHex(sha256(body)), amzDate, date, region, service,
                secret);
    }

    /** The same, from the payload's SHA-256 in hex: lets a request be verified before its body is read. */
    String signature(String method, List<String> signedHeaders, Function<String, String> header, String payloadHash,
                     String amzDate, String date, String region, String service, String secret) {
        StringBuilder canonical = new StringBuilder(512)
                .append(method).append("\n/\n\n");
        for (String name : signedHeaders) {
            String value = header.apply(name);
            canonical.append(name).append(':').append(value == null ? "" : trimAll(value)).append('\n');
        }
        canonical.append('\n').append(String.join(";", signedHeaders)).append('\n').append(payloadHash);
        String scope = date + "/" + region + "/" + service + "/aws4_request";
        String toSign = "AWS4-HMAC-SHA256\n" + amzDate + "\n" + scope + "\n"
                + HEX.formatHex(sha256(canonical.toString().getBytes(StandardCharsets.UTF_8)));
        return HEX.formatHex(hmac(signingKey(secret, date, region, service), toSign));
    }

    private byte[] signingKey(String secret, String date, String region, String service) {
        String cacheKey = secret + '\u0000' + date + '\u0000' + region + '\u0000' + service;
        byte[] key = signingKeys.get(cacheKey);
        if (key == null) {
            byte[] k = hmac(("AWS4" + secret).getBytes(StandardCharsets.UTF_8), date);
            k = hmac(k, region);
            k = hmac(k, service);
            key = hmac(k, "aws4_request");
            if (signingKeys.size() >= MAX_CACHED_KEYS) {
                signingKeys.clear(); // days roll over; a full cache is mostly yesterday's keys
            }
            signingKeys.put(cacheKey, key);
        }
        return key;
    }

    /** SigV4's "trimall": leading and trailing spaces removed, inner runs of spaces collapsed to one. */
    static String trimAll(String v) {
        String t = v.strip();
        if (t.indexOf("  ") < 0) return t;
        return t.replaceAll(" +", " ");
    }

    /**
     * One SHA-256 and one HMAC engine per thread: {@code getInstance} walks the security providers on every call, and
     * that lookup cost more than hashing a small request. The HMAC engine keeps the key it was last given: the
     * signature of every call with the same cached signing key needs no new initialisation.
     */
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    });

    private static final class KeyedMac {
        final Mac mac;
        byte[] key; // the array the engine holds, compared by identity: keys are never modified

        KeyedMac() {
            try {
                mac = Mac.getInstance("HmacSHA256");
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private static final ThreadLocal<KeyedMac> HMAC = ThreadLocal.withInitial(KeyedMac::new);

    static byte[] sha256(byte[] data) {
        return SHA256.get().digest(data); // digest() leaves the engine reset for the next call
    }

    private static byte[] hmac(byte[] key, String data) {
        KeyedMac m = HMAC.get();
        try {
            if (m.key != key) {
                m.mac.init(new SecretKeySpec(key, "HmacSHA256"));
                m.key = key;
            }
            return m.mac.doFinal(data.getBytes(StandardCharsets.UTF_8)); // doFinal resets, keeping the key
        } catch (GeneralSecurityException e) {
            m.key = null;
            throw new IllegalStateException(e);
        }
    }
}
