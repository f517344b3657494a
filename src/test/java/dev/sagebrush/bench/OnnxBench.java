package dev.sagebrush.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.OrtSession.SessionOptions;
import ai.onnxruntime.OrtSession.SessionOptions.OptLevel;
import ai.onnxruntime.TensorInfo;
import dev.sagebrush.compilation.onnx.OnnxCompileForBench;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Benchmark entry point (bench/onnx/run.sh), not part of the server: the ONNX compiler's artifact against the
 * original model in ONNX Runtime Java, one intra-op thread.
 *
 * <pre>
 * java -cp target/classes:target/test-classes:$(cat target/test-classpath.txt) dev.sagebrush.bench.OnnxBench \
 *      MODEL.onnx INPUT_NAME SHAPE WORK_DIR [ROUNDS] [SECONDS_PER_CONFIG_PER_ROUND]
 * </pre>
 *
 * SHAPE is the DataInputConfig shape of the model's single input, e.g. {@code 1,3,32,32}. The model is compiled into
 * WORK_DIR/model.ort with the compiler's own code ({@link OnnxCompileForBench}: describe, InputShapes.resolve,
 * OrtModels.optimize at OnnxModelCompiler.LEVEL, and the compiler's x86_64 verification). Then these sessions are
 * timed, every one with {@code setIntraOpNumThreads(1)} and nothing else changed:
 * <ul>
 *   <li>a: the original .onnx with default SessionOptions (ONNX Runtime's default level is ALL, applied at load);</li>
 *   <li>b: the original .onnx with NO_OPT;</li>
 *   <li>c: the compiled model.ort with default SessionOptions (what a device would do with the artifact);</li>
 *   <li>c0: the compiled model.ort with NO_OPT (shows whether an ORT-format model is re-optimized at load);</li>
 *   <li>d: the EXTENDED .onnx (same options as the compiler, ONNX format) with default SessionOptions.</li>
 * </ul>
 * Protocol: each session first runs for about SECONDS of warm-up; then ROUNDS rounds, in each of which every session
 * (order rotated per round) gets 5 untimed calls and then timed calls for about SECONDS (at least 20). Every call
 * is timed alone with the wall clock and with the calling thread's CPU time (with one intra-op thread ONNX Runtime
 * computes on the calling thread). Reported: median of the per-round medians, and the range of the round medians.
 * Outputs of every session on 4 seeded inputs are compared with b (the compiler's reference) within 1e-5.
 */
public final class OnnxBench {
    private static final double TOLERANCE = 1e-5;
    private static final int INPUTS = 4;

    private record Config(String id, String label, Path model, OptLevel level) {}

    private OnnxBench() { }

    public static void main(String[] args) throws Exception {
        if (args.length < 4) {
            System.err.println("usage: OnnxBench MODEL.onnx INPUT_NAME SHAPE WORK_DIR [ROUNDS] [SECONDS]");
            System.exit(2);
        }
        Path model = Path.of(args[0]);
        String input = args[1];
        long[] shape = Arrays.stream(args[2].split(",")).mapToLong(Long::parseLong).toArray();
        Path work = Files.createDirectories(Path.of(args[3]));
        int rounds = args.length > 4 ? Integer.parseInt(args[4]) : 3;
        double seconds = args.length > 5 ? Double.parseDouble(args[5]) : 1.5;
        String name = model.getFileName().toString().replaceFirst("\\.onnx$", "");
        String caseId = name + " batch " + shape[0];
        OrtEnvironment env = OrtEnvironment.getEnvironment();

        // 1. The artifact, exactly as the compiler makes it (and its own verification).
        String dic = "{\"" + input + "\": " + Arrays.toString(shape).replace(" ", "") + "}";
        Path ort = work.resolve(OnnxCompileForBench.artifactName());
        long t0 = System.nanoTime();
        OnnxCompileForBench.Compiled compiled = OnnxCompileForBench.compile(model, dic, ort);
        double compileMs = (System.nanoTime() - t0) / 1e6;
        System.out.printf(Locale.ROOT, "== %s: DataInputConfig %s -> %s (level %s, fixed dims %s, %d bytes, "
                        + "compile+verify %.1f ms); compiler verification: %s%n", caseId, dic, ort,
                compiled.level(), compiled.dimValues(), Files.size(ort), compileMs, compiled.verification());
        if (!compiled.verified()) throw new IllegalStateException("the compiler's own verification failed");

        // (d) The same EXTENDED optimization, saved as .onnx instead of .ort.
        Path extOnnx = work.resolve("extended.onnx");
        try (SessionOptions so = new SessionOptions()) {
            so.setIntraOpNumThreads(1);
            so.setOptimizationLevel(OptLevel.EXTENDED_OPT);
            for (Map.Entry<String, Long> e : compiled.dimValues().entrySet()) {
                so.setSymbolicDimensionValue(e.getKey(), e.getValue());
            }
            so.setOptimizedModelFilePath(extOnnx.toString());
            env.createSession(model.toString(), so).close();
        }
        // What default SessionOptions do to the original: save the graph a default session runs.
        Path defaultSaved = work.resolve("original-default-optimized.onnx");
        try (SessionOptions so = defaults()) {
            so.setOptimizedModelFilePath(defaultSaved.toString());
            env.createSession(model.toString(), so).close();
        }
        Path extDefaultSaved = work.resolve("extended-default-optimized.onnx");
        try (SessionOptions so = defaults()) {
            so.setOptimizedModelFilePath(extDefaultSaved.toString());
            env.createSession(extOnnx.toString(), so).close();
        }
        System.out.printf(Locale.ROOT, "   NCHWc (ALL-level, CPU-specific) nodes: in the graph a default session runs for"
                        + " the original: %d, for extended.onnx: %d; stored in model.ort: %d, in extended.onnx: %d%n",
                nchwc(defaultSaved), nchwc(extDefaultSaved), nchwc(ort), nchwc(extOnnx));

        List<Config> configs = List.of(
                new Config("a", "original .onnx, default options (ALL online)", model, null),
                new Config("b", "original .onnx, NO_OPT", model, OptLevel.NO_OPT),
                new Config("c", "compiled model.ort, default options", ort, null),
                new Config("c0", "compiled model.ort, NO_OPT", ort, OptLevel.NO_OPT),
                new Config("d", "EXTENDED .onnx, default options (ALL on device)", extOnnx, null));

        // Inputs: INPUTS seeded standard-normal tensors of the configured shape.
        SplittableRandom rnd = new SplittableRandom(0x0bec4L);
        long n = 1;
        for (long d : shape) n *= d;
        List<OnnxTensor> tensors = new ArrayList<>();
        for (int k = 0; k < INPUTS; k++) {
            FloatBuffer fb = ByteBuffer.allocateDirect((int) n * 4).order(ByteOrder.nativeOrder()).asFloatBuffer();
            for (long i = 0; i < n; i++) {
                double u = 1.0 - rnd.nextDouble();
                fb.put((float) (Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rnd.nextDouble())));
            }
            fb.flip();
            tensors.add(OnnxTensor.createTensor(env, fb, shape));
        }

        // 2. Sessions: load time (median of 5 fresh loads), then one kept open for timing.
        Map<String, OrtSession> sessions = new LinkedHashMap<>();
        Map<String, Double> loadMs = new LinkedHashMap<>();
        for (Config c : configs) {
            double[] loads = new double[5];
            for (int i = 0; i < loads.length; i++) {
                try (SessionOptions so = options(c.level())) {
                    long s0 = System.nanoTime();
                    OrtSession s = env.createSession(c.model().toString(), so);
                    loads[i] = (System.nanoTime() - s0) / 1e6;
                    if (i == loads.length - 1) sessions.put(c.id(), s); else s.close();
                }
            }
            loadMs.put(c.id(), median(loads));
        }

        // 3. Outputs against b (the original without optimization: the compiler's reference).
        Map<String, float[][]> outs = new LinkedHashMap<>();
        for (Config c : configs) {
            float[][] o = new float[INPUTS][];
            for (int k = 0; k < INPUTS; k++) o[k] = run(sessions.get(c.id()), input, tensors.get(k));
            outs.put(c.id(), o);
        }
        Map<String, Double> maxDiff = new LinkedHashMap<>();
        for (Config c : configs) {
            double m = 0;
            for (int k = 0; k < INPUTS; k++) {
                float[] want = outs.get("b")[k], got = outs.get(c.id())[k];
                if (want.length != got.length) throw new IllegalStateException(c.id() + ": output size differs");
                for (int i = 0; i < want.length; i++) m = Math.max(m, Math.abs((double) want[i] - got[i]));
            }
            maxDiff.put(c.id(), m);
        }

        // 4. Timing.
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        for (Config c : configs) timeFor(sessions.get(c.id()), input, tensors, seconds, 50, mx, null, null);
        Map<String, double[]> wallRounds = new LinkedHashMap<>(), cpuRounds = new LinkedHashMap<>();
        Map<String, Integer> calls = new LinkedHashMap<>();
        for (Config c : configs) {
            wallRounds.put(c.id(), new double[rounds]);
            cpuRounds.put(c.id(), new double[rounds]);
            calls.put(c.id(), 0);
        }
        for (int r = 0; r < rounds; r++) {
            for (int j = 0; j < configs.size(); j++) {
                Config c = configs.get((j + r) % configs.size());
                OrtSession s = sessions.get(c.id());
                for (int i = 0; i < 5; i++) run(s, input, tensors.get(i % INPUTS));
                List<Long> wall = new ArrayList<>(), cpu = new ArrayList<>();
                timeFor(s, input, tensors, seconds, 20, mx, wall, cpu);
                wallRounds.get(c.id())[r] = medianL(wall) / 1e3;
                cpuRounds.get(c.id())[r] = medianL(cpu) / 1e3;
                calls.merge(c.id(), wall.size(), Integer::sum);
            }
        }

        // 5. Report.
        double aWall = median(wallRounds.get("a")), aCpu = median(cpuRounds.get("a"));
        System.out.printf(Locale.ROOT, "   %-2s %-50s %12s %12s %18s %9s %9s %9s %10s %s%n", "id", "session",
                "wall us", "cpu us", "round medians", "vs a", "cpu vs a", "load ms", "max|diff|", "calls");
        for (Config c : configs) {
            double w = median(wallRounds.get(c.id())), u = median(cpuRounds.get(c.id()));
            double[] wr = wallRounds.get(c.id()).clone();
            Arrays.sort(wr);
            System.out.printf(Locale.ROOT, "   %-2s %-50s %12.2f %12.2f %18s %8.2fx %8.2fx %9.2f %10.2e %d%s%n", c.id(),
                    c.label(), w, u, fmt(wr[0]) + "-" + fmt(wr[wr.length - 1]), w / aWall, u / aCpu,
                    loadMs.get(c.id()), maxDiff.get(c.id()), calls.get(c.id()),
                    maxDiff.get(c.id()) <= TOLERANCE ? "" : "  OUTPUT MISMATCH > 1e-5");
            System.out.printf(Locale.ROOT, "RESULT\t%s\t%d\t%s\t%.3f\t%.3f\t%.4f\t%.4f\t%.3f\t%.3e%n", name, shape[0],
                    c.id(), w, u, w / aWall, u / aCpu, loadMs.get(c.id()), maxDiff.get(c.id()));
        }
        boolean ok = maxDiff.values().stream().allMatch(m -> m <= TOLERANCE);
        System.out.println("   outputs within 1e-5 of b for every session: " + (ok ? "yes" : "NO"));
        for (OrtSession s : sessions.values()) s.close();
        for (OnnxTensor t : tensors) t.close();
        if (!ok) System.exit(1);
    }

    /** Default SessionOptions, except one intra-op thread (the compiler's and this benchmark's condition). */
    private static SessionOptions defaults() throws OrtException {
        SessionOptions so = new SessionOptions();
        so.setIntraOpNumThreads(1);
        return so;
    }

    private static SessionOptions options(OptLevel level) throws OrtException {
        SessionOptions so = defaults();
        if (level != null) so.setOptimizationLevel(level);
        return so;
    }

    private static float[] run(OrtSession s, String input, OnnxTensor x) throws OrtException {
        try (OrtSession.Result r = s.run(Map.of(input, x))) {
            OnnxValue v = r.get(0);
            OnnxTensor t = (OnnxTensor) v;
            TensorInfo info = t.getInfo();
            FloatBuffer fb = t.getFloatBuffer();
            float[] out = new float[(int) info.getNumElements()];
            fb.get(out);
            return out;
        }
    }

    /** Runs calls for about {@code seconds} (at least {@code min}), one call timed at a time. */
    private static void timeFor(OrtSession s, String input, List<OnnxTensor> xs, double seconds, int min,
                                ThreadMXBean mx, List<Long> wall, List<Long> cpu) throws OrtException {
        long end = System.nanoTime() + (long) (seconds * 1e9);
        Map<String, OnnxTensor> feed = new java.util.HashMap<>();
        for (int i = 0; i < 1_000_000 && (i < min || System.nanoTime() < end); i++) {
            feed.put(input, xs.get(i % xs.size()));
            long c0 = mx.getCurrentThreadCpuTime();
            long w0 = System.nanoTime();
            try (OrtSession.Result r = s.run(feed)) {
                long w1 = System.nanoTime();
                long c1 = mx.getCurrentThreadCpuTime();
                if (wall != null) {
                    wall.add(w1 - w0);
                    cpu.add(c1 - c0);
                }
            }
        }
    }

    /**
     * Nodes in the {@code com.microsoft.nchwc} domain: occurrences of the domain name minus the one in the model's
     * opset imports (ONNX Runtime lists every registered domain there, used or not). Checked against onnx.load for
     * the .onnx files of the convnet fixture.
     */
    private static int nchwc(Path file) throws java.io.IOException {
        String s = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
        int count = 0;
        for (int i = s.indexOf("com.microsoft.nchwc"); i >= 0; i = s.indexOf("com.microsoft.nchwc", i + 1)) count++;
        return Math.max(0, count - 1);
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private static double medianL(List<Long> v) {
        return median(v.stream().mapToDouble(Long::doubleValue).toArray());
    }

    private static String fmt(double v) {
        return v >= 100 ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.1f", v);
    }
}
