package dev.sagebrush.it;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sagebrush.storage.SafeArchive;
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
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sagemaker.SageMakerClient;
import software.amazon.awssdk.services.sagemaker.model.CompilationJobStatus;
import software.amazon.awssdk.services.sagemaker.model.DescribeCompilationJobResponse;
import software.amazon.awssdk.services.sagemaker.model.Framework;
import software.amazon.awssdk.services.sagemaker.model.OutputConfig;

/**
 * ONNX models compiled through the API: x86_64 and aarch64 jobs complete with an ORT-format model that the test
 * loads itself (x86_64) and checks against the original; every class of refusal ends FAILED with its reason and
 * nothing in the output location.
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
        for (String model : List.of("mlp", "convnet", "twoin")) {
            s3.putObject(b -> b.bucket("models").key("onnx/" + model + ".tar.gz"), RequestBody.fromBytes(
                    Tarballs.create().file(model + ".onnx", XgboostCompilationIT.fixture("fixtures/onnx/" + model + ".onnx")).bytes()));
        }
        byte[] tflite = {0x1c, 0, 0, 0, 'T', 'F', 'L', '3', 0, 0, 0, 0};
        s3.putObject(b -> b.bucket("models").key("tflite/model.tar.gz"),
                RequestBody.fromBytes(Tarballs.create().file("model.tflite", tflite).bytes()));
    }

    @AfterAll
    static void stop() {
        s3.close();
        fixture.close();
    }

    static DescribeCompilationJobResponse compile(String name, String key, Framework framework, String dataInputConfig,
                                                  java.util.function.Consumer<OutputConfig.Builder> target) throws Exception {
        sm.createCompilationJob(CompilationJobApiIT.job(name)
                .inputConfig(i -> i.s3Uri("s3://models/" + key).framework(framework).dataInputConfig(dataInputConfig))
                .outputConfig(o -> target.accept(o.s3OutputLocation("s3://models/compiled/" + name + "/")))
                .build());
        return Waits.until(() -> sm.describeCompilationJob(r -> r.compilationJobName(name)),
                d -> d.compilationJobStatus() == CompilationJobStatus.COMPLETED
                        || d.compilationJobStatus() == CompilationJobStatus.FAILED, java.time.Duration.ofMinutes(3));
    }

    static DescribeCompilationJobResponse onnx(String name, String model, String config, String device) throws Exception {
        return compile(name, "onnx/" + model + ".tar.gz", Framework.ONNX, config, o -> o.targetDevice(device));
    }

    static Path download(DescribeCompilationJobResponse d, String job) throws Exception {
        String key = d.modelArtifacts().s3ModelArtifacts().substring("s3://models/".length());
        Path archive = tmp.resolve(job + ".tar.gz");
        s3.getObject(b -> b.bucket("models").key(key), archive);
        Path dir = tmp.resolve(job);
        SafeArchive.extractTarGz(archive, dir, SafeArchive.Limits.DEFAULT);
        return dir;
    }

    static void assertFailedWithNothingPublished(DescribeCompilationJobResponse d, String job) {
        assertThat(d.compilationJobStatus()).isEqualTo(CompilationJobStatus.FAILED);
        assertThat(s3.listObjectsV2(b -> b.bucket("models").prefix("compiled/" + job + "/")).contents()).isEmpty();
    }

    @Test
    void x86ConvnetCompilesAndTheArtifactMatchesTheOriginalInOnnxRuntime() throws Exception {
        DescribeCompilationJobResponse d = onnx("onnx-convnet-c5", "convnet", "{\"image\": [2, 3, 32, 32]}", "ml_c5");
        assertThat(d.failureReason()).isNull();
        assertThat(d.compilationJobStatus()).isEqualTo(CompilationJobStatus.COMPLETED);
        assertThat(d.modelArtifacts().s3ModelArtifacts())
                .isEqualTo("s3://models/compiled/onnx-convnet-c5/convnet-ml_c5.tar.gz");
        assertThat(d.modelDigests().artifactDigest()).matches("blake2b:[0-9a-f]{128}");
        assertThat(d.derivedInformation()).isNull();
        Path dir = download(d, "onnx-convnet-c5");

        JsonNode m = JSON.readTree(dir.resolve("manifest.json").toFile());
        assertThat(m.path("framework").asText()).isEqualTo("ONNX");
        assertThat(m.path("target_arch").asText()).isEqualTo("x86_64");
        assertThat(m.path("triple").asText()).isEqualTo("x86_64-linux-gnu");
        assertThat(m.path("backend").asText()).isEqualTo("onnxruntime");
        assertThat(m.path("backend_version").asText()).isEqualTo("1.23.2");
        assertThat(m.path("optimization_level").asText()).isEqualTo("EXTENDED");
        assertThat(m.path("compiler_command").asText()).contains("setSymbolicDimensionValue(\"batch\", 2)");
        assertThat(m.path("inputs").get(0).path("shape").toString()).isEqualTo("[2,3,32,32]");
        assertThat(m.path("inputs").get(0).path("dtype").asText()).isEqualTo("float32");
        assertThat(m.path("outputs").get(0).path("shape").toString()).isEqualTo("[2,10]");
        assertThat(m.path("verification").path("status").asText()).isEqualTo("PASSED");
        assertThat(m.path("verification").path("max_abs_diff").asDouble()).isLessThanOrEqualTo(1e-5);
        assertThat(m.path("files").get(0).path("path").asText()).isEqualTo("model.ort");
        assertThat(XgboostCompilationIT.sha256(dir.resolve("model.ort"))).isEqualTo(m.path("files").get(0).path("sha256").asText());

        // The test's own check: model.ort and the original convnet.onnx on the same inputs.
        Path original = tmp.resolve("convnet.onnx");
        Files.write(original, XgboostCompilationIT.fixture("fixtures/onnx/convnet.onnx"));
        float[] input = new float[2 * 3 * 32 * 32];
        Random r = new Random(7);
        for (int i = 0; i < input.length; i++) input[i] = (float) r.nextGaussian();
        float[] want = run(original, "image", input, new long[] {2, 3, 32, 32});
        float[] got = run(dir.resolve("model.ort"), "image", input, new long[] {2, 3, 32, 32});
        assertThat(got).hasSize(20);
        for (int i = 0; i < want.length; i++) assertThat((double) got[i]).isCloseTo(want[i], org.assertj.core.data.Offset.offset(1e-5));
        try (OrtSession s = OrtEnvironment.getEnvironment().createSession(dir.resolve("model.ort").toString())) {
            assertThat(((ai.onnxruntime.TensorInfo) s.getInputInfo().get("image").getInfo()).getShape()).containsExactly(2, 3, 32, 32);
        }
    }

    @Test
    void aarch64JobIsVerifiedUnderQemuWithTheTargetsOwnRuntime() throws Exception {
        DescribeCompilationJobResponse d = onnx("onnx-mlp-m6g", "mlp", "{\"x\": [4, 16]}", "ml_m6g");
        assertThat(d.failureReason()).isNull();
        assertThat(d.compilationJobStatus()).isEqualTo(CompilationJobStatus.COMPLETED);
        Path dir = download(d, "onnx-mlp-m6g");
        JsonNode m = JSON.readTree(dir.resolve("manifest.json").toFile());
        assertThat(m.path("target_arch").asText()).isEqualTo("aarch64");
        assertThat(m.path("triple").asText()).isEqualTo("aarch64-linux-gnu");
        JsonNode v = m.path("verification");
        assertThat(v.path("status").asText()).isEqualTo("PASSED");
        assertThat(v.path("runner").asText()).contains("qemu-aarch64-static").contains("linux-aarch64/libonnxruntime.so")
                .contains("onnxruntime 1.23.2");
        assertThat(v.path("run_command").asText()).contains("qemu-aarch64-static -L /usr/aarch64-linux-gnu");
        assertThat(v.path("runner_compile_command").asText()).contains("aarch64-linux-gnu-gcc");
        assertThat(v.path("values").asLong()).isEqualTo(3 * 4 * 4);
        assertThat(v.path("max_abs_diff").asDouble()).isLessThanOrEqualTo(1e-5);

        // The test's own check: the downloaded model.ort in the jar's aarch64 runtime under qemu, through the runner
        // source shipped in the server jar, against host ONNX Runtime on the original mlp.onnx.
        Path work = Files.createDirectories(tmp.resolve("aarch64-check"));
        Files.write(work.resolve("ort_run.c"), XgboostCompilationIT.fixture("dev/sagebrush/compilation/onnx/ort_run.c"));
        Path lib = work.resolve("libonnxruntime.so");
        Files.write(lib, XgboostCompilationIT.fixture("ai/onnxruntime/native/linux-aarch64/libonnxruntime.so"));
        XgboostCompilationIT.exec(work, "aarch64-linux-gnu-gcc", "-O2", "-o", "ort_run", "ort_run.c", "-ldl");
        float[] input = new float[4 * 16];
        Random r = new Random(11);
        for (int i = 0; i < input.length; i++) input[i] = (float) (r.nextDouble() * 6 - 3);
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(input.length * 4).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (float f : input) b.putFloat(f);
        Files.write(work.resolve("x.bin"), b.array());
        Files.writeString(work.resolve("spec.txt"), "sets 1\ninputs 1\n1 2 4 16 x.bin\nx\noutputs 1\n1 2 4 4 y.bin\nprobs\n");
        XgboostCompilationIT.exec(work, "qemu-aarch64-static", "-L", "/usr/aarch64-linux-gnu", "./ort_run",
                lib.toString(), dir.resolve("model.ort").toString(), "spec.txt");
        float[] got = XgboostCompilationIT.floats(Files.readAllBytes(work.resolve("y.bin")));
        Path original = tmp.resolve("mlp.onnx");
        Files.write(original, XgboostCompilationIT.fixture("fixtures/onnx/mlp.onnx"));
        float[] want = run(original, "x", input, new long[] {4, 16});
        assertThat(got).hasSize(16);
        for (int i = 0; i < want.length; i++) assertThat((double) got[i]).isCloseTo(want[i], org.assertj.core.data.Offset.offset(1e-5));
    }

    @Test
    void absentDataInputConfigIsInferredAndReported() throws Exception {
        DescribeCompilationJobResponse d = onnx("onnx-twoin-inferred", "twoin", null, "ml_c5");
        assertThat(d.failureReason()).isNull();
        assertThat(d.derivedInformation().derivedDataInputConfig()).isEqualTo("{\"a\":[2,3],\"b\":[1,3]}");
        JsonNode m = JSON.readTree(download(d, "onnx-twoin-inferred").resolve("manifest.json").toFile());
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
    void armv7TargetsFailHonestly() throws Exception {
        DescribeCompilationJobResponse d = onnx("onnx-rasp3b", "mlp", "{\"x\": [1, 16]}", "rasp3b");
        assertFailedWithNothingPublished(d, "onnx-rasp3b");
        assertThat(d.failureReason()).startsWith("ClientError: CompilationError: Target rasp3b is 32-bit ARM")
                .contains("no 32-bit ARM build").contains("no TVM backend");
        d = compile("onnx-armhf", "onnx/mlp.tar.gz", Framework.ONNX, null,
                o -> o.targetPlatform(p -> p.os("LINUX").arch("ARM_EABIHF")));
        assertThat(d.failureReason()).contains("LINUX_ARM_EABIHF is 32-bit ARM");
    }

    @Test
    void gpuTargetsFailNamingTheMissingCodeGenerator() throws Exception {
        DescribeCompilationJobResponse d = onnx("onnx-p3", "mlp", "{\"x\": [1, 16]}", "ml_p3");
        assertFailedWithNothingPublished(d, "onnx-p3");
        assertThat(d.failureReason()).startsWith("ClientError: CompilationError: Target ml_p3 runs neural networks on its NVIDIA GPU")
                .contains("no CUDA/TensorRT code generator on this server");
        d = onnx("onnx-inf1", "mlp", null, "ml_inf1");
        assertThat(d.failureReason()).contains("no AWS Neuron code generator");
    }

    @Test
    void otherFrameworksFailListingWhatIsCompiled() throws Exception {
        DescribeCompilationJobResponse d = compile("tflite-job", "tflite/model.tar.gz", Framework.TFLITE,
                "{\"input\": [1, 224, 224, 3]}", o -> o.targetDevice("ml_c5"));
        assertFailedWithNothingPublished(d, "tflite-job");
        assertThat(d.failureReason()).isEqualTo("ClientError: CompilationError: Compiling TFLITE models is not supported "
                + "by this server. The archive holds a valid TFLITE model (model.tflite), but this server compiles only: "
                + "ONNX, XGBOOST.");
        d = compile("tflite-nchw", "tflite/model.tar.gz", Framework.TFLITE, "{\"input\": [1, 3, 224, 224]}",
                o -> o.targetDevice("ml_c5"));
        assertThat(d.failureReason()).contains("TFLITE expects NHWC");
    }

    @Test
    void stopKillsTheQemuVerifierAndPublishesNothing() throws Exception {
        // A large batch keeps the aarch64 run under qemu busy for several seconds: long enough to stop it mid-run.
        String job = "onnx-stop-rk3399";
        sm.createCompilationJob(CompilationJobApiIT.job(job)
                .inputConfig(i -> i.s3Uri("s3://models/onnx/convnet.tar.gz").framework(Framework.ONNX)
                        .dataInputConfig("{\"image\": [256, 3, 32, 32]}"))
                .outputConfig(o -> o.s3OutputLocation("s3://models/compiled/" + job + "/").targetDevice("rk3399"))
                .build());
        Waits.until(OnnxCompilationIT::qemuChildren, n -> n > 0, java.time.Duration.ofMinutes(2));
        sm.stopCompilationJob(r -> r.compilationJobName(job));
        DescribeCompilationJobResponse d = Waits.until(() -> sm.describeCompilationJob(r -> r.compilationJobName(job)),
                x -> x.compilationJobStatus() == CompilationJobStatus.STOPPED, java.time.Duration.ofMinutes(1));
        assertThat(d.compilationJobStatus()).isEqualTo(CompilationJobStatus.STOPPED);
        assertThat(qemuChildren()).isZero();
        assertThat(s3.listObjectsV2(b -> b.bucket("models").prefix("compiled/" + job + "/")).contents()).isEmpty();
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
