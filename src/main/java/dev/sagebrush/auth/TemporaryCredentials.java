package dev.sagebrush.auth;

import java.util.Optional;

/**
 * Temporary credentials this server issued itself (an access key id, a secret and a session token, as AWS STS
 * issues them), presented with {@code X-Amz-Security-Token}. The verifier asks the issuer, at every request, which
 * account a token stands for and with which secret the request must be signed; the issuer answers empty for
 * anything it did not issue, and may throw an {@code AwsException} (ExpiredTokenException) for what it no longer
 * honours.
 */
@FunctionalInterface
public interface TemporaryCredentials {
    TemporaryCredentials NONE = (accessKeyId, sessionToken) -> Optional.empty();

    Optional<Account> resolve(String accessKeyId, String sessionToken);
}
