package dev.sagebrush.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sagebrush.compilation.pytorch.PyTorchTvmCompiler;
import dev.sagebrush.testsupport.Prerequisites;
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
 * TorchScript models (fixtures/make_torch_fixtures.py, committed) compiled through the API: converted to ONNX with
 * Debian's python3-torch in the sandbox, compiled by TVM for an x86_64, an aarch64 and an armv7hf device, verified
 * against torch on the target; the test runs the downloaded artifact on its architecture itself. Needs python3-torch
 * (the feature itself does).
 */
class PyTorchCompilationIT {
    static final ObjectMapper JSON = new ObjectMapper();
    static ServerFixture fixture;
    static SageMakerClient sm;
    static S3Client s3;
    @TempDir static Path tmp;

    @BeforeAll
    static void start() throws Exception {
        Prerequisites.require(PyTorchTvmCompiler.available(), () -> "Debian python3-torch (/usr/lib/python3/dist-packages/torch)");
        fixture = ServerFixture.start();
        sm = fixture.sagemaker();
        s3 = fixture.s3();
        s3.createBucket(b -> b.bucket("models"));
        for (String model : List.of("convnet", "mlp")) {
            s3.putObject(b -> b.bucket("models").key("torch/" + model + ".tar.gz"), RequestBody.fromBytes(
                    Tarballs.create().file("model.pth", XgboostCompilationIT.fixture("fixtures/pytorch/" + model + ".pt")).bytes()));
        }
    }

    @AfterAll
    static void stop() {
        if (s3 != null) s3.close();
        if (fixture != null) fixture.close();
    }

    static DescribeCompilationJobResponse compile(String name, String model, String config, String device) throws Exception {
        return CompilationJobApiIT.compileAndWait(sm, name, "torch/" + model + ".tar.gz", Framework.PYTORCH, config,
                o -> o.targetDevice(device));
    }

    @ParameterizedTest(name = "{0} for {1} ({2})")
    @CsvSource({
            "convnet, ml_c5,  x86_64,  '[[1, 3, 32, 32]]',         '1,3,32,32', 10",
            "mlp,     rk3399, aarch64, '{\"input0\": [1, 20]}',     '1,20',      8",
            "convnet, rk3288, armv7hf, '{\"input0\": [1, 3, 32, 32]}', '1,3,32,32', 10",
    })
    void torchScriptCompilesToADlrArtifactMatchingTorch(String model, String device, String arch, String config,
                                                        String shapeCsv, int outputs) throws Exception {
        String job = "torch-" + model + "-" + device.replace('_', '-');
        DescribeCompilationJobResponse d = compile(job, model, config, device);
        assertThat(d.failureReason()).isEmpty();
        assertThat(d.compilationJobStatus()).isEqualTo(CompilationJobStatus.COMPLETED);
        Path dir = CompilationJobApiIT.downloadArtifact(s3, d, tmp.resolve(job));
        try (var top = Files.list(dir)) {
            assertThat(top.map(p -> p.getFileName().toString()).sorted().toList()).containsExactly(
                    "compiled.meta", "compiled.params", "compiled.so", "compiled_model.json", "sagebrush");
        }
        JsonNode m = JSON.readTree(dir.resolve("sagebrush/manifest.json").toFile());
        assertThat(m.path("framework").asText()).isEqualTo("PYTORCH");
        assertThat(m.path("target_arch").asText()).isEqualTo(arch);
        assertThat(m.path("conversion").asText()).contains("torch.onnx.export");
        assertThat(m.path("inputs").get(0).path("name").asText()).isEqualTo("input0");
        assertThat(m.path("inputs").get(0).path("shape").toString()).isEqualTo("[" + shapeCsv + "]");
        assertThat(m.path("verification").path("status").asText()).isEqualTo("PASSED");
        assertThat(m.path("verification").path("reference").asText()).startsWith("torch ");
        assertThat(m.path("verification").path("max_abs_diff").asDouble()).isLessThanOrEqualTo(1e-5);
        // The artifact runs on its architecture through the graph executor shipped in the server jar.
        long[] shape = java.util.Arrays.stream(shapeCsv.split(",")).mapToLong(Long::parseLong).toArray();
        float[] data = new float[(int) java.util.Arrays.stream(shape).reduce(1, (a, b) -> a * b)];
        java.util.Random r = new java.util.Random(3);
        for (int i = 0; i < data.length; i++) data[i] = (float) r.nextGaussian();
        float[] got = OnnxCompilationIT.runGraph(tmp, arch, dir, "input0", data);
        assertThat(got).hasSize(outputs);
        for (float f : got) assertThat(Float.isFinite(f)).isTrue();
    }

    @Test
    void missingDataInputConfigFailsInNeosWords() throws Exception {
        DescribeCompilationJobResponse d = compile("torch-no-config", "mlp", null, "ml_c5");
        assertThat(d.compilationJobStatus()).isEqualTo(CompilationJobStatus.FAILED);
        assertThat(d.failureReason()).startsWith("ClientError: InputConfiguration: DataInputConfig is required for PYTORCH");
        d = compile("torch-nhwc", "convnet", "[[1, 32, 32, 3]]", "ml_c5");
        assertThat(d.failureReason()).contains("PYTORCH expects NCHW");
    }
}
