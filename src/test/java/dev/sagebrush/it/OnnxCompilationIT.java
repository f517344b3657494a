package dev.sagebrush.it;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sagemaker.SageMakerClient;
import software.amazon.awssdk.services.sagemaker.model.CompilationJobStatus;
import software.amazon.awssdk.services.sagemaker.model.DescribeCompilationJobResponse;
import software.amazon.awssdk.services.sagemaker.model.Framework;
import software.amazon.awssdk.services.sagemaker.model.OutputConfig;

/**
 * ONNX models compiled through the API with TVM: a convnet and an MLP for an x86_64, an aarch64 and an armv7hf device
 * complete with a DLR graph-executor artifact that the test runs itself on the target's architecture (natively or
 * under qemu) against ONNX Runtime on the original; every class of refusal ends FAILED with its reason and nothing in
 * the output location.
 */
class OnnxCompilationIT {
    static final ObjectMapper JSON = new ObjectMapper();
    static ServerFixture fixture;
    static SageMakerClient sm;
    static S3Client s3;
    @TempDir static Path tmp;

    @BeforeAll
    static void start() throws Exception {
        fixture = ServerFixture.start();
        sm = fixture.sagemaker();
        s3 = fixture.s3();
        s3.createBucket(b -> b.bucket("models"));
        for (String model : List.of("mlp", "convnet", "twoin", "resblock")) {
            s3.putObject(b -> b.bucket("models").key("onnx/" + model + ".tar.gz"), RequestBody.fromBytes(
                    Tarballs.create().file(model + ".onnx", XgboostCompilationIT.fixture("fixtures/onnx/" + model + ".onnx")).bytes()));
        }
        byte[] tflite = {0x1c, 0, 0, 0, 'T', 'F', 'L', '3', 0, 0, 0, 0};
        s3.putObject(b -> b.bucket("models").key("tflite/model.tar.gz"),
                RequestBody.fromBytes(Tarballs.create().file("model.tflite", tflite).bytes()));
        byte[] keras = {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n', 0, 0};
        s3.putObject(b -> b.bucket("models").key("keras/model.tar.gz"),
                RequestBody.fromBytes(Tarballs.create().file("model.h5", keras).bytes()));
    }

    @AfterAll
    static void stop() {
        s3.close();
        fixture.close();
    }

    static DescribeCompilationJobResponse compile(String name, String key, Framework framework, String dataInputConfig,
                                                  java.util.function.Consumer<OutputConfig.Builder> target) throws Exception {
        return CompilationJobApiIT.compileAndWait(sm, name, key, framework, dataInputConfig, target);
    }

    static DescribeCompilationJobResponse onnx(String name, String model, String config, String device) throws Exception {
        return compile(name, "onnx/" + model + ".tar.gz", Framework.ONNX, config, o -> o.targetDevice(device));
    }

    static Path download(DescribeCompilationJobResponse d, String job) throws Exception {
        return CompilationJobApiIT.downloadArtifact(s3, d, tmp.resolve(job));
    }

    static void assertFailedWithNothingPublished(DescribeCompilationJobResponse d, String job) {
        assertThat(d.compilationJobStatus()).isEqualTo(CompilationJobStatus.FAILED);
        assertThat(s3.listObjectsV2(b -> b.bucket("models").prefix("compiled/" + job + "/")).contents()).isEmpty();
    }

    @ParameterizedTest(name = "{0} for {1} ({2})")
    @CsvSource({
            "convnet, ml_c5,   x86_64,  '{\"image\": [2, 3, 32, 32]}', 'image', '2,3,32,32', '[2,10]'",
            "mlp,     ml_c5,   x86_64,  '{\"x\": [4, 16]}',            'x',     '4,16',      '[4,4]'",
            // 3x3 stride-1 convolutions with 16+ channels: Winograd with AVX-512 (ml_c5) and AVX2 (ml_c4)
            "resblock, ml_c5,  x86_64,  '{\"image\": [2, 16, 18, 22]}', 'image', '2,16,18,22', '[2,32,17,21]'",
            "resblock, ml_c4,  x86_64,  '{\"image\": [1, 16, 18, 22]}', 'image', '1,16,18,22', '[1,32,17,21]'",
            "convnet, rk3399,  aarch64, '{\"image\": [1, 3, 32, 32]}', 'image', '1,3,32,32', '[1,10]'",
            "mlp,     ml_m6g,  aarch64, '{\"x\": [4, 16]}',            'x',     '4,16',      '[4,4]'",
            "convnet, rk3288,  armv7hf, '{\"image\": [1, 3, 32, 32]}', 'image', '1,3,32,32', '[1,10]'",
            "mlp,     rasp3b,  armv7hf, '{\"x\": [4, 16]}',            'x',     '4,16',      '[4,4]'",
    })
    void tvmCompilesADlrArtifactThatMatchesTheOriginalOnItsTarget(String model, String device, String arch,
                                                                   String config, String input, String shapeCsv,
                                                                   String outShape) throws Exception {
        String job = "onnx-" + model + "-" + device.replace('_', '-');
        DescribeCompilationJobResponse d = onnx(job, model, config, device);
        assertThat(d.failureReason()).isEmpty();
        assertThat(d.compilationJobStatus()).isEqualTo(CompilationJobStatus.COMPLETED);
        assertThat(d.modelArtifacts().s3ModelArtifacts())
                .isEqualTo("s3://models/compiled/" + job + "/" + model + "-" + device + ".tar.gz");
        assertThat(d.modelDigests().artifactDigest()).matches("blake2b:[0-9a-f]{128}");
        assertThat(d.derivedInformation()).isNull();
        Path dir = download(d, job);

        // DLR's graph-executor layout, nothing else at the top level.
        try (var top = Files.list(dir)) {
            assertThat(top.map(p -> p.getFileName().toString()).sorted().toList()).containsExactly(
                    "compiled.meta", "compiled.params", "compiled.so", "compiled_model.json", "sagebrush");
        }
        JsonNode meta = JSON.readTree(dir.resolve("compiled.meta").toFile());
        assertThat(meta.path("Requirements").path("TargetDeviceType").asText()).isEqualTo("cpu");
        assertThat(meta.path("Model").path("Inputs").get(0).path("name").asText()).isEqualTo(input);
        JsonNode m = JSON.readTree(dir.resolve("sagebrush/manifest.json").toFile());
        assertThat(m.path("framework").asText()).isEqualTo("ONNX");
        assertThat(m.path("target_arch").asText()).isEqualTo(arch);
        assertThat(m.path("backend").asText()).isEqualTo("tvm");
        assertThat(m.path("backend_version").asText()).startsWith("0.18.0");
        assertThat(m.path("llvm_target").asText()).contains("-mcpu=" + m.path("cpu").asText());
        assertThat(m.path("inputs").get(0).path("shape").toString()).isEqualTo("[" + shapeCsv + "]");
        assertThat(m.path("outputs").get(0).path("shape").toString()).isEqualTo(outShape);
        JsonNode v = m.path("verification");
        assertThat(v.path("status").asText()).isEqualTo("PASSED");
        assertThat(v.path("max_abs_diff").asDouble()).isLessThanOrEqualTo(1e-5);
        if (!arch.equals("x86_64")) assertThat(v.path("run_command").asText()).contains("qemu-");
        else assertThat(v.path("tvm_runtime").path("status").asText()).isEqualTo("PASSED");
        for (JsonNode f : m.path("files")) {
            assertThat(XgboostCompilationIT.sha256(dir.resolve(f.path("path").asText()))).isEqualTo(f.path("sha256").asText());
        }
        byte[] so = Files.readAllBytes(dir.resolve("compiled.so"));
        int machine = (so[18] & 0xff) | (so[19] & 0xff) << 8;
        assertThat(machine).isEqualTo(switch (arch) { case "x86_64" -> 62; case "aarch64" -> 183; default -> 40; });

        // The test's own check on the target CPU: the downloaded compiled.so + compiled.params + graph run by the
        // graph executor shipped in the server jar, built here with the target's gcc, against ONNX Runtime on the
        // original model.
        long[] shape = java.util.Arrays.stream(shapeCsv.split(",")).mapToLong(Long::parseLong).toArray();
        int n = (int) java.util.Arrays.stream(shape).reduce(1, (a, b) -> a * b);
        float[] data = new float[n];
        Random r = new Random(11);
        for (int i = 0; i < n; i++) data[i] = (float) r.nextGaussian();
        Path original = tmp.resolve(model + ".onnx");
        Files.write(original, XgboostCompilationIT.fixture("fixtures/onnx/" + model + ".onnx"));
        float[] want = run(original, input, data, shape);
        float[] got = runGraph(tmp, arch, dir, input, data);
        assertThat(got).hasSize(want.length);
        for (int i = 0; i < want.length; i++) assertThat((double) got[i]).isCloseTo(want[i], org.assertj.core.data.Offset.offset(1e-5));
    }

    /** Runs a downloaded DLR graph-executor artifact on its architecture with tvm_graph_run.c; returns output 0. */
    static float[] runGraph(Path tmpDir, String arch, Path dir, String input, float[] data) throws Exception {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(data.length * 4).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (float f : data) b.putFloat(f);
        return XgboostCompilationIT.floats(runGraph(tmpDir, arch, dir, input, b.array()));
    }

    /** The artifact run on {@code arch} by the graph-executor harness: raw input bytes in, output 0's bytes out. */
    static byte[] runGraph(Path tmpDir, String arch, Path dir, String input, byte[] data) throws Exception {
        Path work = Files.createTempDirectory(tmpDir, "graph-" + arch);
        Files.write(work.resolve("run.c"), XgboostCompilationIT.fixture("dev/sagebrush/compilation/tvm/tvm_graph_run.c"));
        dev.sagebrush.compilation.tvm.GraphPlan.write(dir.resolve("compiled_model.json"), List.of(input),
                work.resolve("plan.txt"));
        Files.write(work.resolve("in.bin"), data);
        XgboostCompilationIT.exec(work, XgboostCompilationIT.gcc(arch), "-O2", "-o", "harness", "run.c", "-ldl", "-lm");
        List<String> cmd = new java.util.ArrayList<>(XgboostCompilationIT.runPrefix(arch));
        cmd.addAll(List.of(dir.toAbsolutePath().toString(), "plan.txt", "out-", "in.bin"));
        XgboostCompilationIT.exec(work, cmd.toArray(String[]::new));
        return Files.readAllBytes(work.resolve("out-0.bin"));
    }

    @Test
    void absentDataInputConfigIsInferredAndReported() throws Exception {
        DescribeCompilationJobResponse d = onnx("onnx-twoin-inferred", "twoin", null, "ml_c5");
        assertThat(d.failureReason()).isEmpty();
        assertThat(d.derivedInformation().derivedDataInputConfig()).isEqualTo("{\"a\":[2,3],\"b\":[1,3]}");
        JsonNode m = JSON.readTree(download(d, "onnx-twoin-inferred").resolve("sagebrush/manifest.json").toFile());
        assertThat(m.path("data_input_config_inferred").asBoolean()).isTrue();
        assertThat(m.path("notes").toString()).contains("symbolic dimension \\\"batch\\\" was set to 1");
    }

    @Test
    void dataInputConfigMismatchFailsNamingIt() throws Exception {
        DescribeCompilationJobResponse d = onnx("onnx-bad-config", "convnet", "{\"image\": [1, 3, 224, 224]}", "ml_c5");
        assertFailedWithNothingPublished(d, "onnx-bad-config");
        assertThat(d.failureReason()).startsWith("ClientError: InputConfiguration: ")
                .contains("input \"image\" dimension 2 is fixed to 32 by the model [batch, 3, 32, 32] but DataInputConfig gives 224");
        d = onnx("onnx-bad-name", "mlp", "{\"input0\": [1, 16]}", "ml_c5");
        assertThat(d.failureReason()).contains("names input \"input0\", which the model does not have")
                .contains("no shape for model input \"x\" [N, 16]");
        d = onnx("onnx-bad-json", "mlp", "{\"x\": [1, 16]", "ml_c5");
        assertThat(d.failureReason()).startsWith("ClientError: InputConfiguration: DataInputConfig is not valid JSON: ");
    }

    @Test
    void gpuTargetsGetCodeForTheirHostCpuAndSaySo() throws Exception {
        DescribeCompilationJobResponse d = onnx("onnx-p3", "mlp", "{\"x\": [1, 16]}", "ml_p3");
        assertThat(d.failureReason()).isEmpty();
        assertThat(d.compilationJobStatus()).isEqualTo(CompilationJobStatus.COMPLETED);
        JsonNode m = JSON.readTree(download(d, "onnx-p3").resolve("sagebrush/manifest.json").toFile());
        assertThat(m.path("target_arch").asText()).isEqualTo("x86_64");
        assertThat(m.path("note").asText()).contains("NVIDIA GPU").contains("host CPU");
        d = compile("onnx-win", "onnx/mlp.tar.gz", Framework.ONNX, null, o -> o.targetDevice("x86_win64"));
        assertFailedWithNothingPublished(d, "onnx-win");
        assertThat(d.failureReason()).startsWith("ClientError: CompilationError: Target x86_win64 is not supported");
    }

    @Test
    void otherFrameworksFailListingWhatIsCompiled() throws Exception {
        DescribeCompilationJobResponse d = compile("keras-job", "keras/model.tar.gz", Framework.KERAS,
                "{\"input\": [1, 3, 224, 224]}", o -> o.targetDevice("ml_c5"));
        assertFailedWithNothingPublished(d, "keras-job");
        assertThat(d.failureReason()).isEqualTo("ClientError: CompilationError: Compiling KERAS models is not supported "
                + "by this server. The archive holds a valid KERAS model (model.h5), but this server compiles only: "
                + "ONNX, PYTORCH, TFLITE, XGBOOST.");
        // TFLITE is compiled (TfliteCompilationIT); a file with only the identifier is refused by the Java reader.
        d = compile("tflite-job", "tflite/model.tar.gz", Framework.TFLITE, "{\"input\": [1, 224, 224, 3]}",
                o -> o.targetDevice("ml_c5"));
        assertFailedWithNothingPublished(d, "tflite-job");
        assertThat(d.failureReason()).startsWith("ClientError: InputConfiguration: The TFLite model model.tflite is "
                + "not a valid TFLite model: ");
        d = compile("tflite-nchw", "tflite/model.tar.gz", Framework.TFLITE, "{\"input\": [1, 3, 224, 224]}",
                o -> o.targetDevice("ml_c5"));
        assertThat(d.failureReason()).contains("TFLITE expects NHWC");
    }

    @Test
    void stopKillsTheTvmCompilerAndPublishesNothing() throws Exception {
        // Stopped while TVM compiles in its child process: the child is killed and nothing is published.
        String job = "onnx-stop-rk3399";
        sm.createCompilationJob(CompilationJobApiIT.job(job)
                .inputConfig(i -> i.s3Uri("s3://models/onnx/convnet.tar.gz").framework(Framework.ONNX)
                        .dataInputConfig("{\"image\": [256, 3, 32, 32]}"))
                .outputConfig(o -> o.s3OutputLocation("s3://models/compiled/" + job + "/").targetDevice("rk3399"))
                .build());
        Waits.until(OnnxCompilationIT::tvmChildren, n -> n > 0, java.time.Duration.ofMinutes(2));
        sm.stopCompilationJob(r -> r.compilationJobName(job));
        DescribeCompilationJobResponse d = Waits.until(() -> sm.describeCompilationJob(r -> r.compilationJobName(job)),
                x -> x.compilationJobStatus() == CompilationJobStatus.STOPPED, java.time.Duration.ofMinutes(1));
        assertThat(d.compilationJobStatus()).isEqualTo(CompilationJobStatus.STOPPED);
        assertThat(tvmChildren()).isZero();
        assertThat(qemuChildren()).isZero();
        assertThat(s3.listObjectsV2(b -> b.bucket("models").prefix("compiled/" + job + "/")).contents()).isEmpty();
    }

    static long tvmChildren() {
        return ProcessHandle.current().descendants().filter(ProcessHandle::isAlive)
                .filter(p -> p.info().arguments().map(a -> String.join(" ", a)).orElse("").contains("TvmWorker")).count();
    }

    static long qemuChildren() {
        return ProcessHandle.current().descendants().filter(ProcessHandle::isAlive)
                .filter(p -> p.info().command().orElse("").endsWith("qemu-aarch64-static")).count();
    }

    static float[] run(Path model, String input, float[] data, long[] shape) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession s = env.createSession(model.toString());
             OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(data), shape);
             OrtSession.Result r = s.run(Map.of(input, t))) {
            return ((OnnxTensor) r.get(0)).getFloatBuffer().array();
        }
    }
}
