package dev.sagebrush.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sagebrush.errors.AwsException;
import dev.sagebrush.protocol.RequestContext;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.handlers.CookieImpl;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.time.Clock;
import java.util.Deque;
import java.util.Optional;
import java.util.UUID;

/**
 * Everything under {@code /console/}:
 * <ul>
 *   <li>{@code GET /console/} and its assets: the single-page console (static files, no inline script);</li>
 *   <li>{@code GET|POST /console/session}, {@code POST /console/session/sign-out}: sign in with an access key, which
 *       is exchanged for a session cookie, and out again;</li>
 *   <li>{@code POST /console/api}: the SageMaker API itself, the same awsJson1.1 bodies and X-Amz-Target every SDK
 *       sends, authenticated by the session instead of SigV4 and then run by the very same operation table;</li>
 *   <li>{@code GET /console/download?kind=&name=}: a job's artifact, through a presigned S3 URL.</li>
 * </ul>
 * Every response carries a strict Content-Security-Policy and no CORS header.
 */
public final class ConsoleHandler implements HttpHandler {
    public static final String PREFIX = "/console";
    static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "connect-src 'self'; font-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
    private static final int MAX_SIGN_IN_BYTES = 4096;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ConsoleSessions sessions;
    private final HttpHandler api;
    private final ArtifactDownloads downloads;
    private final StaticAssets assets = new StaticAssets();
    private final Clock clock;

    /** @param api the console's gateway: the shared operation table behind a {@link SessionAuthenticator} */
    ConsoleHandler(ConsoleSessions sessions, HttpHandler api, ArtifactDownloads downloads, Clock clock) {
        this.sessions = sessions;
        this.api = api;
        this.downloads = downloads;
        this.clock = clock;
    }

    public static boolean isConsolePath(String path) {
        return path.equals(PREFIX) || path.startsWith(PREFIX + "/");
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        securityHeaders(exchange);
        String path = exchange.getRequestPath();
        String method = exchange.getRequestMethod().toString();
        if (path.equals(PREFIX)) {
            exchange.setStatusCode(302);
            exchange.getResponseHeaders().put(Headers.LOCATION, PREFIX + "/");
            exchange.endExchange();
            return;
        }
        String rest = path.substring(PREFIX.length() + 1);
        switch (rest) {
            case "api" -> {
                if (!method.equals("POST")) {
                    text(exchange, 405, "POST the SageMaker API's awsJson1.1 bodies here, with X-Amz-Target.");
                } else {
                    exchange.getResponseHeaders().put(Headers.CACHE_CONTROL, "no-store");
                    api.handleRequest(exchange);
                }
            }
            case "session" -> {
                if (exchange.isInIoThread()) {
                    exchange.dispatch(this);
                } else if (method.equals("GET")) {
                    currentSession(exchange);
                } else if (method.equals("POST")) {
                    signIn(exchange);
                } else {
                    text(exchange, 405, "GET or POST.");
                }
            }
            case "session/sign-out" -> signOut(exchange, method);
            case "download" -> {
                if (exchange.isInIoThread()) exchange.dispatch(this);
                else download(exchange);
            }
            case "" -> asset(exchange, "index.html");
            default -> asset(exchange, rest);
        }
    }

    private void asset(HttpServerExchange exchange, String name) {
        String method = exchange.getRequestMethod().toString();
        if (!method.equals("GET") && !method.equals("HEAD")) {
            text(exchange, 405, "Console pages are read with GET.");
            return;
        }
        assets.find(name).ifPresentOrElse(a -> assets.send(exchange, a),
                () -> text(exchange, 404, "No console page " + name + "."));
    }

    private void currentSession(HttpServerExchange exchange) throws IOException {
        exchange.getResponseHeaders().put(Headers.CACHE_CONTROL, "no-store");
        // A GET carries no CSRF token; a cross-site page cannot read the answer (no CORS), and Strict cookies are
        // not sent with cross-site requests. Still, refuse what the browser says came from another site.
        Optional<ConsoleSessions.Session> s = BrowserGuard.notCrossSite(exchange)
                ? BrowserGuard.sessionId(exchange).flatMap(sessions::find) : Optional.empty();
        if (s.isEmpty()) {
            json(exchange, 401, JSON.createObjectNode().put("signedIn", false));
            return;
        }
        json(exchange, 200, describe(s.get()));
    }

