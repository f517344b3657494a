package dev.sagebrush.training.images;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The host's container image store, through the engine's command line ({@code podman}, or {@code docker} where there
 * is no podman): whether a framework image is built and from which recipe, and importing a root file system as one.
 */
public final class ImageStore {
    private final String engine;

    public ImageStore(String engine) {
        this.engine = engine;
    }

    /** podman if the host has it, else docker, else empty. */
    public static Optional<ImageStore> onThisHost() {
        for (String engine : List.of("podman", "docker")) {
            if (onPath(engine)) return Optional.of(new ImageStore(engine));
        }
        return Optional.empty();
    }

    public static boolean onPath(String program) {
        String path = System.getenv().getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin");
        for (String dir : path.split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) return true;
        }
        return false;
    }

    public String engine() {
        return engine;
    }

    /** What the store says about a built framework image. */
    public record Built(String name, String id, String recipe, long sizeBytes, String created) {}

    /** The image of that name, if the store has it. */
    public Optional<Built> inspect(String name) throws IOException, InterruptedException {
        Result r = run(List.of(engine, "image", "inspect", "--format",
                "{{.Id}}\t{{index .Config.Labels \"" + FrameworkImage.LABEL_RECIPE + "\"}}\t{{.Size}}\t{{.Created}}",
                name));
        if (r.exit != 0) return Optional.empty();
        String[] f = r.out.strip().split("\t", -1);
        if (f.length < 4) return Optional.empty();
        long size;
        try {
            size = Long.parseLong(f[2].strip());
        } catch (NumberFormatException e) {
            size = -1;
        }
        return Optional.of(new Built(name, f[0], f[1].equals("<no value>") ? "" : f[1], size, f[3]));
    }

    /** Whether the image is there and was built from the framework's current recipe. */
    public boolean upToDate(FrameworkImage image) throws IOException, InterruptedException {
        return inspect(image.imageName()).map(b -> b.recipe().equals(image.recipeHash())).orElse(false);
    }

    /**
     * Imports a root file system tarball as {@code image}, with the framework image's configuration and labels.
     * {@code import} keeps no history or layers of its own: the image is exactly the tarball.
     */
    public void importRootfs(Path tarball, FrameworkImage image) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(engine, "import"));
        for (String env : FrameworkImage.environment()) cmd.addAll(List.of("--change", "ENV " + env));
        cmd.addAll(List.of("--change", "CMD [\"train\"]", "--change", "WORKDIR /opt/ml/code",
                "--change", "LABEL " + FrameworkImage.LABEL_FRAMEWORK + "=" + image.id(),
                "--change", "LABEL " + FrameworkImage.LABEL_RECIPE + "=" + image.recipeHash(),
                "--change", "LABEL " + FrameworkImage.LABEL_DEBIAN_VERSION + "=" + image.debianVersion(),
                "--message", "sagebrush images build: " + image.frameworkPackage() + " " + image.debianVersion()
                        + " (Debian " + FrameworkImage.SUITE + ")",
                tarball.toString(), image.imageName()));
        Result r = run(cmd);
        if (r.exit != 0) {
            throw new IOException(engine + " import failed (exit " + r.exit + "): " + r.out.strip());
        }
    }

    record Result(int exit, String out) {}

    private static Result run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(10, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", cmd.subList(0, 2)) + " did not finish in 10 minutes");
        }
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }
}
