package dev.sagebrush.testsupport;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;

/**
 * The TFLite test models (convnet, mlp, ops, quant_u8, quant_s8, unverifiable): fixtures/make_tflite_fixtures.py
 * writes them with the flatbuffers Builder (its writer is fixtures/tflite_writer.py) and numpy, no TensorFlow. They are
 * built once per machine into a directory named by a hash of both files, so a changed script makes new ones and an
 * unchanged one costs nothing. Needs Debian's python3-flatbuffers and python3-numpy.
 */
public final class TfliteFixtures {
    static final Path SCRIPT = Path.of("fixtures/make_tflite_fixtures.py");
    /** The writer the script imports: part of what the fixtures are made from, so part of the hash. */
    static final Path WRITER = Path.of("fixtures/tflite_writer.py");

    private TfliteFixtures() {}

    public static synchronized Path dir() throws Exception {
        Prerequisites.require(Files.isRegularFile(Path.of("/usr/lib/python3/dist-packages/flatbuffers/builder.py"))
                && Files.isRegularFile(Path.of("/usr/lib/python3/dist-packages/numpy/__init__.py")),
                "Debian python3-flatbuffers and python3-numpy (to write the TFLite test models)");
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        digest.update(Files.readAllBytes(SCRIPT));
        digest.update(Files.readAllBytes(WRITER));
        String hash = HexFormat.of().formatHex(digest.digest()).substring(0, 16);
        Path root = Files.createDirectories(Path.of(System.getProperty("java.io.tmpdir"), "sagebrush-tflite-fixtures"));
        Path dir = root.resolve(hash);
        if (Files.isRegularFile(dir.resolve(".complete"))) return dir;
        Path tmp = Files.createTempDirectory(root, hash + ".tmp-");
        Process p = new ProcessBuilder("/usr/bin/python3", SCRIPT.toAbsolutePath().toString(), tmp.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(2, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IOException("make_tflite_fixtures.py failed: " + out);
        }
        Files.writeString(tmp.resolve(".complete"), hash);
        try {
            Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException raced) {
            if (!Files.isRegularFile(dir.resolve(".complete"))) throw raced;   // another JVM made it meanwhile
        }
        return dir;
    }

    public static byte[] model(String name) throws Exception {
        return Files.readAllBytes(dir().resolve(name + ".tflite"));
    }

    /** Replaces the first int32 vector equal to {@code from} (length prefix included) with {@code to}. */
    public static byte[] patchShape(byte[] model, int[] from, int[] to) {
        ByteBuffer b = ByteBuffer.wrap(model.clone()).order(ByteOrder.LITTLE_ENDIAN);
        outer:
        for (int p = 8; p + 4 * (from.length + 1) <= model.length; p += 4) {
            if (b.getInt(p) != from.length) continue;
            for (int i = 0; i < from.length; i++) if (b.getInt(p + 4 + 4 * i) != from[i]) continue outer;
            for (int i = 0; i < to.length; i++) b.putInt(p + 4 + 4 * i, to[i]);
            return b.array();
        }
        throw new AssertionError("vector " + Arrays.toString(from) + " not found");
    }
}
