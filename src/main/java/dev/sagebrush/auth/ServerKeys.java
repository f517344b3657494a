package dev.sagebrush.auth;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;

/**
 * The keys the server signs with (page tokens, Search tokens, notebook sessions, instance credentials, requests
 * forwarded between nodes), named and loaded in this one place. A single node keeps each key in its data directory,
 * created once (0600, fsynced, renamed into place): a restart must keep honouring the tokens it issued. Nodes sharing
 * a database keep the keys there, so a token one node issued is honoured by every other.
 */
public final class ServerKeys {
    public static final String PAGE_TOKENS = "page-token";
    public static final String SEARCH_TOKENS = "search-token";
    public static final String NOTEBOOK_SESSIONS = "notebook-session";
    public static final String NOTEBOOK_CREDENTIALS = "notebook-credentials";
    /** Signs requests one node forwards to another (a notebook served by the other's Jupyter). */
    public static final String NODE_FORWARDING = "node-forwarding";

    private static final int KEY_BYTES = 32;

    private final Path directory;
    private final SharedStore store;

    /** What a shared database offers: the stored key of this name, or {@code candidate} stored as it. */
    @FunctionalInterface
    public interface SharedStore {
        byte[] sharedKey(String name, byte[] candidate);
    }

    private ServerKeys(Path directory, SharedStore store) {
        this.directory = directory;
        this.store = store;
    }

    /** Keys kept as files in {@code directory} (one node). */
    public static ServerKeys inDirectory(Path directory) {
        return new ServerKeys(directory, null);
    }

    /** Keys kept in the database every node shares. */
    public static ServerKeys shared(SharedStore store) {
        return new ServerKeys(null, store);
    }

    public byte[] get(String name) throws IOException {
        if (store != null) return store.sharedKey(name, random());
        return loadOrCreate(directory.resolve(name + ".key"));
    }

    private static byte[] random() {
        byte[] key = new byte[KEY_BYTES];
        new SecureRandom().nextBytes(key);
        return key;
    }

    private static byte[] loadOrCreate(Path file) throws IOException {
        if (Files.exists(file)) {
            byte[] key = Files.readAllBytes(file);
            if (key.length >= KEY_BYTES) return key;
        }
        Files.createDirectories(file.getParent());
        byte[] key = random();
        Path tmp = Files.createTempFile(file.getParent(), "key", ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.write(tmp, key);
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
        return key;
    }
}
