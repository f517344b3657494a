package dev.sagebrush;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One server per data directory, held for the server's life. The embedded store relies on it: SQLite's feed head is
 * kept in memory and the Describe cache serves from memory because no other process writes the file; a second server
 * on the same directory would also share its node id, job directories and notebook volumes. The operating system
 * drops the lock when the process dies, so a {@code kill -9} never leaves the directory locked.
 */
final class DataDirectoryLock implements AutoCloseable {
    static final String FILE = ".sagebrush.lock";

    private final FileChannel channel;
    private final FileLock lock;

    private DataDirectoryLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    static DataDirectoryLock acquire(Path dataDir) throws IOException {
        Path dir = dataDir.toAbsolutePath().normalize();
        Files.createDirectories(dir);
        FileChannel channel = FileChannel.open(dir.resolve(FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null; // another server in this JVM holds it
        } catch (IOException e) {
            channel.close();
            throw e;
        }
        if (lock == null) {
            channel.close();
            throw new IllegalStateException("The data directory " + dir + " is in use by another Sagebrush server. "
                    + "Each server needs a data directory of its own (--data-dir); several nodes share state through "
                    + "--database postgresql://... instead.");
        }
        return new DataDirectoryLock(channel, lock);
    }

    @Override
    public void close() throws IOException {
        try {
            lock.release();
        } finally {
            channel.close();
        }
    }
}
