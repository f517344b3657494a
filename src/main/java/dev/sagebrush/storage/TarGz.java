package dev.sagebrush.storage;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipParameters;

/**
 * Writes artifacts (compiled models, training output) as tar.gz, byte-for-byte reproducibly: entries in sorted path
 * order, times zeroed, owner root, modes normalised to 0755/0644, no name or time in the gzip header. The same tree
 * thus always gives the same ETag, and a re-run job is recognisably identical.
 */
public final class TarGz {
    private TarGz() {}

    /**
     * Archives the contents of {@code sourceDir} (not the directory itself) into {@code archive}, written to a
     * temporary file, fsynced and renamed, so {@code archive} is either absent or complete. Symbolic links and other
     * special files are refused: what they point to would not travel with the artifact.
     */
    public static void create(Path sourceDir, Path archive) {
        Path src = sourceDir.toAbsolutePath().normalize();
        Path out = archive.toAbsolutePath();
        Path tmp = null;
        try {
            List<Path> paths = sortedTree(src);
            Files.createDirectories(out.getParent());
            tmp = Files.createTempFile(out.getParent(), "." + out.getFileName(), ".part");
            write(src, paths, tmp);
            FileTrees.fsync(tmp, false);
            Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            tmp = null;
            FileTrees.fsync(out.getParent(), true);
        } catch (IOException e) {
            throw new UncheckedIOException("Creating " + archive + " from " + sourceDir + " failed: " + e.getMessage(), e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // hidden .part file; nothing else to do
                }
            }
        }
    }

    private static List<Path> sortedTree(Path src) throws IOException {
        List<Path> paths = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(src)) {
            walk.filter(p -> !p.equals(src)).forEach(paths::add);
        }
        // Sort by the '/'-joined relative name, so the order does not depend on the file system or the platform.
        paths.sort((a, b) -> entryName(src, a).compareTo(entryName(src, b)));
        return paths;
    }

    private static void write(Path src, List<Path> paths, Path tmp) throws IOException {
        GzipParameters gzip = new GzipParameters();
        gzip.setModificationInstant(Instant.EPOCH);
        try (OutputStream file = new BufferedOutputStream(Files.newOutputStream(tmp), 64 * 1024);
             GzipCompressorOutputStream gz = new GzipCompressorOutputStream(file, gzip);
             TarArchiveOutputStream tar = new TarArchiveOutputStream(gz)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            for (Path p : paths) {
                String name = entryName(src, p);
                if (Files.isSymbolicLink(p)) {
                    throw new IOException("'" + name + "' is a symbolic link; artifacts may only contain files");
                }
                boolean dir = Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS);
                if (!dir && !Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    throw new IOException("'" + name + "' is not a regular file or directory");
                }
                TarArchiveEntry e = new TarArchiveEntry(dir ? name + "/" : name);
                e.setModTime(0);
                e.setUserId(0);
                e.setGroupId(0);
                e.setUserName("");
                e.setGroupName("");
                e.setMode(dir ? 040755 : (Files.isExecutable(p) ? 0100755 : 0100644));
                long size = dir ? 0 : Files.size(p);
                if (!dir) {
                    e.setSize(size);
                }
                tar.putArchiveEntry(e);
                if (!dir) {
                    copyExactly(p, name, size, tar);
                }
                tar.closeArchiveEntry();
            }
            tar.finish();
        }
    }

    /**
     * Copies the {@code size} bytes the entry's header announced, no more: a file that a still-running process keeps
     * writing (an untrusted training job's output) cannot push the archive past what was measured, and a file that
     * shrank is an error rather than a corrupt archive.
     */
    private static void copyExactly(Path p, String name, long size, OutputStream out) throws IOException {
        byte[] buffer = new byte[64 * 1024];
        long left = size;
        try (InputStream in = Files.newInputStream(p, LinkOption.NOFOLLOW_LINKS)) {
            while (left > 0) {
                int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
                if (n < 0) {
                    throw new IOException("'" + name + "' shrank while it was being archived");
                }
                out.write(buffer, 0, n);
                left -= n;
            }
        }
    }

    private static String entryName(Path root, Path p) {
        return root.relativize(p).toString().replace(p.getFileSystem().getSeparator(), "/");
    }
}
