package dev.sagebrush.jobs.sandbox;

import dev.sagebrush.jobs.Commands;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;

/**
 * A disk of exactly VolumeSizeInGB for a workload (a notebook instance's {@code SageMaker/}, a training host's
 * {@code /opt/ml}): a sparse ext4 image loop-mounted on a directory, so that writing past the size fails with ENOSPC,
 * as on an EBS volume. Overlay or project quotas would need XFS; these hosts' storage is ext4. The image costs only
 * what is written (a fresh 5 GB image takes about 3 MB) and takes ~20 ms to make. Mounted {@code nodev,nosuid} and
 * {@code noinit_itable}: a fresh sparse image already reads as zeros, so the kernel need not write its inode tables
 * (which would make the image's blocks real).
 *
 * <p>When the host cannot (not root, no loop devices or e2fsprogs) the volume is a plain directory and the size is
 * not enforced; callers say so.
 */
public final class LoopVolumes {
    private static final Duration CMD = Duration.ofMinutes(5);
    private static final long GIB = 1024L * 1024L * 1024L;
    private final boolean loop;

    public LoopVolumes(boolean loop) {
        this.loop = loop;
    }

    /** Whether this host can make loop volumes: root, {@code /dev/loop-control}, mkfs.ext4, resize2fs and mount. */
    public static boolean hostSupports() {
        return SandboxHost.isRoot() && Files.exists(Path.of("/dev/loop-control")) && Commands.onPath("mkfs.ext4")
                && Commands.onPath("resize2fs") && Commands.onPath("mount");
    }

    public boolean enforcesSize() {
        return loop;
    }

    /**
     * Creates {@code image} of {@code sizeGb} if it does not exist yet (formatted ext4, 0600: whoever could read the
     * image could read the volume) and mounts it on {@code mountPoint}, made if missing. Without loop volumes only
     * the directory is made.
     */
    public void attach(Path image, Path mountPoint, int sizeGb) throws IOException {
        Files.createDirectories(mountPoint);
        if (!loop) return;
        if (!Files.exists(image)) {
            Path tmp = image.resolveSibling(image.getFileName() + ".tmp");
            Files.deleteIfExists(tmp);
            setLength(tmp, sizeGb);
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
            check(Commands.run(List.of("mkfs.ext4", "-q", "-F", "-m", "0", "-E",
                    "lazy_itable_init=1,lazy_journal_init=1", tmp.toString()), CMD), "format the volume");
            Files.move(tmp, image);
        }
        // The server's only (also for images made before this was so): whoever reads it reads the volume.
        Files.setPosixFilePermissions(image, PosixFilePermissions.fromString("rw-------"));
        if (!isMounted(mountPoint)) {
            check(Commands.run(List.of("mount", "-o", "loop,nodev,nosuid,noinit_itable", image.toString(),
                    mountPoint.toString()), CMD), "mount the volume");
        }
    }

    /** Unmounts whatever is mounted on {@code mountPoint}; lazily when it stays busy. */
    public void detach(Path mountPoint) {
        if (!isMounted(mountPoint)) return;
        for (int attempt = 0; attempt < 10 && isMounted(mountPoint); attempt++) {
            // A process that outlived its cgroup kill by a few ms can still hold the mount busy: retry briefly.
            if (Commands.run(List.of("umount", mountPoint.toString()), CMD).ok()) break;
            sleep(200);
        }
        if (isMounted(mountPoint)) {
            Commands.run(List.of("umount", "-l", mountPoint.toString()), CMD); // lazy: detaches once idle
        }
    }

    /** Grows the image of a detached volume to {@code sizeGb}; sizes only grow. */
    public void grow(Path image, Path mountPoint, int sizeGb) throws IOException {
        if (!loop || !Files.exists(image)) return;
        if (Files.size(image) >= sizeGb * GIB) return;
        detach(mountPoint);
        setLength(image, sizeGb);
        Commands.Result fsck = Commands.run(List.of("e2fsck", "-f", "-p", image.toString()), CMD);
        if (fsck.exitCode() > 1) check(fsck, "check the volume before resizing");
        check(Commands.run(List.of("resize2fs", image.toString()), CMD), "resize the volume");
    }

    /** True when {@code dir} is a mount point. */
    public static boolean isMounted(Path dir) {
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

    private static void setLength(Path file, int gb) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(gb * GIB); // sparse: no blocks are written
        }
    }

    private static void check(Commands.Result r, String what) throws IOException {
        if (!r.ok()) throw new IOException("Could not " + what + ": " + Commands.lastLines(r.output(), 3));
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
