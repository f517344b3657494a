package dev.sagebrush.storage;

import dev.sagebrush.storage.ArchiveException.Reason;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

/**
 * Extracts user-supplied tar.gz files (model artifacts, training inputs) without trusting them.
 *
 * <p>Threats handled: entries that escape the destination ({@code ../x}, {@code /etc/x}); links, which could point
 * outside and be written through, or smuggle in host files (we extract no link at all: SageMaker's model formats
 * never need one); device nodes and FIFOs; and decompression bombs, bounded by entry count and by bytes actually
 * written (a header's declared size is not trusted). Everything is written to a hidden staging directory beside
 * {@code destDir} and renamed into place at the end, so a failure leaves no partial output and a reader never sees
 * a half-extracted tree.
 */
public final class SafeArchive {
    /**
     * Bounds for one extraction. Each breach is its own {@link Reason}. {@code maxRatio} (0: none) bounds the expanded
     * bytes by the compressed size too: a model archive of float weights or tree JSON expands a few times, a
     * decompression bomb a thousand times, so a bomb is stopped after {@code maxRatio} times its own size (at least
     * {@link #RATIO_FLOOR_BYTES}) instead of after {@code maxTotalBytes}.
     */
    public record Limits(int maxEntries, long maxTotalBytes, long maxEntryBytes, int maxRatio) {
        public static final long RATIO_FLOOR_BYTES = 64L << 20;
        public static final Limits DEFAULT = new Limits(10_000, 4L << 30, 4L << 30, 100);

        public Limits {
            if (maxEntries <= 0 || maxTotalBytes <= 0 || maxEntryBytes <= 0 || maxRatio < 0) {
                throw new IllegalArgumentException("limits must be positive");
            }
        }

        public Limits(int maxEntries, long maxTotalBytes, long maxEntryBytes) {
            this(maxEntries, maxTotalBytes, maxEntryBytes, 0);
        }

        /** The byte budget for an archive of {@code compressedBytes}. */
        long totalBytesFor(long compressedBytes) {
            if (maxRatio == 0) return maxTotalBytes;
            long byRatio = compressedBytes > Long.MAX_VALUE / maxRatio ? Long.MAX_VALUE : compressedBytes * maxRatio;
            return Math.min(maxTotalBytes, Math.max(RATIO_FLOOR_BYTES, byRatio));
        }
    }

    private SafeArchive() {}

    /**
     * Extracts {@code archive} into {@code destDir}, which must not exist or be an empty directory.
     *
     * @throws ArchiveException if the archive is not gzip, is corrupt, or breaks a rule or a limit
     * @throws UncheckedIOException on local I/O failure (disk full, permissions)
     */
    public static void extractTarGz(Path archive, Path destDir, Limits limits) {
        Path dest = destDir.toAbsolutePath().normalize();
        requireEmptyOrAbsent(dest);
        requireGzipMagic(archive);
        Path staging = null;
        try {
            Files.createDirectories(dest.getParent());
            staging = Files.createTempDirectory(dest.getParent(), "." + dest.getFileName() + ".extracting-");
            extractInto(archive, staging, limits);
            Files.deleteIfExists(dest); // the empty directory requireEmptyOrAbsent accepted, if any
            Files.move(staging, dest, StandardCopyOption.ATOMIC_MOVE);
            staging = null;
        } catch (IOException e) {
            throw new UncheckedIOException("Extracting " + archive + " to " + dest + " failed: " + e.getMessage(), e);
        } finally {
            if (staging != null) {
                FileTrees.deleteRecursively(staging);
            }
        }
    }

    private static void extractInto(Path archive, Path root, Limits limits) throws IOException {
        int entries = 0;
        long total = 0;
        long budget = limits.totalBytesFor(Files.size(archive));
        byte[] buffer = new byte[64 * 1024];
        try (InputStream file = new BufferedInputStream(Files.newInputStream(archive), 64 * 1024);
             // decompressConcatenated: multi-member gzip is valid and what `tar | pigz` and some tools produce.
             GzipCompressorInputStream gz = new GzipCompressorInputStream(file, true);
             TarArchiveInputStream tar = new TarArchiveInputStream(gz)) {
            TarArchiveEntry entry;
            while ((entry = nextEntry(tar)) != null) {
                if (++entries > limits.maxEntries()) {
                    throw new ArchiveException(Reason.TOO_MANY_ENTRIES,
                            "Archive has more than " + limits.maxEntries() + " entries");
                }
                String name = entry.getName();
                Path target = safeTarget(root, name);
                if (entry.isSymbolicLink() || entry.isLink()) {
                    throw new ArchiveException(Reason.LINK, "Archive entry '" + name + "' is a "
                            + (entry.isSymbolicLink() ? "symbolic" : "hard") + " link to '" + entry.getLinkName()
                            + "'; links are not allowed");
                }
                if (entry.isDirectory()) {
                    Files.createDirectories(target);
                } else if (isRegularFile(entry)) {
                    total = writeFile(tar, entry, target, root, buffer, total, budget, limits);
                } else {
                    throw new ArchiveException(Reason.UNSUPPORTED_ENTRY_TYPE, "Archive entry '" + name
                            + "' is not a regular file or directory (tar type '" + (char) entry.getLinkFlag() + "')");
                }
            }
        }
    }

