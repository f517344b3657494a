package dev.sagebrush.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.io.File;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.bytedeco.cpython.global.python;

/**
 * Times TVM artifacts (DLR's graph-executor layout: compiled.so, compiled_model.json, compiled.params) against the
 * original .onnx in ONNX Runtime with default SessionOptions and one intra-op thread, <b>in one process, on one
 * thread, interleaved batch by batch</b>: on a shared 2-vCPU host the load moves within seconds, so timing the two
 * sides in separate processes or rounds minutes apart compares different machines. TVM runs through its own graph
 * executor (TVM 0.18 in an embedded CPython, {@code TVM_NUM_THREADS=1}: it computes on the calling thread, as ONNX
 * Runtime does with one intra-op thread), so both are measured with the same clocks: wall time and the calling
 * thread's CPU time (which leaves out the time other processes hold the CPU).
 *
 * <pre>TvmVsOrt model.onnx input 1,3,224,224 cache_dir batches label=artifact_dir [label=artifact_dir ...]</pre>
 *
 * Each batch runs every side (order alternating) for about 25 ms of calls; the figures per side are the median and
 * the minimum over the batches of the mean call time in a batch (the minimum: the batch least disturbed by other
 * processes). The outputs of every artifact are compared with ONNX Runtime's.
 */
public final class TvmVsOrt {
    private static final long BATCH_NANOS = 25_000_000L;

    private TvmVsOrt() {}

    /** One side: a label and its calls. */
    private interface Side {
        String label();

        void call(int n) throws Exception;
    }

    public static void main(String[] args) throws Exception {
        Path model = Path.of(args[0]);
        String input = args[1];
        long[] shape = Arrays.stream(args[2].split(",")).mapToLong(Long::parseLong).toArray();
        Path cache = Path.of(args[3]);
        int batches = Integer.parseInt(args[4]);
        List<String[]> artifacts = new ArrayList<>();
        for (int i = 5; i < args.length; i++) artifacts.add(args[i].split("=", 2));
        System.out.println(run(model, input, shape, cache, batches, artifacts));
    }