    private void signIn(HttpServerExchange exchange) throws IOException {
        exchange.getResponseHeaders().put(Headers.CACHE_CONTROL, "no-store");
        // Login CSRF: another site must not sign a victim's browser into the attacker's account.
        if (!BrowserGuard.fromOwnOrigin(exchange)) {
            json(exchange, 403, error("Sign-in is accepted only from the console's own page."));
            return;
        }
        String type = exchange.getRequestHeaders().getFirst(Headers.CONTENT_TYPE);
        if (type == null || !type.startsWith("application/json")) {
            json(exchange, 415, error("Sign in with a JSON body."));
            return;
        }
        JsonNode body;
        exchange.startBlocking();
        try (InputStream in = exchange.getInputStream()) {
            byte[] bytes = in.readNBytes(MAX_SIGN_IN_BYTES + 1);
            if (bytes.length > MAX_SIGN_IN_BYTES) {
                json(exchange, 413, error("Sign-in body too large."));
                return;
            }
            body = JSON.readTree(bytes);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            json(exchange, 400, error("Sign-in body is not JSON."));
            return;
        }
        Optional<ConsoleSessions.Session> s = body == null || !body.isObject() ? Optional.empty()
                : sessions.signIn(body.path("accessKeyId").asText(null), body.path("secretAccessKey").asText(null),
                        body.path("region").asText(null));
        if (s.isEmpty()) {
            boolean badRegion = body != null && !ConsoleSessions.isRegion(body.path("region").asText(null));
            json(exchange, 403, error(badRegion ? "Give a region such as us-east-1."
                    : "The access key ID or secret access key is not correct."));
            return;
        }
        exchange.setResponseCookie(new CookieImpl(BrowserGuard.COOKIE, s.get().id())
                .setPath(PREFIX + "/")
                .setHttpOnly(true)
                .setSameSiteMode("Strict")
                .setSecure("https".equals(exchange.getRequestScheme()))
                .setMaxAge((int) ConsoleSessions.LIFETIME.toSeconds()));
        json(exchange, 200, describe(s.get()));
    }

    private void signOut(HttpServerExchange exchange, String method) {
        Optional<ConsoleSessions.Session> s = BrowserGuard.sessionId(exchange).flatMap(sessions::find);
        if (!method.equals("POST") || !BrowserGuard.fromOwnOrigin(exchange) || s.isEmpty()
                || !ConsoleSessions.csrfMatches(s.get(), exchange.getRequestHeaders().getFirst(BrowserGuard.CSRF_HEADER))) {
            text(exchange, 403, "Sign out from the console's own page.");
            return;
        }
        sessions.signOut(s.get().id());
        exchange.setResponseCookie(new CookieImpl(BrowserGuard.COOKIE, "").setPath(PREFIX + "/").setHttpOnly(true)
                .setSameSiteMode("Strict").setMaxAge(0));
        exchange.setStatusCode(204);
        exchange.endExchange();
    }

    private void download(HttpServerExchange exchange) {
        exchange.getResponseHeaders().put(Headers.CACHE_CONTROL, "no-store");
        Optional<ConsoleSessions.Session> s = BrowserGuard.notCrossSite(exchange)
                ? BrowserGuard.sessionId(exchange).flatMap(sessions::find) : Optional.empty();
        Optional<String> origin = BrowserGuard.ownOrigin(exchange);
        if (s.isEmpty() || origin.isEmpty()) {
            text(exchange, 403, "Sign in to the console first.");
            return;
        }
        RequestContext ctx = new RequestContext(s.get().account().accountId(), s.get().region(),
                s.get().account().accessKeyId(), UUID.randomUUID().toString(), clock.instant());
        try {
            URI url = downloads.presign(ctx, s.get().account(), param(exchange, "kind"), param(exchange, "name"),
                    origin.get());
            exchange.setStatusCode(303);
            exchange.getResponseHeaders().put(Headers.LOCATION, url.toString());
            exchange.endExchange();
        } catch (AwsException e) {
            text(exchange, e.httpStatus() == 500 ? 500 : 404, e.getMessage());
        }
    }

    private static ObjectNode describe(ConsoleSessions.Session s) {
        return JSON.createObjectNode()
                .put("signedIn", true)
                .put("accountId", s.account().accountId())
                .put("region", s.region())
                .put("csrfToken", s.csrfToken());
    }

    private static ObjectNode error(String message) {
        return JSON.createObjectNode().put("message", message);
    }

    private static String param(HttpServerExchange exchange, String name) {
        Deque<String> v = exchange.getQueryParameters().get(name);
        return v == null || v.isEmpty() ? null : v.getFirst();
    }

    static void securityHeaders(HttpServerExchange exchange) {
        var h = exchange.getResponseHeaders();
        h.put(new HttpString("Content-Security-Policy"), CSP);
        h.put(new HttpString("X-Content-Type-Options"), "nosniff");
        h.put(new HttpString("X-Frame-Options"), "DENY");
        h.put(new HttpString("Referrer-Policy"), "no-referrer");
        h.put(new HttpString("Cross-Origin-Opener-Policy"), "same-origin");
        h.put(new HttpString("Cross-Origin-Resource-Policy"), "same-origin");
    }

    private static void json(HttpServerExchange exchange, int status, JsonNode body) {
        exchange.setStatusCode(status);
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/json");
        exchange.getResponseSender().send(body.toString());
    }

    private static void text(HttpServerExchange exchange, int status, String message) {
        exchange.setStatusCode(status);
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain; charset=utf-8");
        exchange.getResponseSender().send(message + "\n");
    }
}
