package dev.sagebrush.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sagemaker.SageMakerClient;
import software.amazon.awssdk.services.sagemaker.model.CompilationJobStatus;
import software.amazon.awssdk.services.sagemaker.model.DescribeCompilationJobResponse;
import software.amazon.awssdk.services.sagemaker.model.Framework;

/**
 * XGBoost models compiled through the API for each CPU architecture: the test downloads the artifact, checks its
 * manifest, digests and ELF header, builds its own harness with the target's gcc, runs the library on the target
 * (natively or under qemu-user) and compares its margins with xgboost's own, bit for bit.
 */
class XgboostCompilationIT {
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
        for (String model : List.of("binary_logistic.json", "multi_softprob.ubj", "dart.model", "categorical.json")) {
            byte[] bytes = fixture("fixtures/xgboost/" + model);
            s3.putObject(b -> b.bucket("models").key("xgb/" + model.replace('.', '-') + ".tar.gz"),
                    RequestBody.fromBytes(Tarballs.create().file(model, bytes).bytes()));
        }
    }

    @AfterAll
    static void stop() {
        s3.close();
        fixture.close();
    }

    static byte[] fixture(String path) throws IOException {
        try (InputStream in = XgboostCompilationIT.class.getClassLoader().getResourceAsStream(path)) {
            return in.readAllBytes();
        }
    }

    static DescribeCompilationJobResponse compile(String name, String model, String device) throws Exception {
        sm.createCompilationJob(CompilationJobApiIT.job(name)
                .inputConfig(i -> i.s3Uri("s3://models/xgb/" + model.replace('.', '-') + ".tar.gz").framework(Framework.XGBOOST))
                .outputConfig(o -> o.s3OutputLocation("s3://models/compiled/" + name + "/").targetDevice(device))
                .build());
        return CompilationJobApiIT.untilEnded(sm, name, java.time.Duration.ofMinutes(3));
    }

    @ParameterizedTest(name = "{0} on {1} ({2})")
    @CsvSource({
            "binary_logistic.json, ml_c5,       x86_64,  62",
            "multi_softprob.ubj,   rk3399,      aarch64, 183",
            "dart.model,           ml_m6g,      aarch64, 183",
            "binary_logistic.json, rasp3b,      armv7hf, 40",
            "multi_softprob.ubj,   rk3288,      armv7hf, 40",
    })
    void compiledArtifactRunsOnItsTargetAndMatchesXgboost(String model, String device, String arch, int elfMachine) throws Exception {
        String job = "xgb-" + model.substring(0, model.indexOf('.')).replace('_', '-') + "-" + device.replace('_', '-');
        DescribeCompilationJobResponse d = compile(job, model, device);
        assertThat(d.failureReason()).isEmpty();
        assertThat(d.compilationJobStatus()).isEqualTo(CompilationJobStatus.COMPLETED);
        String expectedKey = "compiled/" + job + "/" + model.replace('.', '-') + "-" + device + ".tar.gz";
        assertThat(d.modelArtifacts().s3ModelArtifacts()).isEqualTo("s3://models/" + expectedKey);
        assertThat(d.modelDigests().artifactDigest()).matches("blake2b:[0-9a-f]{128}");

        Path dir = CompilationJobApiIT.downloadArtifact(s3, d, tmp.resolve(job));

        // A DLR model directory: only DLR's files at the top, everything of ours under sagebrush/.
        try (var top = Files.list(dir)) {
            assertThat(top.map(p -> p.getFileName().toString()).sorted().toList())
                    .containsExactly("compiled.meta", "compiled.so", "sagebrush");
        }
        JsonNode meta = JSON.readTree(dir.resolve("compiled.meta").toFile());
        assertThat(meta.path("Requirements").path("TargetDeviceType").asText()).isEqualTo("cpu");
        assertThat(meta.path("Model").path("SparseInput").asText()).isEqualTo("0");
        JsonNode manifest = JSON.readTree(dir.resolve("sagebrush/manifest.json").toFile());
        assertThat(manifest.path("framework").asText()).isEqualTo("XGBOOST");
        assertThat(manifest.path("target").asText()).isEqualTo(device);
        assertThat(manifest.path("target_arch").asText()).isEqualTo(arch);
        assertThat(manifest.path("backend").asText()).isEqualTo("tree-c");
        assertThat(manifest.path("compiler_command").asText()).contains("-O2");
        assertThat(manifest.path("verification").path("status").asText()).isEqualTo("PASSED");
        assertThat(manifest.path("verification").path("edge_rows").asInt()).isPositive();
        assertThat(manifest.path("verification").path("dlr_harness_report").asText()).contains("backend=treelite");
        assertThat(manifest.path("dlr").path("backend").asText()).isEqualTo("treelite");
        for (JsonNode f : manifest.path("files")) {
            Path p = dir.resolve(f.path("path").asText());
            assertThat(Files.size(p)).isEqualTo(f.path("size").asLong());
            assertThat(sha256(p)).isEqualTo(f.path("sha256").asText());
        }
        assertThat(dir.resolve("sagebrush/src/model.c")).exists();
        Path so = dir.resolve("compiled.so");
        byte[] header = Files.readAllBytes(so);
        assertThat(header[0] == 0x7f && header[1] == 'E' && header[2] == 'L' && header[3] == 'F').isTrue();
        assertThat(ByteBuffer.wrap(header, 18, 2).order(ByteOrder.LITTLE_ENDIAN).getShort()).isEqualTo((short) elfMachine);

        String base = model.substring(0, model.indexOf('.'));
        float[] margins = runOnTarget(arch, so, fixture("fixtures/xgboost/" + base + ".rows.f32"));
        float[] expected = floats(fixture("fixtures/xgboost/" + base + ".margin.f32"));
        assertThat(margins.length).isEqualTo(expected.length);
        for (int i = 0; i < expected.length; i++) {
            assertThat(Float.floatToRawIntBits(margins[i])).as("margin %d", i).isEqualTo(Float.floatToRawIntBits(expected[i]));
        }

        // The downloaded directory as DLR loads it: backend chosen from its files, the Treelite symbols of both
        // generations, union Entry rows, pred_margin = 0. Its outputs are xgboost's predictions, bit for bit.
        int numFeature = manifest.path("model").path("num_feature").asInt();
        float[] dlrPred = runThroughDlr(arch, dir, fixture("fixtures/xgboost/" + base + ".rows.f32"), numFeature);
        float[] expectedPred = floats(fixture("fixtures/xgboost/" + base + ".pred.f32"));
        assertThat(dlrPred.length).isEqualTo(expectedPred.length);
        for (int i = 0; i < expectedPred.length; i++) {
            assertThat(Float.floatToRawIntBits(dlrPred[i])).as("DLR output %d", i)
                    .isEqualTo(Float.floatToRawIntBits(expectedPred[i]));
        }
    }

    /** Builds the committed DLR harness (dlr_treelite_harness.c) for the arch and runs it on a model directory. */
    static float[] runThroughDlr(String arch, Path modelDir, byte[] rows, int numFeature) throws Exception {
        Path work = Files.createTempDirectory(tmp, "dlr-" + arch);
        Files.write(work.resolve("harness.c"), fixture("dev/sagebrush/compilation/xgboost/dlr_treelite_harness.c"));
        Files.write(work.resolve("rows.f32"), rows);
        exec(work, gcc(arch), "-O2", "-o", "harness", "harness.c", "-ldl", "-lm");
        List<String> cmd = new java.util.ArrayList<>(runPrefix(arch));
        cmd.addAll(List.of(modelDir.toAbsolutePath().toString(), "rows.f32", Integer.toString(numFeature),
                "margin.f32", "pred.f32"));
        exec(work, cmd.toArray(String[]::new));
        return floats(Files.readAllBytes(work.resolve("pred.f32")));
    }

    static String gcc(String arch) {
        return switch (arch) {
            case "x86_64" -> "gcc";
            case "aarch64" -> "aarch64-linux-gnu-gcc";
            default -> "arm-linux-gnueabihf-gcc";
        };
    }

    static List<String> runPrefix(String arch) {
        return switch (arch) {
            case "x86_64" -> List.of("./harness");
            case "aarch64" -> List.of("qemu-aarch64-static", "-L", "/usr/aarch64-linux-gnu", "./harness");
            default -> List.of("qemu-arm-static", "-L", "/usr/arm-linux-gnueabihf", "./harness");
        };
    }

    @Test
    void gpuTargetGetsHostCpuCodeAndSaysSo() throws Exception {
        DescribeCompilationJobResponse d = compile("xgb-on-p3", "binary_logistic.json", "ml_p3");
        assertThat(d.compilationJobStatus()).isEqualTo(CompilationJobStatus.COMPLETED);
        CompilationJobApiIT.downloadArtifact(s3, d, tmp.resolve("p3"));
        JsonNode manifest = JSON.readTree(tmp.resolve("p3/sagebrush/manifest.json").toFile());
        assertThat(manifest.path("target_arch").asText()).isEqualTo("x86_64");
        assertThat(manifest.path("note").asText()).contains("host CPU").contains("NVIDIA GPU");
    }

    @Test
    void windowsTargetsFailHonestly() throws Exception {
        DescribeCompilationJobResponse d = compile("xgb-on-win", "binary_logistic.json", "x86_win64");
        assertThat(d.compilationJobStatus()).isEqualTo(CompilationJobStatus.FAILED);
        assertThat(d.failureReason()).startsWith("ClientError: CompilationError: Target x86_win64 is not supported")
                .contains("Windows");
        assertThat(s3.listObjectsV2(b -> b.bucket("models").prefix("compiled/xgb-on-win/")).contents()).isEmpty();
    }

    @Test
    void categoricalModelsFailWithTheReason() throws Exception {
        DescribeCompilationJobResponse d = compile("xgb-categorical", "categorical.json", "ml_c5");
        assertThat(d.compilationJobStatus()).isEqualTo(CompilationJobStatus.FAILED);
        assertThat(d.failureReason()).startsWith("ClientError: InputConfiguration: ").containsIgnoringCase("categorical");
    }

    static float[] runOnTarget(String arch, Path so, byte[] rows) throws Exception {
        Path work = Files.createTempDirectory(tmp, arch);
        Path harness = work.resolve("harness.c");
        Files.write(harness, fixture("dev/sagebrush/compilation/xgboost/neo_harness.c"));
        Files.write(work.resolve("rows.f32"), rows);
        exec(work, gcc(arch), "-O2", "-o", "harness", "harness.c", "-ldl");
        List<String> cmd = new java.util.ArrayList<>(runPrefix(arch));
        cmd.addAll(List.of(so.toAbsolutePath().toString(), "rows.f32", "margin.f32", "pred.f32"));
        exec(work, cmd.toArray(String[]::new));
        return floats(Files.readAllBytes(work.resolve("margin.f32")));
    }

    static void exec(Path dir, String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(String.join(" ", cmd) + "\n" + out).isZero();
    }

    static float[] floats(byte[] b) {
        ByteBuffer buf = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        float[] f = new float[b.length / 4];
        for (int i = 0; i < f.length; i++) f[i] = buf.getFloat();
        return f;
    }

    static String sha256(Path p) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p)));
    }
}
