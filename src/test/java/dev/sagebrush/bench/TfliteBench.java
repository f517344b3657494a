package dev.sagebrush.bench;

import dev.sagebrush.compilation.CompilationTarget;
import dev.sagebrush.compilation.CompilationTargets;
import dev.sagebrush.compilation.tflite.TfliteModel;
import dev.sagebrush.compilation.toolchain.StepRunner;
import dev.sagebrush.compilation.tvm.TvmCompiler;
import dev.sagebrush.compilation.tvm.TvmTarget;
import dev.sagebrush.testsupport.TfliteFixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import software.amazon.awssdk.services.sagemaker.model.OutputConfig;

/**
 * TFLite compile-time benchmark (bench/tflite/run.sh): the test models (TfliteFixtures) compiled by TVM's TFLite
 * frontend in the compiler child for each device, rounds interleaved across devices; prints every run and the median
 * per model and device (wall time of the child, TVM's import/build split), and the Java reader's time per model.
 *
 * <pre>TfliteBench work_dir devices(ml_c5,rk3399,rk3288) rounds cache_dir</pre>
 */
public final class TfliteBench {
    public static void main(String[] args) throws Exception {
        Path work = Files.createDirectories(Path.of(args[0]));
        List<String> devices = List.of(args[1].split(","));
        int rounds = Integer.parseInt(args[2]);
        Path cache = Path.of(args[3]);
        for (String model : List.of("mlp", "convnet")) {
            Path file = TfliteFixtures.dir().resolve(model + ".tflite");
            byte[] bytes = Files.readAllBytes(file);
            long t0 = System.nanoTime();
            int reads = 2000;
            TfliteModel m = null;
            for (int i = 0; i < reads; i++) m = TfliteModel.read(bytes);
            System.out.printf(Locale.ROOT, "READ model=%s bytes=%d java_reader_us=%.1f%n", model, bytes.length,
                    (System.nanoTime() - t0) / 1e3 / reads);
            TfliteModel.Io in = m.inputs().get(0);
            Map<String, List<double[]>> runs = new LinkedHashMap<>();
            for (int round = 0; round < rounds; round++) {
                for (String device : devices) {
                    CompilationTarget target = CompilationTargets.of(OutputConfig.builder().targetDevice(device).build());
                    TvmTarget t = TvmTarget.of(target, target.hostArch().orElseThrow());
                    Path dir = work.resolve(model + "-" + device + "-" + round);
                    long c0 = System.nanoTime();
                    TvmCompiler.Result r = TvmCompiler.compile(new TvmCompiler.Request("TFLITE", file,
                            List.of(new TvmCompiler.Input(in.name(), in.shape(), in.dtype())), t, dir.resolve("tvm"),
                            List.of()), dir.resolve("artifact"), cache, Duration.ofMinutes(20), StepRunner.HOST);
                    double wall = (System.nanoTime() - c0) / 1e9;
                    System.out.printf(Locale.ROOT, "COMPILE model=%s device=%s arch=%s cpu=%s round=%d total_s=%.2f "
                                    + "process_s=%.2f import_s=%.2f build_s=%.2f export_s=%.2f%n", model, device,
                            t.arch().id(), t.cpu(), round, wall, r.elapsed().toNanos() / 1e9, r.importSeconds(),
                            r.buildSeconds(), r.exportSeconds());
                    runs.computeIfAbsent(device, k -> new ArrayList<>()).add(new double[] {wall, r.buildSeconds()});
                }
            }
            runs.forEach((device, v) -> System.out.printf(Locale.ROOT, "MEDIAN model=%s device=%s total_s=%.2f "
                    + "build_s=%.2f rounds=%d%n", model, device, median(v, 0), median(v, 1), v.size()));
        }
    }

    private static double median(List<double[]> v, int k) {
        double[] s = v.stream().mapToDouble(a -> a[k]).sorted().toArray();
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
