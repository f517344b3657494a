package dev.sagebrush.compilation.tvm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sagebrush.compilation.DlrLayout;
import dev.sagebrush.compilation.toolchain.ElfCheck;
import dev.sagebrush.compilation.toolchain.ProcessRunner;
import dev.sagebrush.compilation.toolchain.Toolchain;
import dev.sagebrush.compilation.toolchain.ToolchainException;
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
 * {@code compiled_model.json}, {@code compiled.params}) into the output directory. The child gets a time budget
 * (killed with its process tree when it runs over) and a memory budget (heap cap and an address-space limit).
 */
public final class TvmCompiler {
    /** Java heap of the child: it only hosts CPython; TVM and LLVM allocate natively. */
    static final String CHILD_HEAP = "-Xmx384m";
    /** Address-space limit of the child (JVM reservations included): the memory budget of one compilation. */
    static final long ADDRESS_SPACE_BYTES = 16L << 30;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One model input: name, shape, TVM dtype. */
    public record Input(String name, long[] shape, String dtype) {}

    /**
     * @param framework  "ONNX" or "TFLITE"
     * @param runInputs  for an x86_64 target: input files per verification set (in {@code inputs} order), run through
     *                   TVM's own graph executor in the child on the exported files; empty otherwise
     */
    public record Request(String framework, Path model, List<Input> inputs, TvmTarget target, Path outDir,
                          Path workDir, List<List<Path>> runInputs) {}

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
        List<String> m = new ArrayList<>();
        if (!"amd64".equals(System.getProperty("os.arch")) && !"x86_64".equals(System.getProperty("os.arch"))) {
            m.add("TVM (org.bytedeco:tvm " + "0.18.0-1.5.11) ships natives for linux-x86_64 hosts only");
        }
        try {
            Class.forName("org.bytedeco.tvm.presets.tvm", false, TvmCompiler.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            m.add("org.bytedeco:tvm is not on the server's classpath");
        }
        m.addAll(PythonShims.missing().isEmpty() ? List.of() : List.of("Debian " + PythonShims.PACKAGES));
        return m;
    }

    public static Result compile(Request r, Path cacheDir, Duration timeout)
            throws TvmException, IOException, ToolchainException {
        Toolchain tc = Toolchain.forArch(r.target().arch());
        Path work = Files.createDirectories(r.workDir());
        Files.createDirectories(r.outDir());
        Path script = work.resolve("tvm_compile.py");
        try (InputStream in = TvmCompiler.class.getResourceAsStream("tvm_compile.py")) {
            if (in == null) throw new IllegalStateException("tvm_compile.py resource missing from the build");
            Files.copy(in, script, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        Path shim;
        try {
            shim = PythonShims.onnx(cacheDir);
        } catch (IOException e) {
            throw new TvmException("environment", e.getMessage());
        }
        Path result = work.resolve("result.json");
        Files.deleteIfExists(result);
        ObjectNode req = JSON.createObjectNode();
        req.put("framework", r.framework()).put("model", r.model().toAbsolutePath().toString())
                .put("target", r.target().llvm()).put("cc", tc.availability().compiler().toString())
                .put("out", r.outDir().toAbsolutePath().toString()).put("result", result.toAbsolutePath().toString())
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

        List<String> cmd = childCommand(cacheDir, script, reqFile, shim);
        ProcessRunner.Result run = ProcessRunner.run(cmd, work, timeout);
        if (run.timedOut()) {
            throw new TvmException("timeout", "TVM did not finish compiling within " + timeout.toSeconds() + " s");
        }
        if (!Files.isRegularFile(result)) {
            throw new TvmException("crash", "the TVM compiler process ended with exit code " + run.exitCode()
                    + " without a result: " + tail(run.output()));
        }
        JsonNode res = JSON.readTree(result.toFile());
        if (!"OK".equals(res.path("status").asText())) {
            throw new TvmException(res.path("kind").asText("internal"), res.path("message").asText());
        }
        for (String f : List.of(DlrLayout.LIBRARY, DlrLayout.GRAPH, DlrLayout.PARAMS)) {
            if (!Files.isRegularFile(r.outDir().resolve(f))) {
                throw new TvmException("internal", "the TVM compiler process did not write " + f);
            }
        }
        ElfCheck.verify(r.outDir().resolve(DlrLayout.LIBRARY), r.target().arch());
        List<List<Path>> tvmRuns = new ArrayList<>();
        for (JsonNode set : res.path("runs")) {
            List<Path> outs = new ArrayList<>();
            for (JsonNode p : set) outs.add(Path.of(p.asText()));
            tvmRuns.add(outs);
        }
        String link = tc.availability().compiler() + " -shared -fPIC " + String.join(" ", r.target().arch().archFlags())
                + " -lm (TVM export_library)";
        return new Result(res.path("tvm_version").asText(), res.path("target").asText(),
                res.path("import_seconds").asDouble(), res.path("build_seconds").asDouble(),
                res.path("export_seconds").asDouble(), cmd, run.elapsed(), tvmRuns, link);
    }

    /** The child: env for the embedded Python, an address-space limit, then a JVM running {@link TvmWorker}. */
    static List<String> childCommand(Path cacheDir, Path script, Path request, Path pythonPath) {
        List<String> cmd = new ArrayList<>();
        cmd.add("/usr/bin/env");
        cmd.add("PROTOCOL_BUFFERS_PYTHON_IMPLEMENTATION=python");
        cmd.add("TOPHUB_LOCATION=NONE");     // TVM would try to download tuning logs
        cmd.add("PYTHONDONTWRITEBYTECODE=1");
        cmd.add("TVM_NUM_THREADS=1");
        cmd.add("OMP_NUM_THREADS=1");
        if (Files.isExecutable(Path.of("/usr/bin/prlimit"))) {
            cmd.add("/usr/bin/prlimit");
            cmd.add("--as=" + ADDRESS_SPACE_BYTES);
        }
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add(CHILD_HEAP);
        cmd.add("-XX:+UseSerialGC");
        cmd.add("-XX:TieredStopAtLevel=1");
        cmd.add("-Dorg.bytedeco.javacpp.cachedir=" + cacheDir.resolve("javacpp").toAbsolutePath());
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(TvmWorker.class.getName());
        cmd.add(script.toAbsolutePath().toString());
        cmd.add(request.toAbsolutePath().toString());
        cmd.add(pythonPath.toAbsolutePath().toString());
        return cmd;
    }

    private static String tail(String s) {
        String t = s.strip();
        return t.length() > 2000 ? "..." + t.substring(t.length() - 2000) : t;
    }
}
