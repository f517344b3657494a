package dev.sagebrush.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.sagebrush.compilation.CompilationTargets;
import dev.sagebrush.compilation.toolchain.ProcessRunner;
import dev.sagebrush.compilation.toolchain.StepRunner;
import dev.sagebrush.compilation.tvm.TvmCompiler;
import dev.sagebrush.compilation.tvm.TvmTarget;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import software.amazon.awssdk.services.sagemaker.model.OutputConfig;

/**
 * TVM tier benchmark (bench/tvm/run.sh): compiles an ONNX model with {@link TvmCompiler} for each target device given
 * (wall time of the compiler process, and TVM's own import/build/export split), and for an x86_64 device times the
 * artifact with TVM's graph executor (one thread) against the original model in ONNX Runtime with default
 * SessionOptions and one intra-op thread, same machine, interleaved rounds.
 *
 * <pre>TvmBench model.onnx input 1,3,224,224 work_dir devices(ml_c5,rk3399,...) rounds cache_dir</pre>
 */
public final class TvmBench {
    public static void main(String[] args) throws Exception {
        Path model = Path.of(args[0]);
        String input = args[1];
        long[] shape = Arrays.stream(args[2].split(",")).mapToLong(Long::parseLong).toArray();
        Path work = Files.createDirectories(Path.of(args[3]));
        List<String> devices = List.of(args[4].split(","));
        int rounds = Integer.parseInt(args[5]);
        Path cache = Path.of(args[6]);
        Path x86Artifact = null;
        for (String device : devices) {
            TvmTarget t = TvmTarget.of(CompilationTargets.of(OutputConfig.builder().targetDevice(device).build()),
                    CompilationTargets.of(OutputConfig.builder().targetDevice(device).build()).hostArch().orElseThrow());
            Path dir = work.resolve(device);
            long t0 = System.nanoTime();
            TvmCompiler.Result r = TvmCompiler.compile(new TvmCompiler.Request("ONNX", model,
                    List.of(new TvmCompiler.Input(input, shape, "float32")), t, dir.resolve("tvm"), List.of()),
                    dir.resolve("artifact"), cache, Duration.ofMinutes(20), StepRunner.HOST);
            double wall = (System.nanoTime() - t0) / 1e9;
            System.out.printf(Locale.ROOT, "COMPILE model=%s device=%s arch=%s cpu=%s total_s=%.2f process_s=%.2f"
                            + " import_s=%.2f build_s=%.2f export_s=%.2f so_bytes=%d params_bytes=%d%n",
                    model.getFileName(), device, t.arch().id(), t.cpu(), wall, r.elapsed().toNanos() / 1e9,
                    r.importSeconds(), r.buildSeconds(), r.exportSeconds(),
                    Files.size(dir.resolve("artifact/compiled.so")), Files.size(dir.resolve("artifact/compiled.params")));
            if (t.arch().runsNatively() && x86Artifact == null) x86Artifact = dir.resolve("artifact");
        }
        if (x86Artifact == null) return;

        Path script = Path.of("bench/tvm/time_tvm.py").toAbsolutePath();
        Path req = work.resolve("time.json");
        Files.writeString(req, "{\"dir\": \"" + x86Artifact.toAbsolutePath() + "\", \"inputs\": {\"" + input + "\": "
                + Arrays.toString(shape) + "}, \"number\": 20, \"repeat\": 15}");
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        float[] data = new float[(int) Arrays.stream(shape).reduce(1, (a, b) -> a * b)];
        Random rnd = new Random(7);
        for (int i = 0; i < data.length; i++) data[i] = (float) rnd.nextGaussian();
        List<Double> tvm = new ArrayList<>();
        List<Double> ort = new ArrayList<>();
        try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
            so.setIntraOpNumThreads(1);   // everything else default: graph optimization level ALL at load
            try (OrtSession s = env.createSession(model.toString(), so);
                 OnnxTensor x = OnnxTensor.createTensor(env, FloatBuffer.wrap(data), shape)) {
                for (int round = 0; round < rounds; round++) {
                    ProcessRunner.Result r = ProcessRunner.run(workerCommand(cache, script, req), work,
                            Duration.ofMinutes(10));
                    String line = r.output().lines().filter(l -> l.startsWith("RESULT")).findFirst()
                            .orElseThrow(() -> new IllegalStateException(r.output()));
                    double tvmUs = Double.parseDouble(line.replaceAll(".*median_us=([0-9.]+).*", "$1"));
                    for (int i = 0; i < 20; i++) s.run(Map.of(input, x)).close();
                    double[] runs = new double[15];
                    for (int k = 0; k < runs.length; k++) {
                        long t0 = System.nanoTime();
                        for (int i = 0; i < 20; i++) s.run(Map.of(input, x)).close();
                        runs[k] = (System.nanoTime() - t0) / 20 / 1e3;
                    }
                    Arrays.sort(runs);
                    double ortUs = runs[runs.length / 2];
                    tvm.add(tvmUs);
                    ort.add(ortUs);
                    System.out.printf(Locale.ROOT, "ROUND %d tvm_us=%.1f ort_us=%.1f (load %s)%n", round + 1, tvmUs,
                            ortUs, Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
                }
            }
        }
        double mt = median(tvm), mo = median(ort);
        System.out.printf(Locale.ROOT, "LATENCY model=%s shape=%s tvm_median_us=%.1f ort_median_us=%.1f "
                + "speedup_ort_over_tvm=%.2f%n", model.getFileName(), Arrays.toString(shape), mt, mo, mo / mt);
    }

    private static List<String> workerCommand(Path cache, Path script, Path req) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("/usr/bin/env", "TVM_NUM_THREADS=1", "OMP_NUM_THREADS=1",
                "TOPHUB_LOCATION=NONE", Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dorg.bytedeco.javacpp.cachedir=" + cache.resolve("javacpp").toAbsolutePath(), "-cp",
                System.getProperty("java.class.path"), "dev.sagebrush.compilation.tvm.TvmWorker", script.toString(),
                req.toString()));
        return cmd;
    }

    private static double median(List<Double> v) {
        List<Double> s = new ArrayList<>(v);
        s.sort(null);
        return s.get(s.size() / 2);
    }
}
