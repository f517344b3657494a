package dev.sagebrush.compilation.tvm;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The pure-Python packages TVM's frontends import, assembled once under the cache directory: an {@code onnx}
 * stand-in (our __init__, checker and external-data guard, plus the generated protobuf classes, mapping and
 * numpy_helper of Debian's python3-onnx) and Debian's pure-Python {@code google.protobuf} (its C extension, built
 * for Debian's Python 3.11, is left out; PROTOCOL_BUFFERS_PYTHON_IMPLEMENTATION=python selects the Python one).
 */
final class PythonShims {
    static final Path DIST = Path.of("/usr/lib/python3/dist-packages");
    static final String PACKAGES = "python3-onnx python3-protobuf";
    private static final List<String> ONNX_FILES = List.of("onnx_ml_pb2.py", "onnx_data_pb2.py", "mapping.py",
            "numpy_helper.py");
    private static final List<String> OWN_FILES = List.of("__init__.py", "checker.py", "external_data_helper.py");
    private static final String VERSION = "2";

    private PythonShims() {}

    /** What is missing on this host for the ONNX frontend, empty when nothing is. */
    static List<String> missing() {
        List<String> m = new ArrayList<>();
        for (String f : ONNX_FILES) {
            if (!Files.isRegularFile(DIST.resolve("onnx").resolve(f))) m.add(DIST.resolve("onnx").resolve(f).toString());
        }
        if (!Files.isRegularFile(DIST.resolve("google/protobuf/message.py"))) {
            m.add(DIST.resolve("google/protobuf/message.py").toString());
        }
        return m;
    }

    /** The directory to put on the embedded Python's path, built on first use. */
    static synchronized Path onnx(Path cacheDir) throws IOException {
        List<String> missing = missing();
        if (!missing.isEmpty()) {
            throw new IOException("the ONNX frontend needs Debian's " + PACKAGES + " (missing: "
                    + String.join(", ", missing) + "); install them with apt-get");
        }
        Path dir = cacheDir.resolve("tvm-python-" + VERSION);
        if (Files.isRegularFile(dir.resolve(".complete"))) return dir;
        Path tmp = Files.createDirectories(cacheDir).resolve("tvm-python-" + VERSION + ".tmp-" + ProcessHandle.current().pid());
        Path onnx = Files.createDirectories(tmp.resolve("onnx"));
        for (String f : ONNX_FILES) Files.copy(DIST.resolve("onnx").resolve(f), onnx.resolve(f));
        for (String f : OWN_FILES) {
            try (InputStream in = PythonShims.class.getResourceAsStream("pyshim/onnx/" + f)) {
                if (in == null) throw new IllegalStateException("resource pyshim/onnx/" + f + " missing from the build");
                Files.copy(in, onnx.resolve(f));
            }
        }
        Path protobuf = DIST.resolve("google");
        try (Stream<Path> s = Files.walk(protobuf)) {
            for (Path p : s.toList()) {
                String rel = protobuf.relativize(p).toString();
                if (rel.contains("__pycache__") || rel.endsWith(".so")) continue;
                Path dest = tmp.resolve("google").resolve(rel);
                if (Files.isDirectory(p)) Files.createDirectories(dest);
                else if (Files.isRegularFile(p)) Files.copy(p, dest, StandardCopyOption.REPLACE_EXISTING);
            }
        }
        Files.writeString(tmp.resolve(".complete"), VERSION);
        if (Files.exists(dir)) deleteTree(dir);
        Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
        return dir;
    }

    static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}
