package dev.sagebrush.storage;

import dev.sagebrush.auth.Account;
import dev.sagebrush.auth.TemporaryCredentials;
import io.undertow.server.HttpHandler;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.s3proxy.nio2blob.FilesystemNio2BlobStore;

/**
 * s3proxy running in this JVM on 127.0.0.1 and an ephemeral port, storing objects as files under
 * {@code <dataDir>/s3/<bucket>/<key>}.
 *
 * <p>Clients reach it through the Sagebrush port via {@link #frontDoorHandler()}; Sagebrush itself talks to
 * {@link #endpoint()} directly with {@link #serviceCredentials()}, a key pair generated at every start so it never
 * needs configuring or storing. Account keys are looked up on every request (see {@link AccountLocator}), and
 * temporary credentials (a notebook instance's) are checked at the front door by {@link SessionTokenGate}.
 *
 * <p>Each bucket belongs to the account that created it ({@link BucketOwners}, {@code <dataDir>/s3/.owners}): an
 * account's keys reach only its own buckets, and so does the server working on its behalf ({@link #accountStorage}).
 *
 * <p>Durability: s3proxy's filesystem store renames a temp file into place (objects are atomic) but never fsyncs, so
 * an object written just before a power loss may be lost. A process crash loses nothing that was acknowledged.
 */
public final class EmbeddedS3 implements AutoCloseable {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final long START_TIMEOUT_MILLIS = 30_000;
    /**
     * The buckets' owners, inside the object directory so that whatever shares the objects shares their owners.
     * Its name is no bucket name (one starts with a letter or digit), so no request can address it, and the bucket
     * listing of an account never shows it (it has no owner).
     */
    public static final String OWNERS_DIR = ".owners";

    private final S3Proxy proxy;
    private final URI endpoint;
    private final S3Credentials service;
    private final Path storageDir;
    private final AtomicReference<SessionTokenGate> gate;
    private final BucketOwners owners;
    private S3FrontDoor frontDoor;

    private EmbeddedS3(S3Proxy proxy, S3Credentials service, Path storageDir, AtomicReference<SessionTokenGate> gate,
                       BucketOwners owners) {
        this.proxy = proxy;
        this.endpoint = URI.create("http://127.0.0.1:" + proxy.getPort());
        this.service = service;
        this.storageDir = storageDir;
        this.gate = gate;
        this.owners = owners;
    }

    /** Starts with a fixed set of account keys (the first key's account adopts buckets that have no owner). */
    public static EmbeddedS3 start(Path dataDir, List<Account> keys) {
        Map<String, Account> byKey = new java.util.HashMap<>();
        for (Account a : keys) byKey.put(a.accessKeyId(), a);
        return start(dataDir, id -> Optional.ofNullable(byKey.get(id)),
                keys.stream().map(Account::accountId).distinct().toList());
    }

    /**
     * Starts on {@code <dataDir>/s3} with a live lookup from access key id to its account and secret, called on every
     * request (from s3proxy's threads, so it must be thread-safe and fast), so the credential store can change while
     * the server runs.
     *
     * @param accounts the accounts, in the credentials file's order: buckets without an owner (made before buckets
     *                 had owners) are given one of them at start ({@link BucketOwners#adoptOrphans})
     */
    public static EmbeddedS3 start(Path dataDir, Function<String, Optional<Account>> keyLookup, List<String> accounts) {
        return startIn(dataDir.resolve("s3"), keyLookup, accounts);
    }

