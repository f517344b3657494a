package dev.sagebrush.protocol;

import java.util.Optional;

/**
 * The service name a request was signed for, read from the SigV4 credential scope without verifying anything
 * ({@code Credential=AKID/20261204/us-east-1/monitoring/aws4_request}). It only chooses which service answers; that
 * service then verifies the signature in full.
 */
public final class SigningScope {
    private SigningScope() {}

    public static Optional<String> service(String authorization, String queryCredential) {
        String credential = null;
        if (authorization != null) {
            int i = authorization.indexOf("Credential=");
            if (i >= 0) {
                int end = authorization.indexOf(',', i);
                credential = authorization.substring(i + "Credential=".length(), end < 0 ? authorization.length() : end);
            }
        } else if (queryCredential != null) {
            credential = queryCredential;
        }
        if (credential == null) return Optional.empty();
        String[] parts = credential.strip().split("/");
        return parts.length == 5 && !parts[3].isEmpty() ? Optional.of(parts[3]) : Optional.empty();
    }
}
