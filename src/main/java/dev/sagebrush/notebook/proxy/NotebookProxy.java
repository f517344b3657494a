package dev.sagebrush.notebook.proxy;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.handlers.Cookie;
import io.undertow.server.handlers.CookieImpl;
import io.undertow.util.HeaderValues;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * The browser's way into a notebook instance: {@code /notebooks/<name>/...}, HTTP and WebSocket, forwarded to that
 * instance's Jupyter with the path unchanged (Jupyter's base_url is the same prefix).
 *
 * <p>Only a caller holding a valid session for <em>that</em> instance gets through; everyone else gets 403. A session
 * starts by opening a presigned URL ({@code /notebooks/<name>/sagemaker-auth?authToken=...}), which sets an
 * HttpOnly, SameSite=Lax cookie scoped to the instance's path and redirects into Jupyter.
 *
 * <p>The proxy presents the instance's Jupyter token itself; the browser never learns it. Because Jupyter skips its
 * own XSRF and Origin checks for token-authenticated requests, the proxy does the Origin check: a WebSocket upgrade or
 * an unsafe method whose Origin is not this server's own origin is refused (cross-site WebSocket hijacking would
 * otherwise run code in the user's kernel).
 *
 * <p>The same session also reads the instance's logs ({@link InstanceLogs}), the stand-in for AWS's CloudWatch.
 */
public final class NotebookProxy implements HttpHandler {
    public static final String PREFIX = "/notebooks/";
    public static final String AUTH_PATH = "sagemaker-auth";
    static final String COOKIE = "sagebrush-notebook-session";
    private static final Set<String> SAFE_METHODS = Set.of("GET", "HEAD", "OPTIONS");
    private static final HttpString ORIGIN = new HttpString("Origin");

    private final SessionSigner signer;
    private final NotebookRoutes routes;
    private final Clock clock;
    private final InstanceLogs logs;

    /**
     * @param currentInstance the instance that holds a name now, from the store (for log access while not running)
     * @param logDirectory    where an instance's lifecycle and Jupyter logs are
     */
    public NotebookProxy(SessionSigner signer, NotebookRoutes routes, Clock clock,
                         Function<String, Optional<SessionSigner.InstanceRef>> currentInstance,
                         Function<String, Path> logDirectory) {
        this.signer = signer;
        this.routes = routes;
        this.clock = clock;
        this.logs = new InstanceLogs(currentInstance, logDirectory);
    }

    public static boolean isNotebookPath(String path) {
        return path.startsWith(PREFIX);
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        String path = exchange.getRequestPath();
        int end = path.indexOf('/', PREFIX.length());
        if (end < 0) {
            // "/notebooks/<name>" without the slash: Jupyter's base_url ends in one
            String name = path.substring(PREFIX.length());
            if (name.isEmpty()) {
                deny(exchange, 404, "No notebook instance named in the path.");
            } else {
                redirect(exchange, PREFIX + name + "/");
            }
            return;
        }
        String name = path.substring(PREFIX.length(), end);
        String rest = path.substring(end + 1);
        Instant now = clock.instant();
        if (rest.equals(AUTH_PATH)) {
            openSession(exchange, name, now);
            return;
        }
        Cookie cookie = exchange.getRequestCookie(COOKIE);
        Optional<SessionSigner.InstanceRef> session = cookie == null ? Optional.empty()
                : signer.verifySession(cookie.getValue(), now);
        if (session.isEmpty() || !session.get().name().equals(name)) {
            deny(exchange, 403, "Forbidden: no valid session for notebook instance " + name
                    + ". Open a URL from CreatePresignedNotebookInstanceUrl first.");
            return;
        }
        if (rest.equals("api/shutdown")) {
            // Jupyter would exit behind the control plane's back (quit_button=False only hides the button).
            deny(exchange, 403, "Forbidden: stop the instance with StopNotebookInstance.");
            return;
        }
        if (rest.startsWith(InstanceLogs.PATH + "/") && exchange.getRequestMethod().toString().equals("GET")) {
            logs.handle(exchange, session.get(), rest.substring(InstanceLogs.PATH.length() + 1));
            return;
        }
        Optional<NotebookRoutes.Route> route = routes.find(name);
        if (route.isEmpty()) {
            deny(exchange, 503, "Notebook instance " + name + " is not InService.");
            return;
        }
        if (!route.get().instance().equals(session.get())) {
            // Same name, but another account, region or an earlier instance that was deleted.
            deny(exchange, 403, "Forbidden: the session is not valid for this notebook instance.");
            return;
        }
        // (HttpServerExchange.isUpgrade() only turns true once the response is a 101: look at the request.)
        boolean needsOriginCheck = exchange.getRequestHeaders().contains(Headers.UPGRADE)
                || !SAFE_METHODS.contains(exchange.getRequestMethod().toString());
        if (needsOriginCheck && !sameOrigin(exchange)) {
            deny(exchange, 403, "Forbidden: cross-origin request to notebook instance " + name + ".");
            return;
        }
        removeSessionCookie(exchange);
        exchange.getRequestHeaders().put(Headers.AUTHORIZATION, "token " + route.get().upstream().token());
        route.get().handler().handleRequest(exchange);
    }

