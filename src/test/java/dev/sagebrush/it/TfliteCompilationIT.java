package dev.sagebrush.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sagebrush.compilation.tflite.TfliteTvmCompiler;
import dev.sagebrush.testsupport.Prerequisites;
import dev.sagebrush.testsupport.TfliteFixtures;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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

/**
 * TFLite models written by hand with the flatbuffers Builder (TfliteFixtures: a convnet and an MLP, random weights)
 * compiled through the API by TVM for an x86_64, an aarch64 and an armv7hf device: the server verifies against Arm NN
 * on the target; the test then runs the downloaded DLR artifact itself on its architecture (tvm_graph_run.c, natively
 * or under qemu) and compares with numpy's output. Hostile .tflite files end FAILED with Neo's words and nothing
 * published, and the server keeps answering.
 */
class TfliteCompilationIT {
    static final ObjectMapper JSON = new ObjectMapper();
    static ServerFixture fixture;
    static SageMakerClient sm;
    static S3Client s3;
    @TempDir static Path tmp;

    @BeforeAll
    static void start() throws Exception {
        Prerequisites.require(TfliteTvmCompiler.missing().isEmpty(), () -> String.join("; ", TfliteTvmCompiler.missing()));
        Path models = TfliteFixtures.dir();
        fixture = ServerFixture.start();
        sm = fixture.sagemaker();
        s3 = fixture.s3();
        s3.createBucket(b -> b.bucket("models"));
        for (String model : List.of("convnet", "mlp", "ops", "quant_u8", "quant_s8", "unverifiable")) {
            upload(model, Files.readAllBytes(models.resolve(model + ".tflite")));
        }
        byte[] mlp = Files.readAllBytes(models.resolve("mlp.tflite"));
        upload("truncated", java.util.Arrays.copyOf(mlp, mlp.length / 2));
        upload("huge", TfliteFixtures.patchShape(mlp, new int[] {1, 20},
                new int[] {1, 1 << 30}));
        byte[] loop = mlp.clone();     // the root offset points past the end
        ByteBuffer.wrap(loop).order(ByteOrder.LITTLE_ENDIAN).putInt(0, Integer.MAX_VALUE);
        upload("offsets", loop);
    }

    static void upload(String name, byte[] model) throws Exception {
        s3.putObject(b -> b.bucket("models").key("tflite/" + name + ".tar.gz"),
                RequestBody.fromBytes(Tarballs.create().file("model.tflite", model).bytes()));
    }

    @AfterAll
    static void stop() {
        if (s3 != null) s3.close();
        if (fixture != null) fixture.close();
    }

    static DescribeCompilationJobResponse compile(String name, String model, String config, String device) throws Exception {
        return CompilationJobApiIT.compileAndWait(sm, name, "tflite/" + model + ".tar.gz", Framework.TFLITE, config,
                o -> o.targetDevice(device));
    }

