package dev.sagebrush.auth;

import dev.sagebrush.errors.AwsException;
import dev.sagebrush.store.ListQuery;
import dev.sagebrush.store.ResourceStore;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import java.util.Optional;

/**
 * Opaque, tamper-evident NextToken values. A token carries the keyset cursor (sort value and name of the last row)
 * and a fingerprint of the query it belongs to, MACed with the server's key: a client can neither forge a position
 * nor reuse a token with other filters. The key is a {@link ServerKeys} key, so tokens survive restarts and are
 * honoured by every node.
 */
public final class PageTokens {
    private final byte[] key;

    public PageTokens(byte[] key) {
        this.key = key.clone();
    }

    /** The NextToken that resumes after this page, or null when it is the last page. */
    public String next(String queryFingerprint, ListQuery.SortColumn sort, ResourceStore.Page page) {
        if (!page.more()) return null;
        return issue(queryFingerprint, ListQuery.Cursor.of(sort, page.rows().get(page.rows().size() - 1)));
    }

    public String issue(String queryFingerprint, ListQuery.Cursor cursor) {
        String payload = escape(cursor.sortValue()) + "\n" + escape(cursor.name());
        byte[] body = payload.getBytes(StandardCharsets.UTF_8);
        byte[] mac = mac(queryFingerprint, body);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(body) + "."
                + Base64.getUrlEncoder().withoutPadding().encodeToString(mac);
    }

    /** The cursor of a token, or a ValidationException when it was not issued by this server for this query. */
    public Optional<ListQuery.Cursor> read(String queryFingerprint, String token) {
        if (token == null || token.isEmpty()) return Optional.empty();
        try {
            int dot = token.indexOf('.');
            byte[] body = Base64.getUrlDecoder().decode(token.substring(0, dot));
            byte[] mac = Base64.getUrlDecoder().decode(token.substring(dot + 1));
            if (!MessageDigest.isEqual(mac, mac(queryFingerprint, body))) {
                throw invalid();
            }
            String[] parts = new String(body, StandardCharsets.UTF_8).split("\n", -1);
            return Optional.of(new ListQuery.Cursor(unescape(parts[0]), unescape(parts[1])));
        } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
            throw invalid();
        }
    }

    private static AwsException invalid() {
        return AwsException.validation("Invalid pagination token. The NextToken value is not valid for this request.");
    }

    private byte[] mac(String fingerprint, byte[] body) {
        return Arrays.copyOf(Hmac.sha256(key, fingerprint.getBytes(StandardCharsets.UTF_8), new byte[] {0}, body), 16);
    }

    private static String escape(String s) {
        return s == null ? "\u0000" : s.replace("\\", "\\\\").replace("\n", "\\n");
    }

    private static String unescape(String s) {
        return "\u0000".equals(s) ? null : s.replace("\\n", "\n").replace("\\\\", "\\");
    }
}
