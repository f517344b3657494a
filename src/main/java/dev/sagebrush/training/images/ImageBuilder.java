package dev.sagebrush.training.images;

import dev.sagebrush.storage.FileTrees;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds a {@link FrameworkImage} with nothing but Debian's archive: {@code mmdebstrap} makes a root file system of
 * the recipe's packages (variant {@code essential}: no apt, no init, only what the packages need), a customize hook
 * puts the entry point at {@code /usr/local/bin/train}, and the engine imports the tarball as the image. No registry
 * but the Debian mirror is used: none other is reachable from the machines this runs on.
 *
 * <p>Documentation, manual pages, translations, headers and static libraries are left out
 * ({@link FrameworkImage#PATH_FILTERS}).
 */
public final class ImageBuilder {
    public static final String DEFAULT_MIRROR = "http://deb.debian.org/debian";

    private final ImageStore store;
    private final String mirror;
    private final Path workRoot;
    private final PrintStream out;

    /**
     * @param mirror   the Debian mirror to download from (not part of the recipe: the packages are pinned)
     * @param workRoot where the temporary root file system and tarball go (a PyTorch one is about 1.5 GB)
     */
    public ImageBuilder(ImageStore store, String mirror, Path workRoot, PrintStream out) {
        this.store = store;
        this.mirror = mirror;
        this.workRoot = workRoot;
        this.out = out;
    }

    /** What one {@link #build} did, with its times. */
    public record Outcome(FrameworkImage image, boolean built, Duration rootfs, Duration imported, long sizeBytes) {}

    /** Builds the image unless the store has it from the same recipe (or {@code force}). */
    public Outcome build(FrameworkImage image, boolean force) throws IOException, InterruptedException {
        if (!force && store.upToDate(image)) {
            long size = store.inspect(image.imageName()).map(ImageStore.Built::sizeBytes).orElse(-1L);
            return new Outcome(image, false, Duration.ZERO, Duration.ZERO, size);
        }
        Files.createDirectories(workRoot);
        Path work = Files.createTempDirectory(workRoot, "sagebrush-image-" + image.id() + "-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        try {
            Path entryPoint = work.resolve("train");
            Files.write(entryPoint, FrameworkImage.entryPoint());
            Path tarball = work.resolve("rootfs.tar");
            long t0 = System.nanoTime();
            runMmdebstrap(image, entryPoint, tarball, work);
            long t1 = System.nanoTime();
            store.importRootfs(tarball, image);
            long t2 = System.nanoTime();
            long size = store.inspect(image.imageName()).map(ImageStore.Built::sizeBytes).orElse(-1L);
            return new Outcome(image, true, Duration.ofNanos(t1 - t0), Duration.ofNanos(t2 - t1), size);
        } finally {
            FileTrees.deleteRecursively(work);
        }
    }

    /** The mmdebstrap command line for the image (public for the README and the tests). */
    public List<String> mmdebstrapCommand(FrameworkImage image, Path entryPoint, Path tarball) {
        List<String> cmd = new ArrayList<>(List.of("mmdebstrap", "--variant=essential",
                "--include=" + String.join(",", image.packages())));
        for (String filter : FrameworkImage.PATH_FILTERS) cmd.add("--dpkgopt=" + filter);
        cmd.addAll(List.of(
                "--customize-hook=upload " + entryPoint + " " + FrameworkImage.ENTRY_POINT_PATH,
                "--customize-hook=chmod 0755 \"$1" + FrameworkImage.ENTRY_POINT_PATH + "\"",
                "--customize-hook=mkdir -p \"$1/opt/ml/code\"",
                FrameworkImage.SUITE, tarball.toString(), mirror));
        return cmd;
    }

    private void runMmdebstrap(FrameworkImage image, Path entryPoint, Path tarball, Path work)
            throws IOException, InterruptedException {
        List<String> cmd = mmdebstrapCommand(image, entryPoint, tarball);
        out.println("  $ " + String.join(" ", cmd));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("TMPDIR", work.toString());
        Process p = pb.start();
        p.getOutputStream().close();
        List<String> tail = new ArrayList<>();
        try (var lines = p.inputReader().lines()) {
            lines.forEach(line -> {
                out.println("    " + line);
                tail.add(line);
                if (tail.size() > 20) tail.remove(0);
            });
        }
        int exit = p.waitFor();
        if (exit != 0) {
            throw new IOException("mmdebstrap failed (exit " + exit + ") building " + image.imageName() + ". Is "
                    + mirror + " reachable, and does Debian " + FrameworkImage.SUITE + " still ship "
                    + image.frameworkPackage() + " " + image.debianVersion() + "? Last lines:\n  "
                    + String.join("\n  ", tail));
        }
    }
}
