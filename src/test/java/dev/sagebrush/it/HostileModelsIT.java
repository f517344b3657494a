package dev.sagebrush.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sagebrush.compilation.toolchain.TargetArch;
import dev.sagebrush.compilation.toolchain.Toolchain;
import dev.sagebrush.testsupport.Prerequisites;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sagemaker.SageMakerClient;
import software.amazon.awssdk.services.sagemaker.model.CompilationJobStatus;
import software.amazon.awssdk.services.sagemaker.model.DescribeCompilationJobResponse;
import software.amazon.awssdk.services.sagemaker.model.Framework;
import software.amazon.awssdk.services.sagemaker.model.SageMakerException;

/**
 * Issue 8, finding 3: one request that made the server permanently unresponsive, each through the real API. On main
 * the regex and the UBJSON file ran the server out of memory (the regex killed the accept thread), the num_feature
 * models allocated per feature until OutOfMemoryError, the NaN leaf failed as InternalServerError and the gzip bomb
 * was written out up to 4 GiB. Now each is refused while it is read, as a ValidationException or a ClientError, and
 * after each the server still answers a signed call.
 */
class HostileModelsIT {
    static ServerFixture fixture;
    static SageMakerClient sm;
    static S3Client s3;

    @BeforeAll
    static void start() {
        fixture = ServerFixture.start(c -> c.withCompileWorkers(1));
        sm = fixture.sagemaker();
        s3 = fixture.s3();
        s3.createBucket(b -> b.bucket("hostile"));
    }

    @AfterAll
    static void stop() {
        s3.close();
        sm.close();
        fixture.close();
    }

    static void assertServerAnswers() {
        assertThat(sm.listCompilationJobs(r -> r.maxResults(1)).sdkHttpResponse().statusCode()).isEqualTo(200);
    }

    @Test
    void aMetricRegexThatExpandsToBillionsOfInstructionsIsRefusedAtCreate() {
        for (String regex : new String[] {"((a{1000}){1000}){1000}", "(x{1000}){1000}", "[0-9]{1000}[a-z]{1000}(q{999}){3}"}) {
            assertThatThrownBy(() -> sm.createTrainingJob(TrainingFixture.job("regex-bomb", "ok")
                    .algorithmSpecification(a -> a.trainingImage(TrainingFixture.IMAGE).trainingInputMode("File")
                            .metricDefinitions(m -> m.name("loss").regex(regex))).build()))
                    .isInstanceOfSatisfying(SageMakerException.class, e -> {
                        assertThat(e.awsErrorDetails().errorCode()).isEqualTo("ValidationException");
                        assertThat(e.getMessage()).contains("metric 'loss' is too large");
                    });
            assertServerAnswers();
        }
    }

    @Test
    void aHugeNumFeatureInALegacyBinaryModelIsAClientError() throws Exception {
        byte[] model = fixtureBytes("fixtures/xgboost/binary_logistic.model");
        int start = ByteBuffer.wrap(model).order(ByteOrder.LITTLE_ENDIAN).getInt(0) == 0x666e6962 ? 4 : 0;
        ByteBuffer.wrap(model).order(ByteOrder.LITTLE_ENDIAN).putInt(start + 4, Integer.MAX_VALUE);
        DescribeCompilationJobResponse d = compile("legacy-features", "xgboost-model", model);
        assertThat(d.failureReason()).startsWith("ClientError: InputConfiguration:").contains("num_feature=2147483647");
        assertServerAnswers();
    }

    @Test
    void aHugeNumFeatureOrNumClassInAJsonModelIsAClientError() throws Exception {
        String json = new String(fixtureBytes("fixtures/xgboost/binary_logistic.json"), StandardCharsets.UTF_8);
        DescribeCompilationJobResponse features = compile("json-features", "model.json",
                json.replace("\"num_feature\":\"10\"", "\"num_feature\":\"2147483647\"").getBytes(StandardCharsets.UTF_8));
        assertThat(features.failureReason()).startsWith("ClientError: InputConfiguration:").contains("num_feature");
        DescribeCompilationJobResponse classes = compile("json-classes", "model.json",
                json.replace("\"num_class\":\"0\"", "\"num_class\":\"2000000000\"")
                        .replace("binary:logistic", "multi:softprob").getBytes(StandardCharsets.UTF_8));
        assertThat(classes.failureReason()).startsWith("ClientError: InputConfiguration:").contains("num_class");
        assertServerAnswers();
    }

