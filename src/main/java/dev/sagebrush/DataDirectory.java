package dev.sagebrush;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Makes the data directory the server's alone before anything is opened in it: the directory itself 0700 (nothing
 * under it can be reached by another uid, whatever its own mode), and the files that hold every account's state or
 * the server's keys 0600 on top: the database and its WAL (SQLite gives the -wal and -shm files the database file's
 * mode, so the database is created 0600 before SQLite opens it), and the secrets directory. Workloads see none of it:
 * a sandbox is given its own job directory only.
 */
final class DataDirectory {
    private static final Set<PosixFilePermission> DIR = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");

    private DataDirectory() {}

    /** @param sqlite the database is the embedded SQLite file (not PostgreSQL) */
    static Path secure(Path dir, boolean sqlite) throws IOException {
        Path dataDir = dir.toAbsolutePath().normalize(); // sandboxes bind absolute paths
        Files.createDirectories(dataDir);
        Files.setPosixFilePermissions(dataDir, DIR);
        Path db = dataDir.resolve("sagebrush.db");
        if (sqlite && !Files.exists(db, LinkOption.NOFOLLOW_LINKS)) {
            Files.createFile(db, PosixFilePermissions.asFileAttribute(FILE)); // an empty file is a new SQLite database
        }
        for (String name : new String[] {"sagebrush.db", "sagebrush.db-wal", "sagebrush.db-shm", "sagebrush.db-journal"}) {
            Path f = dataDir.resolve(name);
            if (Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)) Files.setPosixFilePermissions(f, FILE);
        }
        secureSecrets(dataDir);
        return dataDir;
    }

    /** The secrets directory 0700 and every key in it 0600 (call again once the server has written its keys). */
    static void secureSecrets(Path dataDir) throws IOException {
        Path secrets = Files.createDirectories(dataDir.resolve("secrets"));
        Files.setPosixFilePermissions(secrets, DIR);
        try (Stream<Path> s = Files.list(secrets)) {
            for (Path f : (Iterable<Path>) s::iterator) {
                if (Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)) Files.setPosixFilePermissions(f, FILE);
            }
        }
    }

    /** A directory under the data directory that only the server reads (job work roots, logs). */
    static Path privateDir(Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, DIR);
        return dir;
    }
}
