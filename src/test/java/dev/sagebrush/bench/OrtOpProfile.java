package dev.sagebrush.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * ONNX Runtime's own per-node times for a model, run as {@link TvmVsOrt} runs it (default SessionOptions, one
 * intra-op thread): the counterpart of bench/tvm/profile_ops.py, to see which operators a TVM artifact loses on.
 * Profiling is ONNX Runtime's ({@code enableProfiling}); the minimum over the runs is kept per node.
 *
 * <pre>OrtOpProfile model.onnx input 1,3,224,224 runs profile_dir</pre>
 */
public final class OrtOpProfile {
    private OrtOpProfile() {}

    public static void main(String[] args) throws Exception {
        long[] shape = Arrays.stream(args[2].split(",")).mapToLong(Long::parseLong).toArray();
        int runs = Integer.parseInt(args[3]);
        Path dir = Files.createDirectories(Path.of(args[4]));
        float[] data = new float[(int) Arrays.stream(shape).reduce(1, (a, b) -> a * b)];
        Random rnd = new Random(7);
        for (int i = 0; i < data.length; i++) data[i] = (float) rnd.nextGaussian();
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        String file;
        try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
            so.setIntraOpNumThreads(1);
            so.enableProfiling(dir.resolve("ort").toString());
            try (OrtSession s = env.createSession(args[0], so);
                 OnnxTensor x = OnnxTensor.createTensor(env, FloatBuffer.wrap(data), shape)) {
                for (int i = 0; i < runs; i++) s.run(Map.of(args[1], x)).close();
                file = s.endProfiling();
            }
        }
        // Chrome trace events; a node's compute is the "Node" event named <node>_kernel_time
        Map<String, Long> best = new LinkedHashMap<>();
        Map<String, String> what = new LinkedHashMap<>();
        for (JsonNode e : new ObjectMapper().readTree(Path.of(file).toFile())) {
            String name = e.path("name").asText();
            if (!"Node".equals(e.path("cat").asText()) || !name.endsWith("_kernel_time")) continue;
            String node = name.substring(0, name.length() - "_kernel_time".length());
            best.merge(node, e.path("dur").asLong(), Math::min);
            what.putIfAbsent(node, e.path("args").path("op_name").asText() + " "
                    + e.path("args").path("output_type_shape").toString());
        }
        System.out.printf(Locale.ROOT, "TOTAL_US %d nodes %d runs %d%n",
                best.values().stream().mapToLong(Long::longValue).sum(), best.size(), runs);
        best.forEach((node, us) -> System.out.printf(Locale.ROOT, "%9d  %s  %s%n", us, node, what.get(node)));
    }
}
