package dev.sagebrush.console;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The console's files (HTML, CSS, ES modules, the vendored chart library), served from the classpath. Only names of
 * a fixed shape are looked up, so a path can never leave the asset directory; each file is read once and kept with
 * a strong ETag, so a reload costs a 304.
 */
final class StaticAssets {
    private static final String ROOT = "/dev/sagebrush/console/web/";
    private static final Pattern NAME = Pattern.compile("([a-z0-9-]+/)?[a-z0-9.-]+\\.(html|js|css|svg|txt|ico)");
    private static final Map<String, String> TYPES = Map.of(
            "html", "text/html; charset=utf-8",
            "js", "text/javascript; charset=utf-8",
            "css", "text/css; charset=utf-8",
            "svg", "image/svg+xml",
            "txt", "text/plain; charset=utf-8",
            "ico", "image/x-icon");

    record Asset(byte[] bytes, String type, String etag) {}

    private final Map<String, Optional<Asset>> cache = new ConcurrentHashMap<>();

    Optional<Asset> find(String name) {
        if (!NAME.matcher(name).matches() || name.contains("..")) return Optional.empty();
        return cache.computeIfAbsent(name, StaticAssets::load);
    }

    void send(HttpServerExchange exchange, Asset asset) {
        exchange.getResponseHeaders().put(Headers.ETAG, asset.etag());
        // Revalidate every time: a new build must never be mixed with cached modules of the old one.
        exchange.getResponseHeaders().put(Headers.CACHE_CONTROL, "no-cache");
        String ifNoneMatch = exchange.getRequestHeaders().getFirst(Headers.IF_NONE_MATCH);
        if (asset.etag().equals(ifNoneMatch)) {
            exchange.setStatusCode(304);
            exchange.endExchange();
            return;
        }
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, asset.type());
        exchange.getResponseSender().send(ByteBuffer.wrap(asset.bytes()));
    }

    private static Optional<Asset> load(String name) {
        try (InputStream in = StaticAssets.class.getResourceAsStream(ROOT + name)) {
            if (in == null) return Optional.empty();
            byte[] bytes = in.readAllBytes();
            String ext = name.substring(name.lastIndexOf('.') + 1);
            String etag = "\"" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes), 0, 12) + "\"";
            return Optional.of(new Asset(bytes, TYPES.get(ext), etag));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
