package dev.sagebrush.compilation.reference;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sagebrush.compilation.CompilationFailure;
import dev.sagebrush.compilation.toolchain.SandboxedSteps;
import dev.sagebrush.jobs.sandbox.Limits;
import dev.sagebrush.jobs.sandbox.UntrustedFiles;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Starts {@link OrtChildMain} in the job's sandbox and reads back what it produced. The child's JVM sees only the
 * job's work directory (read-write), the JDK, the few jars it needs and the extracted linux-x64 ONNX Runtime library
 * (read-only); it has no network and runs under the compilation memory budget, so a model that makes ONNX Runtime
 * allocate without bound (ConstantOfShape 28000x28000) kills the child, not the server, and fails the job saying so.
 */
public final class OrtChild {
    /** What the child produced, with the tensors read back and checked against their shapes. */
    public record Result(OrtChildProtocol.Response response, List<List<Tensor>> inputs, List<List<Tensor>> reference,
                  List<String> command) {}

    private static final long MAX_TENSOR_BYTES = 1L << 30;

    private final Path nativeDir;

    /** @param nativeDir the extracted linux-x64 libonnxruntime.so and libonnxruntime4j_jni.so */
    public OrtChild(Path nativeDir) {
        this.nativeDir = nativeDir;
    }

    public Result run(SandboxedSteps steps, Path workDir, OrtChildProtocol.Request request, Duration timeout)
            throws IOException {
        ObjectMapper json = OrtChildProtocol.json();
        Path dir = Files.createDirectories(workDir.resolve("ort"));
        Path requestFile = dir.resolve(OrtChildProtocol.REQUEST);
        Path responseFile = dir.resolve(OrtChildProtocol.RESPONSE);
        Files.deleteIfExists(responseFile);
        json.writeValue(requestFile.toFile(), request);

        List<String> cmd = command(steps.limits(), requestFile, responseFile);
        for (Path p : readOnlyPaths()) steps.withReadOnly(p);
        SandboxedSteps.Outcome o = steps.runSandboxed("onnxruntime", cmd, dir, timeout, 64 * 1024);
        if (o.result().memoryExceeded()) {
            throw new CompilationFailure("ClientError: CompilationError: ONNX Runtime needed more memory than the "
                    + "compilation budget of " + Limits.bytes(steps.limits().memoryBytes()) + " to load or run "
                    + "this model (a tensor too large to materialize?), and was stopped. Reduce the model's or "
                    + "the input shape's size.");
        }
        if (o.result().timedOut()) {
            throw new CompilationFailure("ClientError: CompilationError: ONNX Runtime did not finish within "
                    + timeout.toSeconds() + " s on this model.");
        }
        if (o.result().exitCode() != 0 || !UntrustedFiles.isRegularFile(workDir, responseFile)) {
            throw new IOException("the ONNX Runtime child exited with code " + o.result().exitCode()
                    + " without a result:\n" + o.result().output());
        }
        OrtChildProtocol.Response r = json.readValue(UntrustedFiles.read(workDir, responseFile,
                OrtChildProtocol.MAX_RESPONSE_BYTES), OrtChildProtocol.Response.class);
        if (r.failure() != null) throw new CompilationFailure(r.failure());
        if (r.error() != null) throw new IOException("ONNX Runtime failed in the child: " + r.error());
        Path tensors = Path.of(request.tensorsDir());
        return new Result(r, read(workDir, tensors, "input", r.inputs()), read(workDir, tensors, "reference",
                r.reference()), cmd);
    }

    private static List<List<Tensor>> read(Path root, Path dir, String kind, List<List<OrtChildProtocol.TensorMeta>> sets)
            throws IOException {
        if (sets == null || sets.isEmpty()) throw new IOException("the ONNX Runtime child returned no " + kind + " sets");
        List<List<Tensor>> out = new ArrayList<>();
        for (int k = 0; k < sets.size(); k++) {
            List<Tensor> set = new ArrayList<>();
            for (int i = 0; i < sets.get(k).size(); i++) {
                OrtChildProtocol.TensorMeta m = sets.get(k).get(i);
                if (!ElementTypes.supported(m.elementType())) throw new IOException("bad element type " + m.elementType());
                long n = ElementTypes.size(m.elementType());
                for (long d : m.shape()) {
                    if (d < 0 || d > MAX_TENSOR_BYTES) throw new IOException("bad dimension " + d);
                    n *= d;
                    if (n > MAX_TENSOR_BYTES) throw new IOException("tensor " + m.name() + " is too large");
                }
                byte[] data = UntrustedFiles.read(root, dir.resolve(OrtChildProtocol.tensorFile(kind, k, i)), n);
                if (data.length != n) throw new IOException("tensor " + m.name() + " has " + data.length + " bytes, "
                        + "its shape needs " + n);
                set.add(new Tensor(m.name(), m.elementType(), m.shape(), data));
            }
            out.add(set);
        }
        return out;
    }

    /** java -cp <our classes + onnxruntime + jackson> OrtChildMain; heap a quarter of the budget, the rest native. */
    List<String> command(Limits limits, Path requestFile, Path responseFile) throws IOException {
        long heapMiB = Math.max(128, Math.min(2048, limits.memoryBytes() / 4 / (1 << 20)));
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(List.of("-Xmx" + heapMiB + "m", "-Xss1m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-XX:-UsePerfData", "-Xshare:auto", "-Djava.io.tmpdir=/tmp",
                "-Donnxruntime.native.path=" + nativeDir, "-cp", String.join(":", classpath().stream()
                        .map(Path::toString).toList()), OrtChildMain.class.getName(), requestFile.toString(),
                responseFile.toString()));
        return cmd;
    }

    /** What the child must see besides the work directory: the JDK (when outside /usr), its jars, the library. */
    List<Path> readOnlyPaths() throws IOException {
        Set<Path> out = new LinkedHashSet<>(classpath());
        Path javaHome = Path.of(System.getProperty("java.home")).toRealPath();
        if (!javaHome.startsWith("/usr")) out.add(javaHome);
        out.add(nativeDir);
        return List.copyOf(out);
    }

    static List<Path> classpath() throws IOException {
        Set<Path> entries = new LinkedHashSet<>();
        for (Class<?> c : List.of(OrtChildMain.class, ai.onnxruntime.OrtEnvironment.class, ObjectMapper.class,
                com.fasterxml.jackson.core.JsonFactory.class, com.fasterxml.jackson.annotation.JsonProperty.class)) {
            CodeSource src = c.getProtectionDomain().getCodeSource();
            if (src == null) throw new IOException("cannot locate the classes of " + c.getName());
            try {
                entries.add(Path.of(src.getLocation().toURI()).toAbsolutePath().normalize());
            } catch (URISyntaxException e) {
                throw new IOException(e);
            }
        }
        return List.copyOf(entries);
    }
}