    /**
     * Starts on objects kept in {@code objectDir}. Several nodes may each run one on the same shared directory: every
     * object is a file renamed into place, its metadata in extended attributes, so each node sees what the others
     * wrote (the file system must support user extended attributes: a local one, NFS 4.2, CephFS). The buckets'
     * owners are kept in the same directory ({@link #OWNERS_DIR}), so the nodes agree on them too.
     */
    public static EmbeddedS3 startIn(Path objectDir, Function<String, Optional<Account>> keyLookup,
                                     List<String> accounts) {
        Path dir = objectDir.toAbsolutePath();
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create embedded S3 directory " + dir, e);
        }
        S3Credentials service = new S3Credentials("SBSERVICE" + randomToken(8).toUpperCase(), randomToken(30));
        // Objects are readable by the server alone; the sandboxes that need one get it from Sagebrush, not from here.
        restrictToOwner(dir);
        BucketOwners owners = new BucketOwners(dir, dir.resolve(OWNERS_DIR));
        owners.adoptOrphans(accounts); // before any request: no bucket is ever served without an owner
        BlobStore blobStore = new PrivateOnlyBlobStore(
                new FilesystemStoreGuards(new FilesystemNio2BlobStore(dir.toString())));
        // awsAuthentication's single identity is what turns authentication on; the locator then replaces
        // s3proxy's one-identity check with ours, so every account key plus the service key is accepted, each
        // account's with its own buckets only.
        S3Proxy proxy = S3Proxy.builder()
                .blobStore(blobStore)
                .endpoint(URI.create("http://127.0.0.1:0"))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, service.accessKeyId(), service.secretAccessKey())
                // Its list of x-amz-* headers lacks x-amz-security-token: the front door checks the list instead
                // (S3RequestRules), with that header added.
                .ignoreUnknownHeaders(true)
                .build();
        // Temporary keys exist only once the front door (and its gate) is made, and only briefly after a token check.
        AtomicReference<SessionTokenGate> gate = new AtomicReference<>();
        Function<String, Optional<Account>> temporaryKeys = id -> {
            SessionTokenGate g = gate.get();
            return g == null ? Optional.empty() : g.accountFor(id);
        };
        proxy.setBlobStoreLocator(new AccountLocator(service, keyLookup, temporaryKeys, blobStore, owners));
        try {
            proxy.start();
            awaitStarted(proxy);
        } catch (Exception e) {
            stopQuietly(proxy);
            throw new IllegalStateException("Embedded S3 (s3proxy) failed to start: " + e.getMessage(), e);
        }
        return new EmbeddedS3(proxy, service, dir, gate, owners);
    }

    private static void restrictToOwner(Path dir) {
        try {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        } catch (UnsupportedOperationException notPosix) {
            // not a POSIX file system (never the case on the Linux hosts Sagebrush runs on)
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot restrict the permissions of " + dir, e);
        }
    }

    // start() returns before Jetty reports STARTED and getPort() is only meaningful after that.
    private static void awaitStarted(S3Proxy proxy) throws Exception {
        long deadline = System.currentTimeMillis() + START_TIMEOUT_MILLIS;
        while (!"STARTED".equals(proxy.getState())) {
            if (System.currentTimeMillis() > deadline || "FAILED".equals(proxy.getState())) {
                throw new IllegalStateException("state " + proxy.getState());
            }
            Thread.sleep(5);
        }
    }

    /** The s3proxy endpoint itself (http://127.0.0.1:port), for Sagebrush's own S3 client. */
    public URI endpoint() {
        return endpoint;
    }

    /** The per-start key pair Sagebrush uses for its own S3 calls. */
    public S3Credentials serviceCredentials() {
        return service;
    }

    /** Where the objects live on disk: {@code <dataDir>/s3} unless configured otherwise. */
    public Path storageDirectory() {
        return storageDir;
    }

    /**
     * An {@link ObjectStorage} signed with the service key, talking to s3proxy directly, that reaches every bucket;
     * close it after use. The server's features use {@link #accountStorage()} instead.
     */
    public S3ObjectStorage openServiceStorage() {
        return S3ObjectStorage.connect(endpoint, service);
    }

    /** Storage for the server's work on an account's behalf, checked against bucket ownership; close it after use. */
    public AccountStorage accountStorage() {
        return new AccountStorage(openServiceStorage(), owners);
    }

    /** Who owns the buckets. */
    public BucketOwners bucketOwners() {
        return owners;
    }

    /**
     * An Undertow handler that reverse-proxies every request it is given to this s3proxy, unchanged (Host header
     * included, so client SigV4 signatures still verify). Mount it for the requests {@link S3FrontDoor#isS3Request}
     * recognises. One instance per EmbeddedS3, closed with it. Only long-term account keys are accepted.
     */
    public HttpHandler frontDoorHandler() {
        return frontDoorHandler(TemporaryCredentials.NONE, Clock.systemUTC());
    }

    /**
     * As {@link #frontDoorHandler()}, accepting as well the temporary credentials {@code issuer} issued (access key id,
     * secret and session token), each checked with its issuer on every request.
     */
    public synchronized HttpHandler frontDoorHandler(TemporaryCredentials issuer, Clock clock) {
        if (frontDoor == null) {
            SessionTokenGate g = new SessionTokenGate(issuer, clock);
            gate.set(g);
            frontDoor = new S3FrontDoor(endpoint, g);
        }
        return frontDoor;
    }

    @Override
    public synchronized void close() {
        if (frontDoor != null) {
            frontDoor.close();
        }
        stopQuietly(proxy);
    }

    private static void stopQuietly(S3Proxy proxy) {
        try {
            proxy.stop();
        } catch (Exception ignored) {
            // stopping is best effort; the port is released with the JVM at the latest
        }
    }

    private static String randomToken(int bytes) {
        byte[] b = new byte[bytes];
        RANDOM.nextBytes(b);
        return java.util.HexFormat.of().formatHex(b);
    }
}
