package dev.sagebrush.compilation.tvm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sagebrush.compilation.DlrLayout;
import dev.sagebrush.compilation.toolchain.ElfCheck;
import dev.sagebrush.compilation.toolchain.ProcessRunner;
import dev.sagebrush.compilation.toolchain.SandboxedSteps;
import dev.sagebrush.compilation.toolchain.StepRunner;
import dev.sagebrush.compilation.toolchain.Toolchain;
import dev.sagebrush.compilation.toolchain.ToolchainException;
import dev.sagebrush.jobs.sandbox.Limits;
import dev.sagebrush.jobs.sandbox.UntrustedFiles;
import java.net.URISyntaxException;
import java.security.CodeSource;
import java.util.LinkedHashSet;
import java.util.Set;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Compiles a neural network with TVM 0.18 for one LLVM target, in a child process of its own (a JVM embedding CPython
 * with TVM; see {@link TvmWorker}), and writes DLR's graph-executor files ({@code compiled.so},
 * {@code compiled_model.json}, {@code compiled.params}) into the output directory. For a job the child runs in the
 * job's sandbox ({@link SandboxedSteps}: its own uid, the work directory read-write, the jars, the JDK, the unpacked
 * natives and the Python stand-ins read-only, no network, the compilation memory budget) and under a time budget.
 * The natives (631 MB) are unpacked once, before any model is touched, by a run of the same child on no input.
 */
public final class TvmCompiler {
    /** Java heap of the child: it only hosts CPython; TVM and LLVM allocate natively, within the sandbox's budget. */
    static final String CHILD_HEAP = "-Xmx384m";
    /** result.json is a few KB; anything larger is not from our script. */
    private static final long MAX_RESULT_BYTES = 1L << 20;
    private static final String READY = ".sagebrush-tvm-unpacked";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One model input: name, shape, TVM dtype. */
    public record Input(String name, long[] shape, String dtype) {}

    /**
     * @param framework  "ONNX" or "TFLITE"
     * @param workDir    the child's directory (request, result, its output); inside the job's work directory
     * @param runInputs  for an x86_64 target: input files per verification set (in {@code inputs} order), run through
     *                   TVM's own graph executor in the child on the exported files; empty otherwise
     */
    public record Request(String framework, Path model, List<Input> inputs, TvmTarget target, Path workDir,
                          List<List<Path>> runInputs) {}

    /**
     * @param tvmRuns output files of TVM's graph executor per verification set (x86_64 only)
     */
    public record Result(String tvmVersion, String llvmTarget, double importSeconds, double buildSeconds,
                         double exportSeconds, List<String> command, Duration elapsed, List<List<Path>> tvmRuns,
                         String linkCommand) {}

    /** The compilation failed for a reason of the model (frontend, build) or of this host (environment). */
    public static final class TvmException extends Exception {
        private final String kind;

        public TvmException(String kind, String message) {
            super(message);
            this.kind = kind;
        }

        /** "frontend", "build", "environment", "timeout", "crash" or "internal". */
        public String kind() {
            return kind;
        }
    }

    private TvmCompiler() {}

    /** What this host lacks to run the TVM tier, empty when it has everything. */
    public static List<String> missing() {
        return missing(System.getProperty("os.arch"));
    }

