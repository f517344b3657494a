package dev.sagebrush.telemetry;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;

/**
 * {@code GET /metrics}, Prometheus's text format. Who may scrape:
 * <ul>
 *   <li>with no token configured, only a peer on a loopback address (a Prometheus or agent on the same host);</li>
 *   <li>with a token configured ({@code --metrics-token-file}), whoever presents {@code Authorization: Bearer
 *       <token>}, from anywhere, and nobody without it (not even loopback: a reverse proxy on the same host would
 *       otherwise make every scrape look local).</li>
 * </ul>
 * The metrics hold server-wide totals only (see {@link Telemetry}); still, they say how busy the server is and which
 * operations fail, which is for operators, not for every account holder.
 */
public final class MetricsEndpoint implements HttpHandler {
    public static final String PATH = "/metrics";
    private final Telemetry telemetry;
    private final Optional<byte[]> token;

    public MetricsEndpoint(Telemetry telemetry, Optional<String> token) {
        this.telemetry = telemetry;
        this.token = token.map(t -> t.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) {
        String method = exchange.getRequestMethod().toString();
        if (!method.equals("GET") && !method.equals("HEAD")) {
            send(exchange, 405, "GET /metrics\n");
            return;
        }
        if (!allowed(exchange)) {
            exchange.getResponseHeaders().put(Headers.WWW_AUTHENTICATE, "Bearer");
            send(exchange, 403, token.isPresent() ? "Forbidden: scrape with Authorization: Bearer <metrics token>.\n"
                    : "Forbidden: /metrics answers loopback addresses only (set --metrics-token-file to scrape from "
                    + "elsewhere).\n");
            return;
        }
        exchange.getResponseHeaders().put(Headers.CACHE_CONTROL, "no-store");
        exchange.setStatusCode(200);
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
        exchange.getResponseSender().send(telemetry.scrape(), StandardCharsets.UTF_8);
    }

    /** The token in the configured file (trimmed); empty when none is configured. */
    public static Optional<String> token(Optional<java.nio.file.Path> file) throws java.io.IOException {
        if (file.isEmpty()) return Optional.empty();
        String t = java.nio.file.Files.readString(file.get()).strip();
        if (t.length() < 16) {
            throw new IllegalStateException("The metrics token in " + file.get() + " is shorter than 16 characters.");
        }
        return Optional.of(t);
    }

    boolean allowed(HttpServerExchange exchange) {
        if (token.isPresent()) {
            String auth = exchange.getRequestHeaders().getFirst(Headers.AUTHORIZATION);
            if (auth == null || !auth.startsWith("Bearer ")) return false;
            return MessageDigest.isEqual(token.get(), auth.substring(7).strip().getBytes(StandardCharsets.UTF_8));
        }
        InetSocketAddress peer = exchange.getSourceAddress();
        return peer != null && peer.getAddress() != null && peer.getAddress().isLoopbackAddress();
    }

    private static void send(HttpServerExchange exchange, int status, String body) {
        exchange.setStatusCode(status);
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain; charset=utf-8");
        exchange.getResponseSender().send(body);
    }
}