    @ParameterizedTest(name = "{0} for {1} ({2})")
    @CsvSource({
            "convnet, ml_c5,  x86_64,  image, ",
            "mlp,     ml_c5,  x86_64,  x,     '{\"x\": [1, 20]}'",
            "convnet, rk3399, aarch64, image, '{\"image\": [1, 16, 16, 3]}'",
            "mlp,     rk3399, aarch64, x,     ",
            "convnet, rk3288, armv7hf, image, ",
            "mlp,     rasp3b, armv7hf, x,     '{\"x\": [1, 20]}'",
    })
    void tfliteCompilesToADlrArtifactMatchingTheReference(String model, String device, String arch, String input,
                                                          String config) throws Exception {
        String job = "tflite-" + model + "-" + device.replace('_', '-');
        DescribeCompilationJobResponse d = compile(job, model, config, device);
        assertThat(d.failureReason()).isEmpty();   // Describe returns "" for a job that did not fail, as AWS does
        assertThat(d.compilationJobStatus()).isEqualTo(CompilationJobStatus.COMPLETED);
        String shape = model.equals("convnet") ? "[1,16,16,3]" : "[1,20]";
        if (config == null) {   // inferred from the model (NHWC as it declares it) and reported, as Neo does
            assertThat(d.derivedInformation().derivedDataInputConfig()).isEqualTo("{\"" + input + "\":" + shape + "}");
        }
        Path dir = CompilationJobApiIT.downloadArtifact(s3, d, tmp.resolve(job));
        try (var top = Files.list(dir)) {
            assertThat(top.map(p -> p.getFileName().toString()).sorted().toList()).containsExactly(
                    "compiled.meta", "compiled.params", "compiled.so", "compiled_model.json", "sagebrush");
        }
        JsonNode m = JSON.readTree(dir.resolve("sagebrush/manifest.json").toFile());
        assertThat(m.path("framework").asText()).isEqualTo("TFLITE");
        assertThat(m.path("target_arch").asText()).isEqualTo(arch);
        assertThat(m.path("compiler_command").asText()).startsWith("relay.frontend.from_tflite");
        assertThat(m.path("inputs").get(0).path("name").asText()).isEqualTo(input);
        assertThat(m.path("inputs").get(0).path("shape").toString()).isEqualTo(shape);
        assertThat(m.path("verification").path("status").asText()).isEqualTo("PASSED");
        assertThat(m.path("verification").path("reference").asText()).startsWith("Arm NN ");
        assertThat(m.path("verification").path("max_abs_diff").asDouble()).isLessThanOrEqualTo(1e-5);
        // The artifact, run on its architecture through the graph-executor harness, reproduces numpy.
        byte[] in = Files.readAllBytes(TfliteFixtures.dir().resolve(model + ".input.f32"));
        float[] data = XgboostCompilationIT.floats(in);
        float[] want = XgboostCompilationIT.floats(Files.readAllBytes(TfliteFixtures.dir().resolve(model + ".expected.f32")));
        float[] got = OnnxCompilationIT.runGraph(tmp, arch, dir, input, data);
        assertThat(got).hasSize(want.length);
        for (int i = 0; i < want.length; i++) {
            assertThat((double) got[i]).as("output %d", i).isCloseTo(want[i], org.assertj.core.data.Offset.offset(1e-5));
        }
    }

    /**
     * A float model of the newer operators (resize, strided slice, split, pack, leaky ReLU, max/min, ...) and two
     * quantized ones: uint8 end to end, and int8 (per-channel convolution weights) between QUANTIZE and DEQUANTIZE.
     * The server verifies against Arm NN (quantized outputs within 3 quantization steps); the test runs the artifact
     * on its architecture and compares with numpy (float: 1e-5; quantized: numpy emulates the arithmetic in floating
     * point and is itself up to 2 steps from Arm NN, so within 5).
     */
    @ParameterizedTest(name = "{0} for {1} ({2})")
    @CsvSource({
            "ops,      ml_c5,  x86_64,  x,     '[1,8,8,4]'",
            "ops,      rk3399, aarch64, x,     '[1,8,8,4]'",
            "ops,      rk3288, armv7hf, x,     '[1,8,8,4]'",
            "quant_u8, ml_c5,  x86_64,  image, '[1,8,8,3]'",
            "quant_u8, rk3399, aarch64, image, '[1,8,8,3]'",
            "quant_u8, rasp3b, armv7hf, image, '[1,8,8,3]'",
            "quant_s8, ml_c5,  x86_64,  x,     '[1,8,8,3]'",
            "quant_s8, rk3399, aarch64, x,     '[1,8,8,3]'",
            "quant_s8, rk3288, armv7hf, x,     '[1,8,8,3]'",
    })
    void newOperatorsAndQuantizedModelsCompileAndMatchTheReference(String model, String device, String arch,
                                                                  String input, String shape) throws Exception {
        String job = "tflite-" + model.replace('_', '-') + "-" + device.replace('_', '-');
        DescribeCompilationJobResponse d = compile(job, model, null, device);
        assertThat(d.failureReason()).isEmpty();
        assertThat(d.compilationJobStatus()).isEqualTo(CompilationJobStatus.COMPLETED);
        assertThat(d.derivedInformation().derivedDataInputConfig()).isEqualTo("{\"" + input + "\":" + shape + "}");
        Path dir = CompilationJobApiIT.downloadArtifact(s3, d, tmp.resolve(job));
        JsonNode m = JSON.readTree(dir.resolve("sagebrush/manifest.json").toFile());
        JsonNode v = m.path("verification");
        assertThat(v.path("status").asText()).as(v.toString()).isEqualTo("PASSED");
        assertThat(v.path("reference").asText()).startsWith("Arm NN ");
        boolean quantized = model.startsWith("quant");
        double step = quantized ? Double.parseDouble(Files.readString(TfliteFixtures.dir().resolve(model + ".step")))
                : 0;
        if (quantized) {
            assertThat(v.path("tolerance_rule").asText()).contains("quantized outputs within an absolute tolerance");
            assertThat(v.path("max_abs_diff").asDouble()).isLessThanOrEqualTo(3 * step * (1 + 1e-6));
            assertThat(m.path("compiler_command").asText()).contains("tflite_rounding.apply");
        } else {
            assertThat(v.path("max_abs_diff").asDouble()).isLessThanOrEqualTo(1e-5);
        }
        assertThat(m.path("inputs").get(0).path("dtype").asText()).isEqualTo(model.equals("quant_u8") ? "uint8"
                : "float32");
        byte[] in = Files.readAllBytes(TfliteFixtures.dir().resolve(model + ".input.bin"));
        float[] want = XgboostCompilationIT.floats(Files.readAllBytes(TfliteFixtures.dir().resolve(model + ".expected.f32")));
        byte[] out = OnnxCompilationIT.runGraph(tmp, arch, dir, input, in);
        float[] got = model.equals("quant_u8") ? unsigned(out) : XgboostCompilationIT.floats(out);
        assertThat(got).hasSize(want.length);
        double tolerance = quantized ? 5 * step * (1 + 1e-6) : 1e-5;
        for (int i = 0; i < want.length; i++) {
            assertThat((double) got[i]).as("output %d", i).isCloseTo(want[i], org.assertj.core.data.Offset.offset(tolerance));
        }
    }