    private static long writeFile(TarArchiveInputStream tar, TarArchiveEntry entry, Path target, Path root,
                                  byte[] buffer, long total, long budget, Limits limits) throws IOException {
        if (!target.equals(root)) {
            Files.createDirectories(target.getParent());
        }
        long written = 0;
        // CREATE_NEW: a duplicate name fails instead of silently overwriting an earlier entry (see below).
        try (OutputStream out = Files.newOutputStream(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            int n;
            while ((n = readEntry(tar, buffer)) > 0) {
                written += n;
                total += n;
                if (written > limits.maxEntryBytes()) {
                    throw new ArchiveException(Reason.ENTRY_TOO_LARGE, "Archive entry '" + entry.getName()
                            + "' is larger than the limit of " + limits.maxEntryBytes() + " bytes");
                }
                if (total > budget) {
                    throw new ArchiveException(Reason.TOO_MANY_BYTES, "Archive expands to more than " + budget
                            + " bytes" + (budget < limits.maxTotalBytes() ? " (" + limits.maxRatio()
                            + " times its compressed size; a decompression bomb?)" : ""));
                }
                out.write(buffer, 0, n);
            }
        } catch (FileAlreadyExistsException e) {
            // tar's "later entry wins" would be harmless here, but a directory entry replaced by a file (or the
            // reverse) is a classic confusion trick and no honest artifact needs duplicates.
            throw new ArchiveException(Reason.UNSUPPORTED_ENTRY_TYPE,
                    "Archive entry '" + entry.getName() + "' appears more than once or clashes with a directory");
        }
        if ((entry.getMode() & 0100) != 0) {
            target.toFile().setExecutable(true, true); // keep scripts runnable; never setuid/setgid/world bits
        }
        return total;
    }

    /** The entry's path under root, or a PATH_ESCAPE failure; root itself for "./". */
    private static Path safeTarget(Path root, String name) {
        if (name.startsWith("/") || name.indexOf('\0') >= 0) {
            throw new ArchiveException(Reason.PATH_ESCAPE, "Archive entry '" + name
                    + "' has an absolute path; only relative paths are allowed");
        }
        Path target;
        try {
            target = root.resolve(name).normalize();
        } catch (InvalidPathException e) {
            throw new ArchiveException(Reason.PATH_ESCAPE, "Archive entry '" + name + "' is not a valid path", e);
        }
        if (!target.startsWith(root)) {
            throw new ArchiveException(Reason.PATH_ESCAPE,
                    "Archive entry '" + name + "' would be written outside the extraction directory");
        }
        return target;
    }

    // Regular files only: type '0', the pre-POSIX NUL type, and contiguous files ('7', which readers treat as '0').
    // commons-compress's isFile() also accepts unknown types, which we do not want to write as files.
    private static boolean isRegularFile(TarArchiveEntry e) {
        byte t = e.getLinkFlag();
        return !e.isGNUSparse() && (t == TarConstants.LF_NORMAL || t == TarConstants.LF_OLDNORM
                || t == TarConstants.LF_CONTIG);
    }

    private static TarArchiveEntry nextEntry(TarArchiveInputStream tar) {
        try {
            return tar.getNextEntry();
        } catch (IOException | IllegalArgumentException e) {
            throw corrupt(e);
        }
    }

    private static int readEntry(TarArchiveInputStream tar, byte[] buffer) {
        try {
            return tar.read(buffer);
        } catch (IOException e) {
            throw corrupt(e);
        }
    }

    private static ArchiveException corrupt(Exception e) {
        return new ArchiveException(Reason.CORRUPT,
                ArchiveException.UNABLE_TO_UNTAR + " (the archive is truncated or corrupt: " + e.getMessage() + ")", e);
    }

    private static void requireGzipMagic(Path archive) {
        byte[] magic = new byte[2];
        int n;
        try (InputStream in = Files.newInputStream(archive)) {
            n = in.readNBytes(magic, 0, 2);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read archive " + archive + ": " + e.getMessage(), e);
        }
        if (n < 2 || (magic[0] & 0xff) != 0x1f || (magic[1] & 0xff) != 0x8b) {
            throw new ArchiveException(Reason.NOT_GZIP, ArchiveException.UNABLE_TO_UNTAR);
        }
    }

    private static void requireEmptyOrAbsent(Path dest) {
        if (!Files.exists(dest)) {
            return;
        }
        try (var children = Files.list(dest)) {
            if (children.findAny().isPresent()) {
                throw new IllegalArgumentException("Extraction directory " + dest + " is not empty");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Extraction directory " + dest + " is not a readable directory", e);
        }
    }
}
