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
import dev.sagebrush.notebook.runtime.InstanceKey;

/**
 * The browser's way into a notebook instance: every request to the instance's own origin
 * ({@code http://<name>.<account>.<region>.notebook.localhost:<port>/}, see {@link NotebookOrigins}), HTTP and
 * WebSocket, forwarded to that instance's Jupyter with the path unchanged.
 *
 * <p>Only a caller holding a valid session for <em>that</em> instance gets through; everyone else gets 403. A session
 * starts by opening a presigned URL ({@code <origin>/sagemaker-auth?authToken=...}), which sets an HttpOnly,
 * SameSite=Lax, host-only cookie (no Domain attribute: no other instance's origin ever receives it) and redirects
 * into Jupyter.
 *
 * <p>The proxy presents the instance's Jupyter token itself; the browser never learns it. Because Jupyter skips its
 * own XSRF and Origin checks for token-authenticated requests, the proxy does the Origin check: a WebSocket upgrade or
 * an unsafe method whose Origin is not exactly this instance's origin (scheme, host and port) is refused
 * (cross-site WebSocket hijacking would otherwise run code in the user's kernel).
 *
 * <p>The same session also reads the instance's logs ({@link InstanceLogs}), the stand-in for AWS's CloudWatch.
 */
public final class NotebookProxy implements HttpHandler {
    public static final String AUTH_PATH = "/sagemaker-auth";
    static final String COOKIE = "sagebrush-notebook-session";
    private static final Set<String> SAFE_METHODS = Set.of("GET", "HEAD", "OPTIONS");
    private static final HttpString ORIGIN = new HttpString("Origin");

    private final SessionSigner signer;
    private final NotebookRoutes routes;
    private final NotebookOrigins origins;
    private final Clock clock;
    private final InstanceLogs logs;
    private final NotebookForwarder forwarder;

    /**
     * @param currentInstance the instance that holds a name now, from the store (for log access while not running)
     * @param logDirectory    where an instance's lifecycle and Jupyter logs are
     */
    public NotebookProxy(SessionSigner signer, NotebookRoutes routes, NotebookOrigins origins, Clock clock,
                         Function<InstanceKey, Optional<SessionSigner.InstanceRef>> currentInstance,
                         Function<InstanceKey, Path> logDirectory) {
        this(signer, routes, origins, clock, currentInstance, logDirectory, NotebookForwarder.none());
    }

    /** @param forwarder sends requests for an instance another node serves to that node (several nodes, one database) */
    public NotebookProxy(SessionSigner signer, NotebookRoutes routes, NotebookOrigins origins, Clock clock,
                         Function<InstanceKey, Optional<SessionSigner.InstanceRef>> currentInstance,
                         Function<InstanceKey, Path> logDirectory, NotebookForwarder forwarder) {
        this.forwarder = forwarder;
        this.signer = signer;
        this.routes = routes;
        this.origins = origins;
        this.clock = clock;
        this.logs = new InstanceLogs(currentInstance, logDirectory);
    }

