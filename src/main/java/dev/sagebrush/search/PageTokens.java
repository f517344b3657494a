package dev.sagebrush.search;

import dev.sagebrush.auth.Hmac;
import dev.sagebrush.errors.AwsException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;

/**
 * Opaque, tamper-evident NextTokens. A token names a position in the result order, the last record returned (its
 * sort value and ARN), not an offset: the next page is every match strictly after it, so adding or removing other
 * jobs between pages neither repeats nor skips the jobs that stayed. It also carries a hash of the query, so a token
 * cannot continue a different SearchExpression/SortBy/SortOrder, and an HMAC-SHA256 (truncated to 128 bits) under a
 * server key, so a client cannot forge a position.
 *
 * <p>Layout before base64url: version(1) | queryHash(16) | keyTag(1) | key | arn(UTF) | mac(16).
 */
final class PageTokens {
    static final String INVALID = "Invalid NextToken: the token is malformed or was not issued by this server.";
    static final String MISMATCH = "Invalid NextToken: the token belongs to a different search request; repeat "
            + "the request with the same SearchExpression, SortBy and SortOrder.";

    private static final byte VERSION = 1;
    private static final int HASH_BYTES = 16;
    private static final int MAC_BYTES = 16;

    private final byte[] key;

    PageTokens(byte[] hmacKey) {
        if (hmacKey == null || hmacKey.length < 16) {
            throw new IllegalArgumentException("the page token key must have at least 16 bytes");
        }
        this.key = hmacKey.clone();
    }

    /** A position in the result order: the sort value (null when the record has none) and the ARN. */
    record Position(Object sortKey, String arn) {}

    static byte[] queryHash(String canonicalQuery) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(canonicalQuery.getBytes(
                    java.nio.charset.StandardCharsets.UTF_8));
            return Arrays.copyOf(digest, HASH_BYTES);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    String encode(byte[] queryHash, Position position) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(128);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(VERSION);
            out.write(queryHash, 0, HASH_BYTES);
            Object k = position.sortKey();
            if (k == null) {
                out.writeByte('-');
            } else if (k instanceof Double) {
                out.writeByte('d');
                out.writeLong(Double.doubleToLongBits((Double) k));
            } else if (k instanceof Long) {
                out.writeByte('l');
                out.writeLong((Long) k);
            } else if (k instanceof Boolean) {
                out.writeByte('b');
                out.writeBoolean((Boolean) k);
            } else {
                out.writeByte('s');
                out.writeUTF((String) k);
            }
            out.writeUTF(position.arn());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        byte[] payload = bytes.toByteArray();
        byte[] token = Arrays.copyOf(payload, payload.length + MAC_BYTES);
        System.arraycopy(mac(payload), 0, token, payload.length, MAC_BYTES);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(token);
    }

    /** The position a token names; ValidationException if it is forged, damaged, or from another query. */
    Position decode(String token, byte[] queryHash) {
        byte[] raw;
        try {
            raw = Base64.getUrlDecoder().decode(token);
        } catch (IllegalArgumentException e) {
            throw AwsException.validation(INVALID);
        }
        if (raw.length < 1 + HASH_BYTES + MAC_BYTES + 1) {
            throw AwsException.validation(INVALID);
        }
        byte[] payload = Arrays.copyOf(raw, raw.length - MAC_BYTES);
        byte[] tag = Arrays.copyOfRange(raw, raw.length - MAC_BYTES, raw.length);
        if (!MessageDigest.isEqual(tag, Arrays.copyOf(mac(payload), MAC_BYTES)) || payload[0] != VERSION) {
            throw AwsException.validation(INVALID);
        }
        if (!MessageDigest.isEqual(Arrays.copyOfRange(payload, 1, 1 + HASH_BYTES), queryHash)) {
            throw AwsException.validation(MISMATCH);
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(payload, 1 + HASH_BYTES,
                payload.length))) {
            int tagByte = in.readByte();
            Object k;
            switch (tagByte) {
                case '-': k = null; break;
                case 'd': k = Double.longBitsToDouble(in.readLong()); break;
                case 'l': k = in.readLong(); break;
                case 'b': k = in.readBoolean(); break;
                case 's': k = in.readUTF(); break;
                default: throw AwsException.validation(INVALID);
            }
            return new Position(k, in.readUTF());
        } catch (IOException e) {
            throw AwsException.validation(INVALID); // signed by us but unreadable: a version skew, not a client bug
        }
    }

    private byte[] mac(byte[] payload) {
        return Hmac.sha256(key, payload);
    }
}
