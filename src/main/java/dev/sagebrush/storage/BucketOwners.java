package dev.sagebrush.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which account owns each bucket of the embedded S3, and the one rule every access follows: an account reaches a
 * bucket only if it owns it (AWS's rule without bucket policies, which Sagebrush does not model). Both doors use it:
 * s3proxy's, for every request signed with an account's key ({@link AccountBlobStore}), and the server's own, for
 * what jobs read and write on an account's behalf ({@link AccountStorage}).
 *
 * <p>Each owner is a small file, {@code <ownersDir>/<bucket>}, holding the 12-digit account id. It is read on every
 * check (no cache), so an operator's edit takes effect at once and nodes that share the storage directories agree.
 *
 * <p>Durability, given that s3proxy creates and removes the bucket directory itself: the owner is written (fsynced,
 * renamed into place, directory fsynced) <em>before</em> the bucket is created, and removed only <em>after</em> the
 * bucket is gone. A kill -9 (or power loss) between the two leaves an owner without a bucket, which grants nothing
 * (a missing bucket is NoSuchBucket) and is replaced by the next CreateBucket of that name. So a bucket without an
 * owner is one that existed before buckets had owners (or was made with the server's own key): {@link #adoptOrphans}
 * gives those an owner once, at start, before any request is served.
 */
public final class BucketOwners {
    private static final Logger log = LoggerFactory.getLogger(BucketOwners.class);
    private static final Pattern ACCOUNT = Pattern.compile("\\d{12}");
    /** The SageMaker Python SDK's default bucket, {@code Session().default_bucket()}: its account is in its name. */
    private static final Pattern DEFAULT_BUCKET = Pattern.compile("sagemaker-[a-z0-9-]+-(\\d{12})");

    /** What an account may do with a bucket it names. */
    public enum Access {
        /** It owns the bucket (which may have been deleted meanwhile: the store then answers NoSuchBucket). */
        OWNER,
        /** The bucket exists and is another account's (or nobody's): S3's 403 AccessDenied. */
        DENIED,
        /** No such bucket: S3's 404 NoSuchBucket, answered without asking the store (see {@link #access}). */
        NO_SUCH_BUCKET
    }

    private final Path bucketsDir;
    private final Path ownersDir;
    /**
     * Creation and deletion of one name are serialised in this JVM (a name hashes to one of these; both are short:
     * a directory and an fsync). Checks never wait for them.
     */
    private final Object[] changing = new Object[64];

    /**
     * @param bucketsDir where the filesystem store keeps each bucket as a directory
     * @param ownersDir  where the owner files are (created, mode 0700)
     */
    public BucketOwners(Path bucketsDir, Path ownersDir) {
        this.bucketsDir = bucketsDir;
        this.ownersDir = ownersDir;
        for (int i = 0; i < changing.length; i++) changing[i] = new Object();
        try {
            Files.createDirectories(ownersDir);
            Files.setPosixFilePermissions(ownersDir, PosixFilePermissions.fromString("rwx------"));
        } catch (UnsupportedOperationException notPosix) {
            // not a POSIX file system (never the case on the Linux hosts Sagebrush runs on)
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create the bucket owners' directory " + ownersDir, e);
        }
    }

    /**
     * May {@code account} use {@code bucket}? Not owning it is DENIED when it exists and NO_SUCH_BUCKET when it does
     * not; the caller answers NO_SUCH_BUCKET itself, so that a bucket another account creates meanwhile is never
     * reached by a request that was checked before it existed.
     */
    public Access access(String account, String bucket) {
        if (!S3RequestRules.isValidBucketName(bucket)) return Access.NO_SUCH_BUCKET; // never a path on disk
        if (owner(bucket).filter(account::equals).isPresent()) return Access.OWNER;
        return exists(bucket) ? Access.DENIED : Access.NO_SUCH_BUCKET;
    }

    /** The bucket's owner, if it has one. */
    public Optional<String> owner(String bucket) {
        if (!S3RequestRules.isValidBucketName(bucket)) return Optional.empty();
        Path file = ownersDir.resolve(bucket);
        String text;
        try {
            text = Files.readString(file, StandardCharsets.US_ASCII).strip();
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the owner of bucket " + bucket + " (" + file + ")", e);
        }
        // A file an operator mistyped grants nothing (fail closed) and says so.
        if (!ACCOUNT.matcher(text).matches()) {
            log.error("{} does not hold a 12-digit account id: bucket {} is refused to every account until it does",
                    file, bucket);
            return Optional.empty();
        }
        return Optional.of(text);
    }

    /**
     * CreateBucket for {@code account}: runs {@code create} with the owner recorded first, and answers what it
     * returned; empty, without running it, when the bucket exists and is not the account's (S3's
     * BucketAlreadyExists). When the account already owns it, {@code create} runs anyway and answers as the store
     * does for its own bucket (BucketAlreadyOwnedByYou).
     */
    public <T> Optional<T> create(String account, String bucket, Supplier<T> create) {
        requireAccount(account);
        if (!S3RequestRules.isValidBucketName(bucket)) { // it names a file: the callers check first
            throw new IllegalArgumentException("not a valid bucket name: " + bucket);
        }
        synchronized (lockFor(bucket)) {
            if (exists(bucket)) {
                return owner(bucket).filter(account::equals).map(o -> create.get());
            }
            // A stale owner (a crash between the two steps, or a deleted bucket) is replaced.
            record(bucket, account);
            try {
                return Optional.of(create.get());
            } catch (RuntimeException e) {
                if (!exists(bucket)) forget(bucket);
                throw e;
            }
        }
    }

    /** DeleteBucket by its owner: runs {@code delete}, then forgets the owner once the bucket is really gone. */
    public void delete(String bucket, Runnable delete) {
        synchronized (lockFor(bucket)) {
            delete.run();
            if (!exists(bucket)) forget(bucket);
        }
    }

    /**
     * Gives every bucket without an owner (made before buckets had owners, or with the server's own key) one, once:
     * a SageMaker default bucket {@code sagemaker-<region>-<account>} to the account its name says, when that account
     * has keys here; any other to {@code accounts.get(0)}, the first account of the credentials file (the operator's).
     * Each is logged; an operator may move one later by writing another account id into its owner file.
     */
    public void adoptOrphans(List<String> accounts) {
        if (accounts.isEmpty() || !Files.isDirectory(bucketsDir)) return;
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(bucketsDir)) {
            for (Path dir : dirs) {
                String bucket = dir.getFileName().toString();
                if (!S3RequestRules.isValidBucketName(bucket) || !Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)
                        || Files.exists(ownersDir.resolve(bucket), LinkOption.NOFOLLOW_LINKS)) {
                    continue;
                }
                Matcher m = DEFAULT_BUCKET.matcher(bucket);
                String owner = m.matches() && accounts.contains(m.group(1)) ? m.group(1) : accounts.get(0);
                record(bucket, owner);
                log.warn("Bucket {} had no owner (it predates per-account buckets): it now belongs to account {}. "
                        + "To give it to another account, write that account's id into {}", bucket, owner,
                        ownersDir.resolve(bucket));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot list the buckets in " + bucketsDir, e);
        }
    }

    private Object lockFor(String bucket) {
        return changing[Math.floorMod(bucket.hashCode(), changing.length)];
    }

    private boolean exists(String bucket) {
        return Files.isDirectory(bucketsDir.resolve(bucket), LinkOption.NOFOLLOW_LINKS);
    }

    /** Durable before it returns: written to a temp file, fsynced, renamed into place, the directory fsynced. */
    private void record(String bucket, String account) {
        requireAccount(account);
        try {
            Path tmp = Files.createTempFile(ownersDir, "." + bucket, ".tmp");
            try {
                Files.writeString(tmp, account + "\n", StandardCharsets.US_ASCII);
                try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                    ch.force(true);
                }
                Files.move(tmp, ownersDir.resolve(bucket), StandardCopyOption.ATOMIC_MOVE,
                        StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(tmp);
            }
            syncDirectory();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot record the owner of bucket " + bucket, e);
        }
    }

    private void forget(String bucket) {
        try {
            Files.deleteIfExists(ownersDir.resolve(bucket));
            syncDirectory();
        } catch (IOException e) {
            // Harmless: an owner without a bucket grants nothing and the next CreateBucket replaces it.
            log.warn("Could not remove the owner file of deleted bucket {}: {}", bucket, e.getMessage());
        }
    }

    private void syncDirectory() throws IOException {
        try (FileChannel dir = FileChannel.open(ownersDir, StandardOpenOption.READ)) {
            dir.force(true);
        }
    }

    private static void requireAccount(String account) {
        if (account == null || !ACCOUNT.matcher(account).matches()) {
            throw new IllegalArgumentException("not a 12-digit account id: " + account);
        }
    }
}
