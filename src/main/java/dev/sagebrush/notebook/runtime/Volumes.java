package dev.sagebrush.notebook.runtime;

import dev.sagebrush.jobs.Commands;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The persistent {@code SageMaker} volume. When the host allows it (root, loop devices, mkfs.ext4) the volume is a
 * sparse ext4 image of exactly VolumeSizeInGB, loop-mounted at {@code SageMaker/} while the instance runs: writing
 * past the size fails with ENOSPC, as on AWS. The image costs only what is written (a fresh 5 GB image takes about
 * 3 MB) and takes ~20 ms to make. Otherwise the volume is a plain directory and the size is not enforced; the server
 * log says so at start-up.
 */
final class Volumes {
    private static final Duration CMD = Duration.ofMinutes(5);
    private final boolean loop;

    Volumes(boolean loop) {
        this.loop = loop;
    }

    boolean enforcesSize() {
        return loop;
    }

    /** Creates the volume if it does not exist yet and mounts it. */
    void attach(InstanceLayout l, int sizeGb) throws RuntimeFailure, IOException {
        Files.createDirectories(l.volume());
        if (!loop) return;
        if (!Files.exists(l.volumeImage())) {
            Path tmp = l.base().resolve("volume.img.tmp");
            setLength(tmp, sizeGb);
            // The server's only: anyone who could read the image could read the volume (debugfs).
            Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
            check(Commands.run(List.of("mkfs.ext4", "-q", "-F", "-m", "0", "-E",
                    "lazy_itable_init=1,lazy_journal_init=1", tmp.toString()), CMD), "format the volume");
            Files.move(tmp, l.volumeImage());
        }
        // The server's only (also for images made before this was so): whoever reads it reads the volume.
        Files.setPosixFilePermissions(l.volumeImage(), java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        if (!isMounted(l.volume())) {
            check(Commands.run(List.of("mount", "-o", "loop,nodev,nosuid", l.volumeImage().toString(),
                    l.volume().toString()), CMD), "mount the volume");
        }
    }

    void detach(InstanceLayout l) {
        if (!loop && !isMounted(l.volume())) return;
        for (int attempt = 0; attempt < 10 && isMounted(l.volume()); attempt++) {
            // A process that outlived its cgroup kill by a few ms can still hold the mount busy: retry briefly.
            if (Commands.run(List.of("umount", l.volume().toString()), CMD).ok()) break;
            sleep(200);
        }
        if (isMounted(l.volume())) {
            Commands.run(List.of("umount", "-l", l.volume().toString()), CMD); // lazy: detaches once idle
        }
    }

    /** Grows the image of a stopped instance to {@code sizeGb}; the API lets sizes only grow. */
    void grow(InstanceLayout l, int sizeGb) throws RuntimeFailure, IOException {
        if (!loop || !Files.exists(l.volumeImage())) return;
        long want = bytes(sizeGb);
        if (Files.size(l.volumeImage()) >= want) return;
        detach(l);
        setLength(l.volumeImage(), sizeGb);
        Commands.Result fsck = Commands.run(List.of("e2fsck", "-f", "-p", l.volumeImage().toString()), CMD);
        if (fsck.exitCode() > 1) check(fsck, "check the volume before resizing");
        check(Commands.run(List.of("resize2fs", l.volumeImage().toString()), CMD), "resize the volume");
    }

    static boolean isMounted(Path dir) {
        try {
            String target = dir.toAbsolutePath().normalize().toString();
            for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
                String[] f = line.split(" ");
                if (f.length > 4 && f[4].replace("\\040", " ").equals(target)) return true;
            }
        } catch (IOException ignored) {
            // not Linux
        }
        return false;
    }

    private static long bytes(int gb) {
        return gb * 1024L * 1024L * 1024L;
    }

    private static void setLength(Path file, int gb) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(bytes(gb)); // sparse: no blocks are written
        }
    }

    private static void check(Commands.Result r, String what) throws RuntimeFailure {
        if (!r.ok()) {
            throw new RuntimeFailure("Could not " + what + ": " + Commands.lastLines(r.output(), 3));
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