    static float[] unsigned(byte[] b) {
        float[] f = new float[b.length];
        for (int i = 0; i < b.length; i++) f[i] = b[i] & 0xff;
        return f;
    }

    @Test
    void operatorsTheReferenceCannotRunFailNamingTheOperator() throws Exception {
        // PRELU, SQUARED_DIFFERENCE and RSQRT: TVM compiles them, Arm NN 20.08 (the reference) runs none of them
        DescribeCompilationJobResponse d = compile("tflite-unverifiable", "unverifiable", null, "ml_c5");
        assertThat(d.compilationJobStatus()).isEqualTo(CompilationJobStatus.FAILED);
        assertThat(d.failureReason()).startsWith("ClientError: CompilationError: The TFLite model uses the operator "
                + "PRELU, which TVM compiles but Arm NN").contains("cannot run, so the compiled model could not be verified");
        assertThat(s3.listObjectsV2(b -> b.bucket("models").prefix("compiled/tflite-unverifiable/")).contents()).isEmpty();
    }

    @Test
    void hostileModelsAreRefusedInNeosWordsAndTheServerCarriesOn() throws Exception {
        DescribeCompilationJobResponse d = compile("tflite-truncated", "truncated", null, "ml_c5");
        assertThat(d.failureReason()).startsWith("ClientError: InputConfiguration: The TFLite model model.tflite is "
                + "not a valid TFLite model: ");
        d = compile("tflite-huge", "huge", null, "ml_c5");
        assertThat(d.failureReason()).isEqualTo("ClientError: InputConfiguration: The TFLite model model.tflite is "
                + "not a valid TFLite model: tensor \"x\" of shape [1, 1073741824] is larger than 1024 MiB.");
        d = compile("tflite-offsets", "offsets", null, "rk3288");
        assertThat(d.failureReason()).contains("is outside the buffer");
        for (String job : List.of("tflite-truncated", "tflite-huge", "tflite-offsets")) {
            assertThat(s3.listObjectsV2(b -> b.bucket("models").prefix("compiled/" + job + "/")).contents()).isEmpty();
        }
        assertThat(sm.listCompilationJobs(r -> r.nameContains("tflite-")).compilationJobSummaries()).isNotEmpty();
    }

    @Test
    void dataInputConfigIsCheckedAgainstTheModelInNeosWords() throws Exception {
        DescribeCompilationJobResponse d = compile("tflite-wrong-shape", "convnet", "{\"image\": [1, 32, 32, 3]}", "ml_c5");
        assertThat(d.failureReason()).startsWith("ClientError: InputConfiguration: input \"image\" dimension 1 is "
                + "fixed to 16 by the model [1, 16, 16, 3] but DataInputConfig gives 32");
        d = compile("tflite-nchw", "convnet", "{\"image\": [1, 3, 16, 16]}", "ml_c5");
        assertThat(d.failureReason()).contains("TFLITE expects NHWC");
        d = compile("tflite-wrong-name", "mlp", "{\"input\": [1, 20]}", "ml_c5");
        assertThat(d.failureReason()).contains("names input \"input\", which the model does not have");
    }
}