    private void openSession(HttpServerExchange exchange, String name, Instant now) {
        var tokens = exchange.getQueryParameters().get("authToken");
        Optional<SessionSigner.Presigned> p = tokens == null || tokens.isEmpty() ? Optional.empty()
                : signer.verifyPresigned(tokens.getFirst(), now);
        if (p.isEmpty() || !p.get().instance().name().equals(name)) {
            deny(exchange, 403, "Forbidden: the authToken is invalid or has expired. Presigned notebook URLs are valid "
                    + "for 5 minutes; create a new one with CreatePresignedNotebookInstanceUrl.");
            return;
        }
        Optional<NotebookRoutes.Route> route = routes.find(name);
        if (route.isPresent() && !route.get().instance().equals(p.get().instance())) {
            deny(exchange, 403, "Forbidden: the authToken is not valid for this notebook instance.");
            return;
        }
        int seconds = p.get().sessionSeconds();
        exchange.setResponseCookie(new CookieImpl(COOKIE, signer.session(p.get().instance(), now.plusSeconds(seconds)))
                .setPath(PREFIX + name + "/")
                .setHttpOnly(true)
                .setSameSiteMode("Lax")
                .setSecure("https".equals(exchange.getRequestScheme()))
                .setMaxAge(seconds));
        exchange.getResponseHeaders().put(Headers.CACHE_CONTROL, "no-store");
        redirect(exchange, PREFIX + name + "/");
    }

    /**
     * True when the request has no Origin (not a browser, or a same-origin navigation) or an Origin equal to this
     * server as the browser addressed it (the Host header).
     */
    static boolean sameOrigin(HttpServerExchange exchange) {
        String origin = exchange.getRequestHeaders().getFirst(ORIGIN);
        if (origin == null) return true;
        String host = exchange.getRequestHeaders().getFirst(Headers.HOST);
        if (host == null || origin.equals("null")) return false;
        try {
            URI o = URI.create(origin);
            String scheme = o.getScheme();
            int port = o.getPort() != -1 ? o.getPort() : "https".equals(scheme) ? 443 : 80;
            String hostOnly = host;
            int hostPort = "https".equals(exchange.getRequestScheme()) ? 443 : 80;
            int colon = host.lastIndexOf(':');
            if (colon > host.lastIndexOf(']')) {
                hostOnly = host.substring(0, colon);
                hostPort = Integer.parseInt(host.substring(colon + 1));
            }
            return o.getHost() != null && o.getHost().equalsIgnoreCase(hostOnly) && port == hostPort;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** Jupyter has no business seeing Sagebrush's session credential. */
    private static void removeSessionCookie(HttpServerExchange exchange) {
        HeaderValues values = exchange.getRequestHeaders().get(Headers.COOKIE);
        if (values == null) return;
        List<String> kept = new ArrayList<>();
        for (String header : values) {
            List<String> parts = new ArrayList<>();
            for (String part : header.split(";")) {
                if (!part.strip().startsWith(COOKIE + "=")) parts.add(part.strip());
            }
            if (!parts.isEmpty()) kept.add(String.join("; ", parts));
        }
        exchange.getRequestHeaders().remove(Headers.COOKIE);
        if (!kept.isEmpty()) exchange.getRequestHeaders().putAll(Headers.COOKIE, kept);
    }

    private static void redirect(HttpServerExchange exchange, String location) {
        exchange.setStatusCode(302);
        exchange.getResponseHeaders().put(Headers.LOCATION, location);
        exchange.endExchange();
    }

    static void deny(HttpServerExchange exchange, int status, String message) {
        exchange.setStatusCode(status);
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain; charset=utf-8");
        exchange.getResponseSender().send(message + "\n");
    }
}