    /** As above, for a JVM whose {@code os.arch} is {@code osArch} (the natives exist for one host architecture). */
    static List<String> missing(String osArch) {
        List<String> m = new ArrayList<>();
        if (!"amd64".equals(osArch) && !"x86_64".equals(osArch)) {
            m.add("TVM (org.bytedeco:tvm " + "0.18.0-1.5.11) ships natives for linux-x86_64 hosts only, and this host is "
                    + osArch);
        }
        try {
            Class.forName("org.bytedeco.tvm.presets.tvm", false, TvmCompiler.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            m.add("org.bytedeco:tvm is not on the server's classpath");
        }
        m.addAll(PythonShims.missing().isEmpty() ? List.of() : List.of("Debian " + PythonShims.PACKAGES));
        return m;
    }

    /**
     * Compiles through {@code steps}: a job's {@link SandboxedSteps} (the paths the child needs are added to its
     * read-only view), or {@link StepRunner#HOST} for trusted fixtures in tests and benchmarks.
     */
    public static Result compile(Request r, Path artifactDir, Path cacheDir, Duration timeout, StepRunner steps)
            throws TvmException, IOException, ToolchainException {
        Toolchain tc = Toolchain.forArch(r.target().arch(), steps);
        Path javacppCache = unpackNatives(cacheDir, timeout);
        Path work = Files.createDirectories(r.workDir());
        Path out = Files.createDirectories(work.resolve("out"));
        Path script = copyResource("tvm_compile.py", work);
        copyResource("tvm_build.py", work);   // build options and schedule defaults, imported by the script
        copyResource("tvm_winograd.py", work);   // Winograd convolutions for x86, imported by tvm_build.py
        copyResource("tflite_rounding.py", work);   // TFLite's rounding of quantized averages, imported for TFLITE
        Path shim;
        try {
            // each frontend's pure-Python packages: the onnx stand-ins, or the tflite classes made by flatc
            shim = "TFLITE".equals(r.framework()) ? TflitePackage.build(cacheDir, timeout) : PythonShims.onnx(cacheDir);
        } catch (IOException e) {
            throw new TvmException("environment", e.getMessage());
        }
        Path result = work.resolve("result.json");
        Files.deleteIfExists(result);
        ObjectNode req = JSON.createObjectNode();
        req.put("framework", r.framework()).put("model", r.model().toAbsolutePath().toString())
                .put("target", r.target().llvm()).put("cc", tc.availability().compiler().toString())
                .put("out", out.toAbsolutePath().toString()).put("result", result.toAbsolutePath().toString())
                .put("run_dir", work.toAbsolutePath().toString());
        ArrayNode ccOptions = req.putArray("cc_options");
        r.target().arch().archFlags().forEach(ccOptions::add);
        ccOptions.add("-lm"); // the operators call expf & co.; DLR's process has libm, a plain C host may not
        ArrayNode inputs = req.putArray("inputs");
        for (Input in : r.inputs()) {
            ObjectNode o = inputs.addObject().put("name", in.name()).put("dtype", in.dtype());
            ArrayNode s = o.putArray("shape");
            for (long d : in.shape()) s.add(d);
        }
        ArrayNode runs = req.putArray("run_inputs");
        for (List<Path> set : r.runInputs()) {
            ArrayNode a = runs.addArray();
            set.forEach(p -> a.add(p.toAbsolutePath().toString()));
        }
        Path reqFile = work.resolve("request.json");
        Files.write(reqFile, JSON.writeValueAsBytes(req));

        ProcessRunner.Result run;
        if (steps instanceof SandboxedSteps sandbox) {
            List<String> cmd = childCommand(cacheView(sandbox, javacppCache, work), script, reqFile, shim);
            for (Path p : readOnlyPaths(shim)) sandbox.withReadOnly(p);
            SandboxedSteps.Outcome o = sandbox.runSandboxed("tvm", cmd, work, timeout, 64 * 1024);
            if (o.result().memoryExceeded()) {
                throw new TvmException("memory", "TVM needed more memory than the compilation budget of "
                        + Limits.bytes(sandbox.limits().memoryBytes()) + " and was stopped");
            }
            run = new ProcessRunner.Result(o.result().command(), o.result().exitCode(), o.result().timedOut(),
                    o.result().output(), 0, o.result().elapsed());
        } else {
            run = steps.run(childCommand(javacppCache, script, reqFile, shim), work, timeout);
        }
        if (run.timedOut()) {
            throw new TvmException("timeout", "TVM did not finish compiling within " + timeout.toSeconds() + " s");
        }
        Path root = work;
        if (!UntrustedFiles.isRegularFile(root, result)) {
            throw new TvmException("crash", "the TVM compiler process ended with exit code " + run.exitCode()
                    + " without a result: " + tail(run.output()));
        }
        JsonNode res = JSON.readTree(UntrustedFiles.read(root, result, MAX_RESULT_BYTES));
        if (!"OK".equals(res.path("status").asText())) {
            throw new TvmException(res.path("kind").asText("internal"), res.path("message").asText());
        }
        Files.createDirectories(artifactDir);
        for (String f : List.of(DlrLayout.LIBRARY, DlrLayout.GRAPH, DlrLayout.PARAMS)) {
            if (!UntrustedFiles.isRegularFile(root, out.resolve(f))) {
                throw new TvmException("internal", "the TVM compiler process did not write " + f);
            }
            UntrustedFiles.copy(root, out.resolve(f), artifactDir.resolve(f));   // server-owned copies get published
        }
        ElfCheck.verify(artifactDir.resolve(DlrLayout.LIBRARY), r.target().arch());
        List<List<Path>> tvmRuns = new ArrayList<>();
        for (int k = 0; k < res.path("runs").size(); k++) {
            List<Path> outs = new ArrayList<>();
            // by position, never by a path the child chose
            for (int o = 0; o < res.path("runs").get(k).size(); o++) {
                outs.add(UntrustedFiles.checked(root, work.resolve("tvm-run-" + k + "-out-" + o + ".bin")));
            }
            tvmRuns.add(outs);
        }
        String link = tc.availability().compiler() + " -shared -fPIC " + String.join(" ", r.target().arch().archFlags())
                + " -lm (TVM export_library)";
        return new Result(res.path("tvm_version").asText(), res.path("target").asText(),
                res.path("import_seconds").asDouble(), res.path("build_seconds").asDouble(),
                res.path("export_seconds").asDouble(), run.command(), run.elapsed(), tvmRuns, link);
    }

    private static Path copyResource(String name, Path dir) throws IOException {
        Path file = dir.resolve(name);
        try (InputStream in = TvmCompiler.class.getResourceAsStream(name)) {
            if (in == null) throw new IllegalStateException(name + " resource missing from the build");
            Files.copy(in, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        return file;
    }

    /** The child: env for the embedded Python, then a JVM running {@link TvmWorker}. */
    static List<String> childCommand(Path javacppCache, Path script, Path request, Path pythonPath) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add("/usr/bin/env");
        cmd.add("PROTOCOL_BUFFERS_PYTHON_IMPLEMENTATION=python");
        cmd.add("TOPHUB_LOCATION=NONE");     // TVM would try to download tuning logs
        cmd.add("PYTHONDONTWRITEBYTECODE=1");
        cmd.add("TVM_NUM_THREADS=1");
        cmd.add("OMP_NUM_THREADS=1");
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add(CHILD_HEAP);
        cmd.add("-XX:+UseSerialGC");
        cmd.add("-XX:TieredStopAtLevel=1");
        cmd.add("-XX:-UsePerfData");
        cmd.add("-Djava.io.tmpdir=/tmp");
        cmd.add("-Dorg.bytedeco.javacpp.cachedir=" + javacppCache.toAbsolutePath());
        cmd.add("-cp");
        cmd.add(String.join(":", classpath().stream().map(Path::toString).toList()));
        cmd.add(TvmWorker.class.getName());
        cmd.add(script.toAbsolutePath().toString());
        cmd.add(request.toAbsolutePath().toString());
        cmd.add(pythonPath.toAbsolutePath().toString());
        return cmd;
    }

    /** What the child sees besides the work directory: its jars, the JDK (when outside /usr), the stand-ins. */
    static List<Path> readOnlyPaths(Path shim) throws IOException {
        Set<Path> out = new LinkedHashSet<>(classpath());
        Path javaHome = Path.of(System.getProperty("java.home")).toRealPath();
        if (!javaHome.startsWith("/usr")) out.add(javaHome);
        out.add(shim.toAbsolutePath().normalize());
        return List.copyOf(out);
    }

    /**
     * The unpacked natives as the sandboxed child sees them: JavaCPP insists on a writable cache directory, and its
     * cache holds symbolic links with absolute targets between the unpacked jars. So the child sees, at the shared
     * cache's own path, a writable directory of its own (in the work directory) with each unpacked jar of the shared
     * cache mounted read-only inside it at its own path: every link resolves, and nothing shared can be changed by a
     * job. One exception: JavaCPP unpacks CPython's directory again on every start (it links files into it after
     * unpacking, which makes the directory look stale the next time), so that one (87 MB) is the job's own, empty
     * and writable, and is filled by the child.
     */
    private static Path cacheView(SandboxedSteps sandbox, Path sharedCache, Path work) throws IOException {
        Path shared = sharedCache.toAbsolutePath().normalize();
        sandbox.withReadWrite(Files.createDirectories(work.resolve("javacpp")), shared);
        try (var entries = Files.list(shared)) {
            for (Path p : entries.filter(Files::isDirectory).toList()) {
                if (p.getFileName().toString().startsWith("cpython-")) {
                    sandbox.withReadWrite(Files.createDirectories(work.resolve("javacpp-cpython")), p);
                } else {
                    sandbox.withReadOnly(p, p);
                }
            }
        }
        return shared;
    }

    /**
     * Our classes and the JavaCPP presets the child loads, each with its linux-x86_64 natives jar, which Maven and
     * every copy of the dependencies keep beside it as {@code <artifact>-<version>-linux-x86_64.jar}.
     */
    static List<Path> classpath() throws IOException {
        Set<Path> entries = new LinkedHashSet<>();
        entries.add(location(TvmWorker.class));
        for (String preset : List.of("org.bytedeco.javacpp.Loader", "org.bytedeco.tvm.presets.tvm",
                "org.bytedeco.llvm.presets.LLVM", "org.bytedeco.cpython.presets.python",
                "org.bytedeco.numpy.presets.numpy", "org.bytedeco.scipy.presets.scipy",
                "org.bytedeco.openblas.presets.openblas", "org.bytedeco.dnnl.presets.dnnl",
                "org.bytedeco.opencl.presets.OpenCL")) {
            Path jar;
            try {
                jar = location(Class.forName(preset, false, TvmCompiler.class.getClassLoader()));
            } catch (ClassNotFoundException e) {
                throw new IOException("TVM's dependency " + preset + " is not on the server's classpath");
            }
            entries.add(jar);
            String name = jar.getFileName().toString();
            if (name.endsWith(".jar")) {
                Path natives = jar.resolveSibling(name.substring(0, name.length() - 4) + "-linux-x86_64.jar");
                if (!Files.isRegularFile(natives)) throw new IOException("missing " + natives);
                entries.add(natives);
            }
        }
        return List.copyOf(entries);
    }

    private static Path location(Class<?> c) throws IOException {
        CodeSource src = c.getProtectionDomain().getCodeSource();
        if (src == null) throw new IOException("cannot locate the classes of " + c.getName());
        try {
            return Path.of(src.getLocation().toURI()).toAbsolutePath().normalize();
        } catch (URISyntaxException e) {
            throw new IOException(e);
        }
    }

    /**
     * Unpacks TVM's, LLVM's and CPython's natives into {@code <cacheDir>/javacpp} once, by running the child on a
     * script that only imports TVM: our own jars, no model, so it runs outside any sandbox; jobs then see the cache
     * read-only.
     */
    static synchronized Path unpackNatives(Path cacheDir, Duration timeout) throws IOException, TvmException {
        Path cache = Files.createDirectories(cacheDir.resolve("javacpp"));
        if (Files.isRegularFile(cache.resolve(READY))) return cache;
        Path tmp = Files.createTempDirectory(cacheDir, "tvm-unpack-");
        try {
            Path script = tmp.resolve("probe.py");
            Path req = tmp.resolve("req.json");
            Files.writeString(script, "import tvm\nprint('tvm', tvm.__version__)\n");
            Files.writeString(req, "{}");
            ProcessRunner.Result r = ProcessRunner.run(childCommand(cache, script, req, tmp), tmp,
                    timeout.plusMinutes(5));
            if (!r.ok() || !r.output().contains("tvm 0.18")) {
                throw new TvmException("environment", "TVM's natives could not be unpacked into " + cache + ": "
                        + tail(r.output()));
            }
            Files.writeString(cache.resolve(READY), "tvm 0.18\n");
            return cache;
        } finally {
            PythonShims.deleteTree(tmp);
        }
    }

    private static String tail(String s) {
        String t = s.strip();
        return t.length() > 2000 ? "..." + t.substring(t.length() - 2000) : t;
    }
}
