package dev.sagebrush.console;

import dev.sagebrush.auth.SigV4Verifier;
import dev.sagebrush.errors.AwsException;
import dev.sagebrush.protocol.Gateway;
import io.undertow.server.HttpServerExchange;
import java.util.function.Function;

/**
 * Authenticates the console's API calls: the session cookie names the account and region, and the request must pass
 * every {@link BrowserGuard} check. What follows (operation table, decoding, validation, the feature) is the one
 * pipeline every SigV4 client goes through.
 */
final class SessionAuthenticator implements Gateway.Authenticator {
    private final ConsoleSessions sessions;

    SessionAuthenticator(ConsoleSessions sessions) {
        this.sessions = sessions;
    }

    @Override
    public Function<byte[], SigV4Verifier.Verified> check(HttpServerExchange exchange) {
        // Everything is decided from the headers, before the body is read.
        if (!BrowserGuard.fromOwnOrigin(exchange)) {
            throw new AwsException("AccessDeniedException", 403, "Cross-origin console requests are refused.");
        }
        String type = exchange.getRequestHeaders().getFirst(io.undertow.util.Headers.CONTENT_TYPE);
        if (type == null || !type.startsWith("application/x-amz-json-")) {
            // Never a type an HTML form can send.
            throw new AwsException("AccessDeniedException", 403, "Console API calls must be application/x-amz-json-1.1.");
        }
        ConsoleSessions.Session session = BrowserGuard.sessionId(exchange).flatMap(sessions::find)
                .orElseThrow(() -> new AwsException("ExpiredTokenException", 403,
                        "The console session has expired or was signed out. Sign in again."));
        if (!ConsoleSessions.csrfMatches(session, exchange.getRequestHeaders().getFirst(BrowserGuard.CSRF_HEADER))) {
            throw new AwsException("AccessDeniedException", 403, "Missing or wrong CSRF token.");
        }
        SigV4Verifier.Verified who = new SigV4Verifier.Verified(session.account(), session.region());
        return body -> who;
    }
}