    /** Returns "LATENCY ..." lines, one per artifact, with both ratios. */
    static String run(Path model, String input, long[] shape, Path cache, int batches, List<String[]> artifacts)
            throws Exception {
        // The natives are unpacked by TvmCompiler into <cache>/javacpp; reuse them rather than unpacking again.
        System.setProperty("org.bytedeco.javacpp.cachedir", cache.resolve("javacpp").toAbsolutePath().toString());
        float[] data = new float[(int) Arrays.stream(shape).reduce(1, (a, b) -> a * b)];
        Random rnd = new Random(7);
        for (int i = 0; i < data.length; i++) data[i] = (float) rnd.nextGaussian();
        Path inputFile = Files.createTempFile("tvm-vs-ort-", ".bin");
        ByteBuffer bytes = ByteBuffer.allocate(data.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(data);
        Files.write(inputFile, bytes.array());

        startPython();
        List<Side> sides = new ArrayList<>();
        List<Path> tvmOutputs = new ArrayList<>();
        for (int k = 0; k < artifacts.size(); k++) {
            String label = artifacts.get(k)[0];
            Path dir = Path.of(artifacts.get(k)[1]).toAbsolutePath();
            Path out = Files.createTempFile("tvm-out-", ".bin");
            tvmOutputs.add(out);
            py("_gm%d = _load(%s, %s, %s, %s)", k, str(dir.toString()), str(input), str(inputFile.toString()),
                    Arrays.toString(shape));
            py("_gm%d.run(); _gm%d.get_output(0).numpy().astype('float32').tofile(%s)", k, k, str(out.toString()));
            int id = k;
            sides.add(new Side() {
                public String label() {
                    return label;
                }

                public void call(int n) {
                    py("_loop(_gm%d, %d)", id, n);
                }
            });
        }

        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
            so.setIntraOpNumThreads(1);   // everything else default: graph optimization level ALL at load
            try (OrtSession s = env.createSession(model.toString(), so);
                 OnnxTensor x = OnnxTensor.createTensor(env, FloatBuffer.wrap(data), shape)) {
                float[] ortOut;
                try (OrtSession.Result r = s.run(Map.of(input, x))) {
                    OnnxValue v = r.get(0);
                    ortOut = flatten(((OnnxTensor) v).getFloatBuffer());
                }
                sides.add(new Side() {
                    public String label() {
                        return "ort";
                    }

                    public void call(int n) throws Exception {
                        for (int i = 0; i < n; i++) s.run(Map.of(input, x)).close();
                    }
                });
                StringBuilder diffs = new StringBuilder();
                for (int k = 0; k < artifacts.size(); k++) {
                    ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(tvmOutputs.get(k))).order(ByteOrder.LITTLE_ENDIAN);
                    float[] t = flatten(b.asFloatBuffer());
                    double max = t.length == ortOut.length ? 0 : Double.NaN;
                    for (int i = 0; i < Math.min(t.length, ortOut.length); i++) {
                        max = Math.max(max, Math.abs(t[i] - ortOut[i]));
                    }
                    diffs.append(String.format(Locale.ROOT, " maxdiff_%s=%.2e", artifacts.get(k)[0], max));
                }
                return time(sides, batches, model, shape) + diffs;
            }
        } finally {
            for (Path p : tvmOutputs) Files.deleteIfExists(p);
            Files.deleteIfExists(inputFile);
        }
    }

    private static String time(List<Side> sides, int batches, Path model, long[] shape) throws Exception {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        int[] perBatch = new int[sides.size()];
        for (int i = 0; i < sides.size(); i++) {   // warm up, and size each side's batch to about BATCH_NANOS
            sides.get(i).call(3);
            long each = Long.MAX_VALUE;
            for (int k = 0; k < 5; k++) {   // the least disturbed of 5 estimates: a preempted one would shrink the batch
                long t0 = System.nanoTime();
                sides.get(i).call(5);
                each = Math.max(1, Math.min(each, (System.nanoTime() - t0) / 5));
            }
            perBatch[i] = (int) Math.max(1, Math.min(100_000, BATCH_NANOS / each));
        }
        double[][] wall = new double[sides.size()][batches];
        double[][] cpu = new double[sides.size()][batches];
        for (int b = 0; b < batches; b++) {
            for (int j = 0; j < sides.size(); j++) {
                int i = b % 2 == 0 ? j : sides.size() - 1 - j;
                long c0 = mx.getCurrentThreadCpuTime();
                long t0 = System.nanoTime();
                sides.get(i).call(perBatch[i]);
                wall[i][b] = (System.nanoTime() - t0) / 1e3 / perBatch[i];
                cpu[i][b] = (mx.getCurrentThreadCpuTime() - c0) / 1e3 / perBatch[i];
            }
        }
        int ort = sides.size() - 1;
        double ortWall = median(wall[ort]);
        double ortCpu = median(cpu[ort]);
        double ortMin = Arrays.stream(cpu[ort]).min().orElseThrow();
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < ort; i++) {
            double w = median(wall[i]);
            double c = median(cpu[i]);
            double m = Arrays.stream(cpu[i]).min().orElseThrow();
            sb.append(String.format(Locale.ROOT, "LATENCY model=%s shape=%s artifact=%s tvm_wall_us=%.1f "
                            + "ort_wall_us=%.1f ratio_wall=%.2f tvm_cpu_us=%.1f ort_cpu_us=%.1f ratio_cpu=%.2f "
                            + "tvm_cpu_min_us=%.1f ort_cpu_min_us=%.1f ratio_cpu_min=%.2f batches=%d "
                            + "calls_per_batch=%d/%d%n", model.getFileName(), Arrays.toString(shape),
                    sides.get(i).label(), w, ortWall, ortWall / w, c, ortCpu, ortCpu / c, m, ortMin, ortMin / m,
                    batches, perBatch[i], perBatch[ort]));
        }
        return sb.toString().strip();
    }

    /** CPython with TVM in this JVM; TVM gets one thread (read when its thread pool starts, after this). */
    private static void startPython() throws java.io.IOException {
        File[] packages = org.bytedeco.tvm.presets.tvm.cachePackages();
        if (!org.bytedeco.cpython.helper.python.Py_Initialize(packages)) {
            throw new IllegalStateException("could not start the embedded Python");
        }
        py("import os%nos.environ['TVM_NUM_THREADS'] = '1'%nimport numpy as np, tvm%n"
                + "from tvm.contrib import graph_executor%n"
                + "def _load(d, name, path, shape):%n"
                + "    lib = tvm.runtime.load_module(d + '/compiled.so')%n"
                + "    gm = graph_executor.create(open(d + '/compiled_model.json').read(), lib, tvm.cpu(0))%n"
                + "    gm.load_params(bytearray(open(d + '/compiled.params', 'rb').read()))%n"
                + "    gm.set_input(name, np.fromfile(path, dtype='float32').reshape(shape))%n"
                + "    return gm%n"
                + "def _loop(gm, n):%n"
                + "    run = gm.module['run']%n"
                + "    for _ in range(n): run()%n");
    }

    private static void py(String format, Object... args) {
        String code = String.format(Locale.ROOT, format, args);
        if (python.PyRun_SimpleString(code) != 0) throw new IllegalStateException("Python failed: " + code);
    }

    private static String str(String s) {
        return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }

    private static float[] flatten(FloatBuffer b) {
        float[] f = new float[b.remaining()];
        b.get(f);
        return f;
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
