package dev.sagebrush.compilation.onnx;

import ai.onnxruntime.OrtEnvironment;
import dev.sagebrush.compilation.toolchain.ProcessRunner;
import dev.sagebrush.compilation.toolchain.StepRunner;
import dev.sagebrush.compilation.toolchain.TargetArch;
import dev.sagebrush.compilation.toolchain.Toolchain;
import dev.sagebrush.compilation.toolchain.ToolchainException;
import dev.sagebrush.jobs.sandbox.UntrustedFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs a compiled model on the target's own ONNX Runtime without a JVM there: ort_run.c is built with the target's
 * gcc and run natively or under qemu-user, loading the target's libonnxruntime.so from the onnxruntime jar (the very
 * build a Java deployment on that device would use). gcc and qemu are child processes under {@link ProcessRunner}
 * (timeouts; interrupting the job kills them).
 */
final class OrtNativeRunner {
    static final String RUNNER_SOURCE = "ort_run.c";

    /** What one run did, for the manifest. */
    record Run(List<List<Tensor>> outputs, List<String> compileCommand, List<String> runCommand, Path library,
               String output, Duration elapsed) {}

    private final Path cacheDir;

    OrtNativeRunner(Path cacheDir) {
        this.cacheDir = cacheDir;
    }

    /** The jar's native directory for a target ("linux-aarch64"), or null when the jar has none (32-bit ARM). */
    static String ortPlatform(TargetArch arch) {
        return switch (arch) {
            case X86_64 -> "linux-x64";
            case AARCH64 -> "linux-aarch64";
            case ARMV7HF -> null;
        };
    }

    Run run(TargetArch arch, Path model, List<List<Tensor>> inputSets, List<List<Tensor>> expectedShapes, Path dir,
            Duration timeout) throws ToolchainException, IOException {
        return run(arch, model, inputSets, expectedShapes, dir, timeout, StepRunner.HOST);
    }

    /** As above, building and running ort_run through {@code steps}, which must show {@link #nativeLibrary} too. */
    Run run(TargetArch arch, Path model, List<List<Tensor>> inputSets, List<List<Tensor>> expectedShapes, Path dir,
            Duration timeout, StepRunner steps) throws ToolchainException, IOException {
        Path lib = nativeLibrary(ortPlatform(arch));
        Toolchain tc = Toolchain.forArch(arch, steps);
        tc.availability().requireRunner();
        Files.createDirectories(dir);
        Path src = dir.resolve(RUNNER_SOURCE);
        try (InputStream in = OrtNativeRunner.class.getResourceAsStream(RUNNER_SOURCE)) {
            if (in == null) throw new IllegalStateException(RUNNER_SOURCE + " resource missing from the build");
            Files.copy(in, src, StandardCopyOption.REPLACE_EXISTING);
        }

        int sets = inputSets.size();
        StringBuilder spec = new StringBuilder("sets " + sets + "\ninputs " + inputSets.get(0).size() + "\n");
        for (int i = 0; i < inputSets.get(0).size(); i++) {
            Tensor t = inputSets.get(0).get(i);
            Path data = dir.resolve("in" + i + ".bin");
            try (var out = Files.newOutputStream(data)) {
                for (List<Tensor> set : inputSets) out.write(set.get(i).data());
            }
            spec.append(line(t, data));
        }
        List<Tensor> shapes = expectedShapes.get(0);
        spec.append("outputs ").append(shapes.size()).append('\n');
        for (int i = 0; i < shapes.size(); i++) {
            spec.append(line(shapes.get(i), dir.resolve("out" + i + ".bin")));
        }
        Path specFile = dir.resolve("spec.txt");
        Files.writeString(specFile, spec.toString(), StandardCharsets.UTF_8);
        // Built after every input is written: the server writes nothing into dir once a sandboxed step has run in it.
        Path exe = dir.resolve("ort_run");
        Toolchain.Compilation c = tc.compileExecutable(List.of(src), exe, List.of("-ldl"), timeout);

        ProcessRunner.Result r = tc.run(exe, List.of(lib.toString(), model.toAbsolutePath().toString(),
                specFile.toString()), dir, timeout);
        List<List<Tensor>> outputs = new ArrayList<>();
        for (int k = 0; k < sets; k++) outputs.add(new ArrayList<>());
        for (int i = 0; i < shapes.size(); i++) {
            Tensor want = shapes.get(i);
            int per = want.data().length;
            // Written by the sandboxed runner: read without following links, no more than the shape allows.
            byte[] all = UntrustedFiles.read(dir, dir.resolve("out" + i + ".bin"), (long) per * sets);
            if (all.length != per * sets) {
                throw new ToolchainException("ort_run wrote " + all.length + " bytes for output \"" + want.name()
                        + "\", expected " + (per * sets) + "\n" + r.output());
            }
            for (int k = 0; k < sets; k++) {
                byte[] part = java.util.Arrays.copyOfRange(all, k * per, (k + 1) * per);
                outputs.get(k).add(new Tensor(want.name(), want.elementType(), want.shape(), part));
            }
        }
        // Keep the runner's own report line; ORT's notices (e.g. qemu's unknown CPU vendor) are noise here.
        String report = r.output().lines().filter(l -> l.startsWith("ort_run:")).findFirst().orElse(r.output().strip());
        return new Run(outputs, c.command(), r.command(), lib, report, r.elapsed());
    }

    private static String line(Tensor t, Path data) {
        if (t.name().contains("\n")) throw new IllegalArgumentException("tensor name with a line break: " + t.name());
        StringBuilder b = new StringBuilder().append(t.elementType()).append(' ').append(t.shape().length);
        for (long d : t.shape()) b.append(' ').append(d);
        return b.append(' ').append(data).append('\n').append(t.name()).append('\n').toString();
    }

    /**
     * The jar's libonnxruntime.so for {@code platform}, extracted once into the cache (to a temporary name, then
     * renamed, so concurrent jobs never see a half-written library). World-readable: sandboxes load it read-only.
     */
    Path nativeLibrary(String platform) throws IOException {
        return extract(platform, "libonnxruntime.so");
    }

    /** The directory holding the platform's libonnxruntime.so and libonnxruntime4j_jni.so (the Java API's). */
    Path javaNativeDir(String platform) throws IOException {
        extract(platform, "libonnxruntime4j_jni.so");
        return extract(platform, "libonnxruntime.so").getParent();
    }

    private Path extract(String platform, String name) throws IOException {
        if (platform == null) throw new IOException("the onnxruntime jar has no native library for this target");
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
