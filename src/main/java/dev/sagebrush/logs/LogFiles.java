package dev.sagebrush.logs;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** File naming and directory syncing for the log store. */
final class LogFiles {
    private LogFiles() {}

    /**
     * A file name for a group or stream name: names may hold '/', ':' and up to 512 characters, so they are hashed
     * (the real name is in the file's header).
     */
    static String fileName(String name) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(name.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A temporary name beside {@code file} that no other node uses at the same time. */
    static Path uniqueTemporary(Path file) {
        return file.resolveSibling(file.getFileName() + "." + java.util.UUID.randomUUID() + ".tmp");
    }

    /**
     * Makes the complete file {@code tmp} appear as {@code target} unless another node has published that target
     * already (then {@code tmp} is dropped and theirs stands): a hard link fails when the name exists, where a rename
     * would silently replace it. Both directory entries are synced.
     */
    static void publishOnce(Path tmp, Path target) throws IOException {
        try {
            Files.createLink(target, tmp);
        } catch (FileAlreadyExistsException e) {
            // another node created it first: same name, same kind of content
        } finally {
            Files.deleteIfExists(tmp);
        }
        syncDirectory(target.getParent());
    }

    /** Makes a created or renamed entry of {@code dir} durable. */
    static void syncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }
}
