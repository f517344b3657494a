package dev.sagebrush.cli;

import dev.sagebrush.training.images.FrameworkImage;
import dev.sagebrush.training.images.ImageBuilder;
import dev.sagebrush.training.images.ImageStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code bin/sagebrush images build|list}: the framework images that run SageMaker script mode (scikit-learn, PyTorch,
 * XGBoost), built from Debian packages into the host's podman (or docker) image store, once per recipe.
 */
@Command(name = "images", description = "Build and list the framework images for SageMaker script mode "
        + "(scikit-learn, PyTorch, XGBoost), made from Debian packages.",
        subcommands = {ImagesCommand.Build.class, ImagesCommand.ListImages.class})
public final class ImagesCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    static Optional<ImageStore> store() {
        Optional<ImageStore> store = ImageStore.onThisHost();
        if (store.isEmpty()) {
            System.err.println("sagebrush images: no container engine found: install podman (Debian: apt-get install "
                    + "podman runc) or docker.");
        }
        return store;
    }

    static List<FrameworkImage> selected(List<String> names) {
        if (names == null || names.isEmpty()) return List.of(FrameworkImage.values());
        List<FrameworkImage> out = new ArrayList<>();
        for (String n : names) {
            out.add(FrameworkImage.byId(n).orElseThrow(() -> new CommandLine.ParameterException(
                    new CommandLine(new Build()), "Unknown framework '" + n + "'; choose from sklearn, pytorch, xgboost")));
        }
        return out;
    }

    static String megabytes(long bytes) {
        return bytes < 0 ? "?" : String.format(Locale.ROOT, "%.0f MB", bytes / 1e6);
    }

    static String seconds(Duration d) {
        return String.format(Locale.ROOT, "%.1f s", d.toMillis() / 1000.0);
    }

    @Command(name = "build", description = "Build the framework images (all, or those named) unless they are already "
            + "built from the same recipe. Needs root (or user namespaces), mmdebstrap and a reachable Debian mirror.")
    static final class Build implements Callable<Integer> {
        @Parameters(arity = "0..*", paramLabel = "FRAMEWORK", description = "sklearn, pytorch, xgboost (default: all)")
        List<String> names;

        @Option(names = "--force", description = "Build even when an image of the same recipe exists.")
        boolean force;

        @Option(names = "--mirror", defaultValue = ImageBuilder.DEFAULT_MIRROR,
                description = "Debian mirror (default: ${DEFAULT-VALUE}).")
        String mirror;

        @Option(names = "--work-dir", description = "Where the temporary root file systems go (default: /var/tmp).")
        Path workDir = Path.of("/var/tmp");

        @Override
        public Integer call() throws Exception {
            Optional<ImageStore> store = store();
            if (store.isEmpty()) return 1;
            if (!ImageStore.onPath("mmdebstrap")) {
                System.err.println("sagebrush images build: mmdebstrap is not installed (Debian: apt-get install "
                        + "mmdebstrap).");
                return 1;
            }
            ImageBuilder builder = new ImageBuilder(store.get(), mirror, workDir, System.out);
            long start = System.nanoTime();
            for (FrameworkImage image : selected(names)) {
                System.out.println(image.imageName() + ": recipe " + image.recipeHash().substring(0, 12) + " ("
                        + String.join(" ", image.packages()) + ")");
                ImageBuilder.Outcome o = builder.build(image, force);
                if (o.built()) {
                    System.out.println(image.imageName() + ": built in " + seconds(o.rootfs().plus(o.imported()))
                            + " (mmdebstrap " + seconds(o.rootfs()) + ", " + store.get().engine() + " import "
                            + seconds(o.imported()) + "), " + megabytes(o.sizeBytes()));
                } else {
                    System.out.println(image.imageName() + ": up to date (" + megabytes(o.sizeBytes()) + "), not rebuilt");
                }
            }
            System.out.println("done in " + seconds(Duration.ofNanos(System.nanoTime() - start)));
            return 0;
        }
    }

    @Command(name = "list", description = "Show the framework images, whether they are built and up to date.")
    static final class ListImages implements Callable<Integer> {
        @Override
        public Integer call() throws Exception {
            Optional<ImageStore> store = store();
            if (store.isEmpty()) return 1;
            System.out.printf("%-40s %-12s %-9s %s%n", "IMAGE", "STATUS", "SIZE", "BUILT");
            for (FrameworkImage image : FrameworkImage.values()) {
                Optional<ImageStore.Built> b = store.get().inspect(image.imageName());
                String status = b.isEmpty() ? "not built"
                        : b.get().recipe().equals(image.recipeHash()) ? "up to date" : "stale";
                System.out.printf("%-40s %-12s %-9s %s%n", image.imageName(), status,
                        b.map(x -> megabytes(x.sizeBytes())).orElse("-"), b.map(ImageStore.Built::created).orElse("-"));
            }
            return 0;
        }
    }
}
