package dev.sagebrush.storage;

import dev.sagebrush.auth.Account;
import dev.sagebrush.auth.TemporaryCredentials;
import dev.sagebrush.errors.AwsException;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import java.time.Clock;
import java.time.Duration;
import java.util.Deque;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Temporary credentials (access key id, secret, session token) at the S3 front door, as S3 checks them: the session
 * token, in the {@code X-Amz-Security-Token} header or the presigned query parameter of that name, is verified by its
 * issuer ({@link TemporaryCredentials}) on every request before s3proxy sees it. A token the issuer did not issue, or
 * one that does not belong to the access key id, is S3's 400 InvalidToken; one that has expired or whose notebook
 * instance no longer runs is S3's 400 ExpiredToken.
 *
 * <p>s3proxy then verifies the signature itself, asking {@link AccountLocator} for the secret (and account) of the
 * access key id. A temporary secret cannot be derived from the key id alone (it comes from the token), so the gate
 * leaves the token's account here for {@link #accountFor} to answer, for {@link #SECRET_TTL} only. s3proxy listens on a loopback port that
 * other local processes can reach without passing this gate; because nothing but this gate puts a secret here, and
 * only after the token was checked, a direct caller could use a temporary key at most that long after its token
 * stopped being honoured, and only if it also holds the secret.
 */
final class SessionTokenGate {
    /** Long enough to cover the hand-over to s3proxy on a loaded machine; short next to a token's lifetime. */
    static final Duration SECRET_TTL = Duration.ofSeconds(10);
    private static final int SWEEP_ABOVE = 4096;

    private record Remembered(Account account, long untilMillis) {}

    private final TemporaryCredentials issuer;
    private final Clock clock;
    private final Map<String, Remembered> secrets = new ConcurrentHashMap<>();

    SessionTokenGate(TemporaryCredentials issuer, Clock clock) {
        this.issuer = issuer;
        this.clock = clock;
    }

    /**
     * The account (and temporary secret) of an access key id whose token this gate accepted within the last
     * {@link #SECRET_TTL}: a notebook instance's credentials are its account's.
     */
    Optional<Account> accountFor(String accessKeyId) {
        Remembered r = secrets.get(accessKeyId);
        if (r == null) return Optional.empty();
        if (clock.millis() >= r.untilMillis()) {
            secrets.remove(accessKeyId, r);
            return Optional.empty();
        }
        return Optional.of(r.account());
    }

    /** S3's refusal of the request's session token, or null when it may go on to s3proxy. */
    S3RequestRules.Refusal check(HttpServerExchange exchange) {
        String accessKeyId = accessKeyId(exchange);
        if (accessKeyId == null) return null; // unsigned: never routed here, and s3proxy serves nothing anonymously
        String token = sessionToken(exchange);
        if (token == null || token.isEmpty()) {
            // A temporary key without its token: S3 does not know the key on its own (and the remembered secret must
            // not stand in for the token).
            return secrets.containsKey(accessKeyId) ? unknownKey() : null;
        }
        Optional<Account> account;
        try {
            account = issuer.resolve(accessKeyId, token);
        } catch (AwsException e) {
            secrets.remove(accessKeyId);
            if ("ExpiredTokenException".equals(e.errorType())) {
                return new S3RequestRules.Refusal(400, "ExpiredToken", "The provided token has expired.");
            }
            throw e;
        }
        if (account.isEmpty()) {
            secrets.remove(accessKeyId);
            return new S3RequestRules.Refusal(400, "InvalidToken", "The provided token is malformed or otherwise invalid.");
        }
        remember(accessKeyId, account.get());
        return null;
    }

    private void remember(String accessKeyId, Account account) {
        long now = clock.millis();
        if (secrets.size() > SWEEP_ABOVE) {
            secrets.values().removeIf(r -> now >= r.untilMillis());
        }
        secrets.put(accessKeyId, new Remembered(account, now + SECRET_TTL.toMillis()));
    }

    private static S3RequestRules.Refusal unknownKey() {
        return new S3RequestRules.Refusal(403, "InvalidAccessKeyId",
                "The AWS Access Key Id you provided does not exist in our records.");
    }

    /**
     * The access key id of a SigV4 or V2 request, signed in the Authorization header or presigned in the query;
     * null when there is none.
     */
    static String accessKeyId(HttpServerExchange exchange) {
        String auth = exchange.getRequestHeaders().getFirst(Headers.AUTHORIZATION);
        if (auth != null) {
            if (auth.startsWith("AWS ")) {
                int colon = auth.indexOf(':');
                return colon < 0 ? null : auth.substring(4, colon).strip();
            }
            int at = auth.indexOf("Credential=");
            if (at < 0) return null;
            int slash = auth.indexOf('/', at);
            return slash < 0 ? null : auth.substring(at + "Credential=".length(), slash).strip();
        }
        String credential = query(exchange, "X-Amz-Credential");
        if (credential != null) {
            int slash = credential.indexOf('/');
            return slash < 0 ? null : credential.substring(0, slash);
        }
        return query(exchange, "AWSAccessKeyId");
    }

    static boolean hasSessionToken(HttpServerExchange exchange) {
        return sessionToken(exchange) != null;
    }

    private static String sessionToken(HttpServerExchange exchange) {
        String header = exchange.getRequestHeaders().getFirst("X-Amz-Security-Token");
        if (header != null) return header;
        String token = query(exchange, "X-Amz-Security-Token");
        return token != null ? token : query(exchange, "x-amz-security-token"); // V2 presigned URLs use lower case
    }

    private static String query(HttpServerExchange exchange, String name) {
        Deque<String> values = exchange.getQueryParameters().get(name);
        return values == null || values.isEmpty() ? null : values.getFirst();
    }
}
