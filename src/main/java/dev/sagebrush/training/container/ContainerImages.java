package dev.sagebrush.training.container;

import dev.sagebrush.config.ReloadingFile;
import dev.sagebrush.training.runner.ContainerBackend.Resolution;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Where a TrainingImage's container image comes from: the host's image store, never a registry (containers run with
 * {@code --pull never}). The URI is looked up in the operator's mapping file ({@code --training-image-map}, re-read when it changes), then in
 * the default mapping shipped with Sagebrush ({@code framework-images.map}: AWS's framework images to the ones
 * {@code bin/sagebrush images build} makes); unmapped, it stands for itself. The result must exist in the store.
 */
public final class ContainerImages {
    static final String DEFAULT_MAP = "/dev/sagebrush/training/container/framework-images.map";

    private final ContainerEngine engine;
    private final Supplier<ImageMapping> operator;
    private final ImageMapping defaults;

    ContainerImages(ContainerEngine engine, Supplier<ImageMapping> operator, ImageMapping defaults) {
        this.engine = engine;
        this.operator = operator;
        this.defaults = defaults;
    }

    /**
     * The operator's file (if any) and the shipped defaults. A malformed file stops the server at start-up; the file is
     * read again when it changes, and a malformed edit keeps the last good mapping ({@link ReloadingFile}).
     */
    public static ContainerImages load(ContainerEngine engine, Optional<Path> operatorFile) {
        Supplier<ImageMapping> op = operatorFile.<Supplier<ImageMapping>>map(f -> operatorMapping(f)::get)
                .orElse(ImageMapping::empty);
        return new ContainerImages(engine, op, defaultMapping());
    }

    /** The operator's mapping file, parsed now and again whenever it changes. */
    static ReloadingFile<ImageMapping> operatorMapping(Path file) {
        return ReloadingFile.load(file, "training image mapping", ImageMapping::parse);
    }

    static ImageMapping defaultMapping() {
        try (InputStream in = ContainerImages.class.getResourceAsStream(DEFAULT_MAP)) {
            if (in == null) return ImageMapping.empty();
            List<String> lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
            return ImageMapping.parse(lines, "framework-images.map (built in)");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Resolution resolve(String uri) {
        ImageMapping op = operator.get();
        Optional<String> mapped = op.resolve(uri);
        String via = op.source();
        if (mapped.isEmpty()) {
            mapped = defaults.resolve(uri);
            via = defaults.source();
        }
        String local = mapped.orElse(uri);
        if (local != null && ImageMapping.IMAGE_REFERENCE.matcher(local).matches() && engine.imageExists(local)) {
            return new Resolution.Found(local);
        }
        String e = engine.name();
        return new Resolution.Missing("ClientError: The training image '" + uri + "' is not in this host's "
                + "container image store" + (mapped.isPresent() ? " (it maps to '" + local + "' in " + via + ")" : "")
                + ". Provide it with `" + e + " pull`, `" + e + " load -i <image.tar>` or `" + e + " build -t <name>` "
                + "on the Sagebrush host, with `bin/sagebrush images build` for the SageMaker framework images, or "
                + "map the URI to a local image in the training image mapping file (--training-image-map FILE).");
    }
}
