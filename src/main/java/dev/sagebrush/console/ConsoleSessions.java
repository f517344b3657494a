package dev.sagebrush.console;

import dev.sagebrush.auth.Account;
import dev.sagebrush.auth.Credentials;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The console's signed-in browsers. Signing in proves possession of an access key once; from then on the browser holds
 * only a random session id (in an HttpOnly cookie) and a CSRF token (in page memory). The key itself is never stored
 * in the browser, and the server keeps only which key the session stands for.
 *
 * <p>Sessions live in memory: signing out (or a server restart) ends them for good, with nothing to revoke on disk.
 * A session also ends when its access key is no longer accepted, or after {@link #LIFETIME}.
 */
public final class ConsoleSessions {
    static final Duration LIFETIME = Duration.ofHours(8);
    /** Bounds memory whatever a client does: beyond it the oldest sessions are ended first. */
    static final int MAX_SESSIONS = 10_000;
    /** AWS's region names ({@code us-east-1}, {@code ap-southeast-2}, {@code us-gov-west-1}). */
    private static final Pattern REGION = Pattern.compile("[a-z]{2}(-[a-z]+)+-\\d{1,2}");

    /** One signed-in browser: the key it proved, the region its pages address, and its CSRF token. */
    public record Session(String id, Account account, String region, String csrfToken, Instant expires) {}

    private final Credentials credentials;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, Session> byId = new ConcurrentHashMap<>();

    public ConsoleSessions(Credentials credentials, Clock clock) {
        this.credentials = credentials;
        this.clock = clock;
    }

    public static boolean isRegion(String region) {
        return region != null && region.length() <= 32 && REGION.matcher(region).matches();
    }

    /** A new session when the secret matches the access key's (compared in constant time); empty otherwise. */
    public Optional<Session> signIn(String accessKeyId, String secretAccessKey, String region) {
        if (accessKeyId == null || secretAccessKey == null || !isRegion(region)) return Optional.empty();
        Optional<Account> account = credentials.find(accessKeyId);
        byte[] given = secretAccessKey.getBytes(StandardCharsets.UTF_8);
        // Compare against something even for an unknown key, so timing does not tell which keys exist.
        byte[] expected = account.map(a -> a.secretAccessKey().getBytes(StandardCharsets.UTF_8)).orElse(new byte[given.length]);
        if (!MessageDigest.isEqual(given, expected) || account.isEmpty()) return Optional.empty();
        makeRoom();
        Session s = new Session(randomToken(), account.get(), region, randomToken(), clock.instant().plus(LIFETIME));
        byId.put(s.id(), s);
        return Optional.of(s);
    }

    /** The live session with this id, if any. */
    public Optional<Session> find(String id) {
        if (id == null || id.length() > 64) return Optional.empty();
        Session s = byId.get(id);
        if (s == null) return Optional.empty();
        boolean keyStillValid = credentials.find(s.account().accessKeyId()).map(s.account()::equals).orElse(false);
        if (!clock.instant().isBefore(s.expires()) || !keyStillValid) {
            byId.remove(id);
            return Optional.empty();
        }
        return Optional.of(s);
    }

    public void signOut(String id) {
        if (id != null) byId.remove(id);
    }

    int size() {
        return byId.size();
    }

    /** True when {@code presented} is this session's CSRF token (constant time). */
    public static boolean csrfMatches(Session s, String presented) {
        return presented != null && MessageDigest.isEqual(s.csrfToken().getBytes(StandardCharsets.US_ASCII),
                presented.getBytes(StandardCharsets.US_ASCII));
    }

    private void makeRoom() {
        if (byId.size() < MAX_SESSIONS) return;
        Instant now = clock.instant();
        byId.values().removeIf(s -> !now.isBefore(s.expires()));
        while (byId.size() >= MAX_SESSIONS) {
            byId.values().stream().min(Comparator.comparing(Session::expires)).ifPresent(s -> byId.remove(s.id()));
        }
    }

    private String randomToken() {
        byte[] b = new byte[32];
        random.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }
}