    /** True for requests addressed to a notebook origin: they belong to this proxy, whatever their path. */
    public boolean handles(HttpServerExchange exchange) {
        return origins.isNotebookHost(exchange.getRequestHeaders().getFirst(Headers.HOST));
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        Optional<InstanceKey> target = origins.instanceAt(exchange.getRequestHeaders().getFirst(Headers.HOST));
        if (target.isEmpty()) {
            deny(exchange, 404, "No notebook instance at this address.");
            return;
        }
        InstanceKey key = target.get();
        boolean forwarded;
        try {
            forwarded = forwarder.forwardedBy(exchange).isPresent();
        } catch (NotebookForwarder.ForgedForwardException e) {
            deny(exchange, 403, "Forbidden: " + e.getMessage() + ".");
            return;
        }
        String path = exchange.getRequestPath();
        Instant now = clock.instant();
        if (path.equals(AUTH_PATH)) {
            openSession(exchange, key, now);
            return;
        }
        Cookie cookie = exchange.getRequestCookie(COOKIE);
        Optional<SessionSigner.InstanceRef> session = cookie == null ? Optional.empty()
                : signer.verifySession(cookie.getValue(), now);
        if (session.isEmpty() || !NotebookRoutes.keyOf(session.get()).equals(key)) {
            deny(exchange, 403, "Forbidden: no valid session for this notebook instance. Open a URL from "
                    + "CreatePresignedNotebookInstanceUrl first.");
            return;
        }
        if (path.equals("/api/shutdown")) {
            // Jupyter would exit behind the control plane's back (quit_button=False only hides the button).
            deny(exchange, 403, "Forbidden: stop the instance with StopNotebookInstance.");
            return;
        }
        Optional<NotebookRoutes.Route> route = routes.find(key);
        if (route.isEmpty() && !forwarded) {
            // Not served here: perhaps by another node (its Jupyter, its logs). Finding out reads the store.
            if (exchange.isInIoThread()) {
                exchange.dispatch(this);
                return;
            }
            if (forwarder.forward(exchange, key)) return;
        }
        if (path.startsWith("/" + InstanceLogs.PATH + "/") && exchange.getRequestMethod().toString().equals("GET")) {
            logs.handle(exchange, session.get(), path.substring(InstanceLogs.PATH.length() + 2));
            return;
        }
        if (route.isEmpty()) {
            deny(exchange, 503, "Notebook instance " + session.get().name() + " is not InService.");
            return;
        }
        if (!route.get().instance().equals(session.get())) {
            // Same name, account and region, but an earlier instance that was deleted.
            deny(exchange, 403, "Forbidden: the session is not valid for this notebook instance.");
            return;
        }
        // (HttpServerExchange.isUpgrade() only turns true once the response is a 101: look at the request.)
        boolean needsOriginCheck = exchange.getRequestHeaders().contains(Headers.UPGRADE)
                || !SAFE_METHODS.contains(exchange.getRequestMethod().toString());
        if (needsOriginCheck && !sameOrigin(exchange.getRequestHeaders().getFirst(ORIGIN),
                NotebookForwarder.clientScheme(exchange, forwarded), exchange.getRequestHeaders().getFirst(Headers.HOST))) {
            deny(exchange, 403, "Forbidden: cross-origin request to notebook instance " + session.get().name() + ".");
            return;
        }
        removeSessionCookie(exchange);
        exchange.getRequestHeaders().put(Headers.AUTHORIZATION, "token " + route.get().upstream().token());
        route.get().handler().handleRequest(exchange);
    }

    private void openSession(HttpServerExchange exchange, InstanceKey key, Instant now) {
        var tokens = exchange.getQueryParameters().get("authToken");
        Optional<SessionSigner.Presigned> p = tokens == null || tokens.isEmpty() ? Optional.empty()
                : signer.verifyPresigned(tokens.getFirst(), now);
        if (p.isEmpty() || !NotebookRoutes.keyOf(p.get().instance()).equals(key)) {
            deny(exchange, 403, "Forbidden: the authToken is invalid or has expired. Presigned notebook URLs are valid "
                    + "for 5 minutes; create a new one with CreatePresignedNotebookInstanceUrl.");
            return;
        }
        Optional<NotebookRoutes.Route> route = routes.find(key);
        if (route.isPresent() && !route.get().instance().equals(p.get().instance())) {
            deny(exchange, 403, "Forbidden: the authToken is not valid for this notebook instance.");
            return;
        }
        int seconds = p.get().sessionSeconds();
        // Host-only (no Domain), for the whole origin: this instance's origin and nothing else receives it.
        exchange.setResponseCookie(new CookieImpl(COOKIE, signer.session(p.get().instance(), now.plusSeconds(seconds)))
                .setPath("/")
                .setHttpOnly(true)
                .setSameSiteMode("Lax")
                .setSecure("https".equals(exchange.getRequestScheme()))
                .setMaxAge(seconds));
        exchange.getResponseHeaders().put(Headers.CACHE_CONTROL, "no-store");
        redirect(exchange, "/");
    }

    /**
     * True when the request has no Origin (not a browser, or a same-origin navigation) or an Origin equal to the
     * origin the browser addressed: same scheme, same host (the Host header), same port.
     */
    static boolean sameOrigin(String origin, String requestScheme, String host) {
        if (origin == null) return true;
        if (host == null || origin.equals("null")) return false;
        try {
            URI o = URI.create(origin);
            String scheme = o.getScheme();
            if (scheme == null || !scheme.equalsIgnoreCase(requestScheme)) return false;
            int port = o.getPort() != -1 ? o.getPort() : defaultPort(scheme);
            String hostOnly = host;
            int hostPort = defaultPort(requestScheme);
            int colon = host.lastIndexOf(':');
            if (colon > host.lastIndexOf(']')) {
                hostOnly = host.substring(0, colon);
                hostPort = Integer.parseInt(host.substring(colon + 1));
            }
            return o.getHost() != null && o.getHost().equalsIgnoreCase(hostOnly) && port == hostPort
                    && (o.getPath() == null || o.getPath().isEmpty()) && o.getRawQuery() == null;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static int defaultPort(String scheme) {
        return "https".equalsIgnoreCase(scheme) ? 443 : 80;
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
