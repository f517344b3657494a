package dev.sagebrush.jobs.sandbox;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Hands out host uids from a configured range, one per running workload, so that no two workloads share a uid (file
 * ownership, signals and RLIMIT_NPROC are all per uid). A lease is an OS file lock on {@code <lockDir>/<uid>.lock}:
 * several servers on one host (tests do this) never hand out the same uid, and a crashed server's leases end with
 * its process. The uids need no /etc/passwd entry.
 *
 * <p>A pool made by {@link #ranges} hands out whole ranges instead (a container's user namespace maps its uids 0..65535
 * onto one): the lease's {@link Lease#uid()} is the range's first uid, and no two leases share any uid of it.
 */
public final class UidPool {
    private final int first;
    private final int count;
    private final int stride;
    private final Path lockDir;
    private final Set<Integer> held = new HashSet<>();
    private int next;

    public UidPool(int first, int count, Path lockDir) throws IOException {
        this(first, count, 1, lockDir);
    }

    /** A pool of {@code count} ranges of {@code size} uids each, the first starting at {@code first}. */
    public static UidPool ranges(int first, int size, int count, Path lockDir) throws IOException {
        return new UidPool(first, count, size, lockDir);
    }

    private UidPool(int first, int count, int stride, Path lockDir) throws IOException {
        if (first < 1000 || count < 1 || stride < 1 || (long) first + (long) count * stride > Integer.MAX_VALUE - 1) {
            throw new IllegalArgumentException("bad sandbox uid range " + first + " + " + count + " x " + stride);
        }
        this.first = first;
        this.count = count;
        this.stride = stride;
        this.lockDir = lockDir;
        Files.createDirectories(lockDir);
        try {
            Files.setPosixFilePermissions(lockDir, PosixFilePermissions.fromString("rwx------"));
        } catch (IOException | UnsupportedOperationException ignored) {
            // a shared lock directory made by another user: the locks still work
        }
    }

    public int first() { return first; }

    public int count() { return count; }

    /** Uids per lease: 1, or the size of each range. */
    public int rangeSize() { return stride; }

    /** One uid, held until the lease is closed. */
    public Lease lease() throws IOException {
        return tryLease().orElseThrow(() -> new IOException("all " + count + (stride == 1 ? " sandbox uids"
                : " sandbox uid ranges") + " from " + first + " are in use"));
    }

    /**
     * {@code n} uids at once, or none: empty when fewer are free now (several workloads waiting for uids must not each
     * hold some of them, or none might ever start).
     */
    public Optional<List<Lease>> leaseAll(int n) throws IOException {
        List<Lease> got = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                Optional<Lease> l = tryLease();
                if (l.isEmpty()) {
                    got.forEach(Lease::close);
                    return Optional.empty();
                }
                got.add(l.get());
            }
        } catch (IOException | RuntimeException e) {
            got.forEach(Lease::close);
            throw e;
        }
        return Optional.of(List.copyOf(got));
    }

    /** One uid, or empty when every uid of the pool is in use (by this server or another). */
    public Optional<Lease> tryLease() throws IOException {
        for (int i = 0; i < count; i++) {
            int uid;
            synchronized (this) {
                uid = first + (next++ % count) * stride;
                if (held.contains(uid)) continue;
                held.add(uid);
            }
            Lease lease = tryLock(uid);
            if (lease != null) return Optional.of(lease);
            synchronized (this) {
                held.remove(uid);
            }
        }
        return Optional.empty();
    }

    private Lease tryLock(int uid) throws IOException {
        FileChannel ch = FileChannel.open(lockDir.resolve(uid + ".lock"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE);
        try {
            FileLock lock = ch.tryLock();
            if (lock != null) return new Lease(uid, ch);
        } catch (OverlappingFileLockException e) {
            // held by this JVM through another pool over the same directory
        }
        ch.close();
        return null;
    }

    /** A uid in use by one workload. */
    public final class Lease implements AutoCloseable {
        private final int uid;
        private final FileChannel channel;
        private boolean closed;

        private Lease(int uid, FileChannel channel) {
            this.uid = uid;
            this.channel = channel;
        }

        public int uid() { return uid; }

        @Override
        public void close() {
            synchronized (UidPool.this) {
                if (closed) return;
                closed = true;
                held.remove(uid);
            }
            try {
                channel.close(); // releases the lock
            } catch (IOException ignored) {
                // the lock dies with the channel either way
            }
        }
    }
}
