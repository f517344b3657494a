package dev.sagebrush.compilation.reference;

import ai.onnxruntime.OrtEnvironment;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The onnxruntime jar's linux-x64 natives (libonnxruntime.so and the Java API's JNI library), extracted once into the
 * cache so that the sandboxed ONNX Runtime child ({@link OrtChild}) can load them read-only. ONNX Runtime is only the
 * verification reference here: it runs the original ONNX model to produce the outputs TVM's artifact must reproduce.
 */
public final class OrtLibraries {
    /** The jar's directory of the only natives the reference needs (the server and its sandboxes are x86_64). */
    static final String PLATFORM = "linux-x64";

    private final Path cacheDir;

    public OrtLibraries(Path cacheDir) {
        this.cacheDir = cacheDir;
    }

    /**
     * The directory holding libonnxruntime.so and libonnxruntime4j_jni.so, extracted once (each to a temporary name,
     * then renamed, so concurrent jobs never see a half-written library). World-readable: sandboxes load them
     * read-only.
     */
    public Path javaNativeDir() throws IOException {
        extract(PLATFORM, "libonnxruntime4j_jni.so");
        return extract(PLATFORM, "libonnxruntime.so").getParent();
    }

    private Path extract(String platform, String name) throws IOException {
        Path dir = cacheDir.resolve("onnxruntime-" + OrtModels.version()).resolve(platform);
        Path lib = dir.resolve(name);
        if (Files.isRegularFile(lib)) return lib;
        Files.createDirectories(dir);
        for (Path d = dir; d.startsWith(cacheDir) && !d.equals(cacheDir.getParent()); d = d.getParent()) {
            Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        String resource = "/ai/onnxruntime/native/" + platform + "/" + name;
        try (InputStream in = OrtEnvironment.class.getResourceAsStream(resource)) {
            if (in == null) throw new IOException("the onnxruntime jar on the classpath has no " + resource);
            Path tmp = Files.createTempFile(dir, name, ".tmp");
            Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
            try {
                Files.move(tmp, lib, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, lib, StandardCopyOption.REPLACE_EXISTING);
            }
        }
        return lib;
    }
}
