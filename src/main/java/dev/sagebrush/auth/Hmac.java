package dev.sagebrush.auth;

import java.security.GeneralSecurityException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** HMAC-SHA256 for the server's own signed tokens (page tokens, Search tokens, sessions, issued credentials). */
public final class Hmac {
    private Hmac() {}

    /** HMAC-SHA256 of the concatenation of {@code parts}. */
    public static byte[] sha256(byte[] key, byte[]... parts) {
        try {
            Mac m = Mac.getInstance("HmacSHA256");
            m.init(new SecretKeySpec(key, "HmacSHA256"));
            for (byte[] part : parts) m.update(part);
            return m.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e); // HmacSHA256 is in every JDK
        }
    }
}
