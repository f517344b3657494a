package dev.sagebrush.it;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Container images the tests build themselves, from Debian packages: a root filesystem made by mmdebstrap, imported
 * with {@code podman import}. Each is tagged with the hash of its recipe (mmdebstrap arguments and the files put into
 * it), so a machine builds it once and every later run, of any test, reuses it; a file lock keeps two test JVMs from
 * building the same image at once.
 */
public final class TestImages {
    static final String MIRROR = "http://deb.debian.org/debian";

    private TestImages() {}

    /**
     * A bring-your-own training image: Debian's essential set plus python3, with the
     * test's {@code train} program in /usr/local/bin, as SageMaker runs {@code docker run <image> train}.
     */
    public static String byoTraining() throws IOException, InterruptedException {
        byte[] train;
        try (InputStream in = TestImages.class.getResourceAsStream("/training/container/train")) {
            train = in.readAllBytes();
        }
        List<String> recipe = List.of("--variant=essential", "--include=python3",
                "--dpkgopt=path-exclude=/usr/share/doc/*", "--dpkgopt=path-exclude=/usr/share/man/*",
                "--dpkgopt=path-exclude=/usr/share/locale/*", "--dpkgopt=path-exclude=/usr/share/info/*", "bookworm");
        String name = "localhost/sagebrush-test/byo-training:" + hash(recipe, train);
        if (podman("image", "exists", name) == 0) return name;
        Path lockFile = Path.of(System.getProperty("java.io.tmpdir"), "sagebrush-test-images.lock");
        try (FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock ignored = ch.lock()) {
            if (podman("image", "exists", name) == 0) return name;
            Path dir = Files.createTempDirectory("sagebrush-test-image");
            try {
                Path script = dir.resolve("train");
                Files.write(script, train);
                Path tar = dir.resolve("rootfs.tar");
                List<String> cmd = new ArrayList<>(List.of("mmdebstrap", "--quiet", "--mode=root"));
                cmd.addAll(recipe.subList(0, recipe.size() - 1));
                cmd.add("--customize-hook=copy-in " + script + " /usr/local/bin");
                cmd.add("--customize-hook=chmod 0755 \"$1/usr/local/bin/train\"");
                cmd.addAll(List.of("--format=tar", recipe.get(recipe.size() - 1), tar.toString(), MIRROR));
                run(cmd);
                run(List.of("podman", "import", "--quiet", tar.toString(), name));
            } finally {
                try (var walk = Files.walk(dir)) {
                    walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
        }
        return name;
    }

    public static boolean canBuild() {
        return Files.isExecutable(Path.of("/usr/bin/podman")) && Files.isExecutable(Path.of("/usr/bin/mmdebstrap"));
    }

    private static String hash(List<String> recipe, byte[] file) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            d.update(String.join("\n", recipe).getBytes(StandardCharsets.UTF_8));
            d.update(file);
            return HexFormat.of().formatHex(d.digest()).substring(0, 16);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static int podman(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("podman"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor();
    }

    /** The output of a podman command (for the tests' checks: no container left, ...). */
    static String podmanOutput(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("podman"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return out.strip();
    }

    private static void run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(15, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IOException(cmd.get(0) + " failed: " + new String(out, StandardCharsets.UTF_8));
        }
    }
}
