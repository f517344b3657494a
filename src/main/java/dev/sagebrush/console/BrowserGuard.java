package dev.sagebrush.console;

import io.undertow.server.HttpServerExchange;
import io.undertow.server.handlers.Cookie;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import java.net.URI;
import java.util.Optional;

/**
 * The checks that keep another site from driving a signed-in console (cross-site request forgery). A state-changing
 * console request must pass all of them, each enough on its own in a current browser:
 * <ol>
 *   <li>the session cookie is {@code SameSite=Strict}: a request started by another site carries no session;</li>
 *   <li>an {@code Origin} header equal to this server's own origin (scheme, host and port as the browser addressed it),
 *       and, where the browser sends it, {@code Sec-Fetch-Site: same-origin};</li>
 *   <li>the session's CSRF token in {@link #CSRF_HEADER}: a custom header cannot be sent cross-origin without a CORS
 *       preflight, and the console answers no preflight (it sends no CORS headers at all).</li>
 * </ol>
 */
final class BrowserGuard {
    static final String COOKIE = "sagebrush-console";
    static final HttpString CSRF_HEADER = new HttpString("X-Sagebrush-Csrf");
    private static final HttpString ORIGIN = new HttpString("Origin");
    private static final HttpString SEC_FETCH_SITE = new HttpString("Sec-Fetch-Site");

    private BrowserGuard() {}

    static Optional<String> sessionId(HttpServerExchange exchange) {
        Cookie c = exchange.getRequestCookie(COOKIE);
        return c == null ? Optional.empty() : Optional.of(c.getValue());
    }

    /** True when the request says it comes from a page of this very origin. A missing Origin is refused. */
    static boolean fromOwnOrigin(HttpServerExchange exchange) {
        String site = exchange.getRequestHeaders().getFirst(SEC_FETCH_SITE);
        if (site != null && !site.equals("same-origin")) return false;
        String origin = exchange.getRequestHeaders().getFirst(ORIGIN);
        return origin != null && origin.equals(ownOrigin(exchange).orElse(null));
    }

    /** For GETs (downloads): refused only when the browser says another site started it. */
    static boolean notCrossSite(HttpServerExchange exchange) {
        String site = exchange.getRequestHeaders().getFirst(SEC_FETCH_SITE);
        return site == null || site.equals("same-origin") || site.equals("none");
    }

    /** {@code scheme://host[:port]} as the browser addressed this server, normalised as browsers send Origin. */
    static Optional<String> ownOrigin(HttpServerExchange exchange) {
        String host = exchange.getRequestHeaders().getFirst(Headers.HOST);
        if (host == null || host.isEmpty()) return Optional.empty();
        String scheme = exchange.getRequestScheme();
        try {
            URI u = new URI(scheme + "://" + host);
            if (u.getHost() == null || u.getRawPath().length() > 0 || u.getRawUserInfo() != null) return Optional.empty();
            int port = u.getPort();
            boolean defaultPort = port == -1 || ("http".equals(scheme) && port == 80) || ("https".equals(scheme) && port == 443);
            return Optional.of(scheme + "://" + u.getHost().toLowerCase(java.util.Locale.ROOT) + (defaultPort ? "" : ":" + port));
        } catch (java.net.URISyntaxException e) {
            return Optional.empty();
        }
    }
}