    @Test
    void ubjsonNullContainersThatCostNoBytesAreAClientError() throws Exception {
        // {"learner": [$[#l N  then N arrays of  $Z#l M : every null costs 0 bytes; 1.2 MB declares ~10^11 values.
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(new byte[] {'{', 'U', 7});
        out.write("learner".getBytes(StandardCharsets.US_ASCII));
        int n = 170_000;
        out.write(new byte[] {'[', '$', '[', '#', 'l'});
        out.write(ByteBuffer.allocate(4).putInt(n).array());
        for (int i = 0; i < n; i++) {
            int remaining = (n - i - 1) * 8;
            out.write(new byte[] {'$', 'Z', '#', 'l'});
            out.write(ByteBuffer.allocate(4).putInt(remaining).array());
        }
        out.write('}');
        DescribeCompilationJobResponse d = compile("ubjson-nulls", "model.ubj", out.toByteArray());
        assertThat(d.failureReason()).startsWith("ClientError: InputConfiguration:")
                .contains("more than its bytes can hold");
        assertServerAnswers();
    }

    @Test
    void aNonFiniteLeafIsAClientErrorNotAnInternalError() throws Exception {
        String json = new String(fixtureBytes("fixtures/xgboost/binary_logistic.json"), StandardCharsets.UTF_8);
        // Tree 0's node 7 is a leaf; its value is in split_conditions. XGBoost writes NaN as a bare token.
        String nan = withLeaf(json, "NaN");
        DescribeCompilationJobResponse d = compile("nan-leaf", "model.json", nan.getBytes(StandardCharsets.UTF_8));
        assertThat(d.failureReason()).startsWith("ClientError: InputConfiguration:").contains("non-finite leaf value NaN");
        String inf = withLeaf(json, "Infinity");
        DescribeCompilationJobResponse i = compile("inf-leaf", "model.json", inf.getBytes(StandardCharsets.UTF_8));
        assertThat(i.failureReason()).startsWith("ClientError:").contains("non-finite leaf value Infinity");
        assertServerAnswers();
    }

    @Test
    void aGzipBombIsStoppedAtItsCompressionRatioWhileStreaming() throws Exception {
        // 1 GiB of zeros in ~1 MB: stopped after 100x its size (64 MiB at least), not after 4 GiB.
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new GzipCompressorOutputStream(bytes))) {
            TarArchiveEntry e = new TarArchiveEntry("xgboost-model");
            long size = 1L << 30;
            e.setSize(size);
            tar.putArchiveEntry(e);
            byte[] zeros = new byte[1 << 20];
            for (long w = 0; w < size; w += zeros.length) tar.write(zeros);
            tar.closeArchiveEntry();
        }
        Instant t0 = Instant.now();
        DescribeCompilationJobResponse d = compileArchive("gzip-bomb", bytes.toByteArray());
        assertThat(d.failureReason()).startsWith("ClientError: InputConfiguration:")
                .contains("100 times its compressed size");
        assertThat(Duration.between(t0, Instant.now())).isLessThan(Duration.ofSeconds(60));
        assertServerAnswers();
    }

    /** The model with tree 0's split_conditions[7] (a leaf) replaced by {@code token}. */
    private static String withLeaf(String json, String token) {
        int start = json.indexOf("\"split_conditions\":[") + "\"split_conditions\":[".length();
        int end = json.indexOf(']', start);
        String[] values = json.substring(start, end).split(",");
        values[7] = token;
        return json.substring(0, start) + String.join(",", values) + json.substring(end);
    }

    private static DescribeCompilationJobResponse compile(String name, String file, byte[] model) throws Exception {
        return compileArchive(name, Tarballs.create().file(file, model).bytes());
    }

    private static DescribeCompilationJobResponse compileArchive(String name, byte[] archive) throws Exception {
        Toolchain.Availability x86 = Toolchain.available(TargetArch.X86_64);
        Prerequisites.require(x86.canCompile() && x86.canRun(), () -> "gcc for x86_64: " + x86.problems());
        s3.putObject(b -> b.bucket("hostile").key(name + ".tar.gz"), RequestBody.fromBytes(archive));
        sm.createCompilationJob(CompilationJobApiIT.job(name)
                .inputConfig(i -> i.s3Uri("s3://hostile/" + name + ".tar.gz").framework(Framework.XGBOOST))
                .outputConfig(o -> o.s3OutputLocation("s3://hostile/out/" + name + "/").targetDevice("ml_c5"))
                .build());
        DescribeCompilationJobResponse d = CompilationJobApiIT.untilEnded(sm, name, Duration.ofMinutes(3));
        assertThat(d.compilationJobStatus()).as(d.failureReason()).isEqualTo(CompilationJobStatus.FAILED);
        return d;
    }

    static byte[] fixtureBytes(String path) throws IOException {
        try (InputStream in = HostileModelsIT.class.getClassLoader().getResourceAsStream(path)) {
            return in.readAllBytes();
        }
    }
}
