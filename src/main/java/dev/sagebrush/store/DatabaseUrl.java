package dev.sagebrush.store;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Properties;

/**
 * A {@code postgresql://[user[:password]@]host[:port]/database[?param=value...]} URL (libpq's form, also accepted as
 * {@code postgres://}) turned into a JDBC URL and connection properties. The password never appears in
 * {@link #toString()}, so the URL can be logged.
 */
public record DatabaseUrl(String jdbcUrl, Properties properties, String display) {

    public static boolean isPostgres(String url) {
        return url.startsWith("postgresql://") || url.startsWith("postgres://");
    }

    public static DatabaseUrl parse(String url) {
        if (!isPostgres(url)) {
            throw new IllegalArgumentException("--database must be a postgresql://host[:port]/database URL (got a URL "
                    + "of another scheme); without --database the embedded SQLite store in the data directory is used");
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("--database is not a valid URL: " + e.getMessage());
        }
        String host = uri.getHost();
        String path = uri.getPath();
        if (host == null || path == null || path.length() < 2) {
            throw new IllegalArgumentException("--database must name a host and a database: postgresql://host[:port]/database");
        }
        Properties props = new Properties();
        String userInfo = uri.getRawUserInfo();
        if (userInfo != null) {
            int colon = userInfo.indexOf(':');
            props.setProperty("user", decode(colon < 0 ? userInfo : userInfo.substring(0, colon)));
            if (colon >= 0) props.setProperty("password", decode(userInfo.substring(colon + 1)));
        }
        String hostPort = (host.contains(":") ? "[" + host + "]" : host) + (uri.getPort() > 0 ? ":" + uri.getPort() : "");
        String query = uri.getRawQuery();
        String jdbc = "jdbc:postgresql://" + hostPort + path + (query == null ? "" : "?" + query);
        String display = "postgresql://" + (props.containsKey("user") ? props.getProperty("user") + "@" : "") + hostPort + path;
        return new DatabaseUrl(jdbc, props, display);
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return display;
    }
}
