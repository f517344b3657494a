package dev.sagebrush.jobs.sandbox;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Reading, as the server, files a sandbox wrote. A sandboxed workload can put a symbolic link anywhere in its own
 * directory ({@code output/failure -> /data/secrets/...}); the server is root and would follow it. So every path is
 * checked component by component from the directory the sandbox was given, no link is followed, and only regular
 * files are read. Call these after the sandbox's processes are gone (nothing can swap a component in between).
 */
public final class UntrustedFiles {
    private UntrustedFiles() {}

    /** {@code file} (inside {@code root}) as a regular file reached without links; IOException otherwise. */
    public static Path checked(Path root, Path file) throws IOException {
        Path r = root.toAbsolutePath().normalize();
        Path f = file.toAbsolutePath().normalize();
        if (!f.startsWith(r) || f.equals(r)) throw new IOException(file + " is not inside " + root);
        Path p = r;
        for (Path part : r.relativize(f)) {
            p = p.resolve(part);
            if (Files.isSymbolicLink(p)) throw new IOException(r.relativize(p) + " is a symbolic link");
        }
        if (!Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)) throw new IOException(r.relativize(f) + " is not a file");
        return f;
    }

    /** True when {@code file} exists as a regular file reached without links. */
    public static boolean isRegularFile(Path root, Path file) {
        try {
            checked(root, file);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Opens a checked file (O_NOFOLLOW on the last component too). */
    public static InputStream open(Path root, Path file) throws IOException {
        Path f = checked(root, file);
        return Channels.newInputStream(FileChannel.open(f, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS));
    }

    /** Reads a checked file, refusing one larger than {@code maxBytes}. */
    public static byte[] read(Path root, Path file, long maxBytes) throws IOException {
        try (InputStream in = open(root, file)) {
            byte[] b = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
            if (b.length > maxBytes) throw new IOException(file.getFileName() + " is larger than " + maxBytes + " bytes");
            return b;
        }
    }

    /** Copies a checked file to {@code dest} (a server-owned path). */
    public static void copy(Path root, Path file, Path dest) throws IOException {
        try (InputStream in = open(root, file)) {
            Files.copy(in, dest, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
