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
 * (wall time of the compiler process, and TVM's own import/build/export split), and for the first x86_64 device times
 * the artifact with TVM's graph executor (one thread) against the original model in ONNX Runtime with default
 * SessionOptions and one intra-op thread, in one process, interleaved ({@link TvmVsOrt}).
 *
 * <pre>TvmBench model.onnx input 1,3,224,224 work_dir devices(ml_c5,rk3399,...) batches cache_dir</pre>
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
        if (x86Artifact == null || rounds == 0) return;   // 0 batches: compile only

        System.out.println(TvmVsOrt.run(model, input, shape, cache, rounds,
                List.<String[]>of(new String[] {"tvm", x86Artifact.toString()})));
    }
}
