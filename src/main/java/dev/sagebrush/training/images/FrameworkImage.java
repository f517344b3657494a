package dev.sagebrush.training.images;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Sagebrush's framework images for SageMaker script mode: a Debian root file system with the framework's Debian
 * package and {@code /usr/local/bin/train}, the script-mode entry point ({@code sagebrush_train.py}), built by
 * {@link ImageBuilder} and named {@code localhost/sagebrush/<name>:<Debian version of the framework>}.
 *
 * <p>Why pinned Debian versions: the image name then says exactly what is inside, the recipe (and so its hash, the
 * image's cache key) is known before building, and a build on another machine gives the same frameworks. The versions
 * are bookworm's; if Debian ever replaces one, the build fails saying so and the pin here is updated.
 *
 * <p>Why these packages: AWS's scikit-learn container has pandas beside scikit-learn (its examples read CSV with it),
 * the XGBoost container has pandas and scikit-learn; {@code python3-packaging} lets the entry point check a
 * {@code requirements.txt} against what is installed, since nothing can be pip-installed here.
 */
public enum FrameworkImage {
    SKLEARN("sklearn", "python3-sklearn", "1.2.1+dfsg-1", List.of("python3-pandas")),
    PYTORCH("pytorch", "python3-torch", "1.13.1+dfsg-4", List.of()),
    XGBOOST("xgboost", "python3-xgboost", "1.7.4-1", List.of("python3-pandas", "python3-sklearn"));

    /** Every image's repository lives under this prefix; {@code localhost/} keeps podman from looking it up remotely. */
    public static final String REPOSITORY_PREFIX = "localhost/sagebrush/";
    /** The Debian release the images are built from. */
    public static final String SUITE = "bookworm";
    /** Where the entry point is installed: SageMaker runs {@code docker run <image> train}. */
    public static final String ENTRY_POINT_PATH = "/usr/local/bin/train";
    static final String ENTRY_POINT_RESOURCE = "sagebrush_train.py";
    /** Packages of every image: python3 itself and the entry point's requirements.txt check. */
    static final List<String> COMMON_PACKAGES = List.of("python3-minimal", "python3-packaging", "ca-certificates");
    /**
     * dpkg path filters: documentation, manual pages and translations (copyright files kept), C headers and static
     * libraries. Debian's scipy depends on pythran, which pulls a C++ toolchain with Boost's and Python's headers
     * (several hundred MB) that nothing needs at training time; the compilers themselves stay and still work for
     * code without those headers.
     */
    static final List<String> PATH_FILTERS = List.of("path-exclude=/usr/share/doc/*",
            "path-include=/usr/share/doc/*/copyright", "path-exclude=/usr/share/man/*",
            "path-exclude=/usr/share/locale/*", "path-exclude=/usr/include/*", "path-exclude=/usr/lib/*.a");
    /** Raise when the way images are built changes in a way the other recipe parts do not show. */
    static final int BUILDER_REVISION = 1;

    /** Labels on every built image: the framework and the recipe hash that {@code images build} compares. */
    public static final String LABEL_FRAMEWORK = "dev.sagebrush.framework";
    public static final String LABEL_RECIPE = "dev.sagebrush.recipe";
    public static final String LABEL_DEBIAN_VERSION = "dev.sagebrush.debian-version";

    private final String id;
    private final String frameworkPackage;
    private final String debianVersion;
    private final List<String> extraPackages;

    FrameworkImage(String id, String frameworkPackage, String debianVersion, List<String> extraPackages) {
        this.id = id;
        this.frameworkPackage = frameworkPackage;
        this.debianVersion = debianVersion;
        this.extraPackages = extraPackages;
    }

    /** The short name users type: {@code sklearn}, {@code pytorch}, {@code xgboost}. */
    public String id() { return id; }

    public String frameworkPackage() { return frameworkPackage; }

    public String debianVersion() { return debianVersion; }

    public String repository() { return REPOSITORY_PREFIX + id; }

    /** An image tag may hold only {@code [A-Za-z0-9_.-]}: {@code 1.2.1+dfsg-1} becomes {@code 1.2.1-dfsg-1}. */
    public String tag() { return debianVersion.replaceAll("[^A-Za-z0-9_.-]", "-"); }

    /** {@code localhost/sagebrush/sklearn:1.2.1-dfsg-1}. */
    public String imageName() { return repository() + ":" + tag(); }

    /** The packages mmdebstrap installs, the framework's pinned to its version. */
    public List<String> packages() {
        List<String> out = new java.util.ArrayList<>(COMMON_PACKAGES);
        out.add(frameworkPackage + "=" + debianVersion);
        out.addAll(extraPackages);
        return List.copyOf(out);
    }

    /** The environment every image sets, as AWS's framework images do (unbuffered output reaches the log at once). */
    public static List<String> environment() {
        return List.of("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "LANG=C.UTF-8",
                "PYTHONUNBUFFERED=TRUE", "PYTHONDONTWRITEBYTECODE=TRUE");
    }

    /** The entry point's source, shipped in the project as a resource. */
    public static byte[] entryPoint() {
        try (InputStream in = FrameworkImage.class.getResourceAsStream(ENTRY_POINT_RESOURCE)) {
            if (in == null) throw new IllegalStateException("Missing resource " + ENTRY_POINT_RESOURCE);
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The recipe's content hash, the image's cache key: everything that decides what the image holds (suite, packages
     * and their pins, the entry point's bytes, the image configuration, the builder's revision), and nothing that
     * does not (the mirror it was downloaded from, the time).
     */
    public String recipeHash() {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            String recipe = "revision " + BUILDER_REVISION + "\nsuite " + SUITE + "\nvariant essential\npackages "
                    + String.join(" ", packages()) + "\ndpkg " + String.join(" ", PATH_FILTERS) + "\nenv "
                    + String.join(" ", environment()) + "\nentrypoint " + ENTRY_POINT_PATH + "\n";
            sha.update(recipe.getBytes(StandardCharsets.UTF_8));
            sha.update(entryPoint());
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The image a short name ({@code sklearn}, {@code PyTorch}, ...) names. */
    public static Optional<FrameworkImage> byId(String id) {
        for (FrameworkImage f : values()) {
            if (f.id.equals(id.toLowerCase(Locale.ROOT))) return Optional.of(f);
        }
        return Optional.empty();
    }
}
