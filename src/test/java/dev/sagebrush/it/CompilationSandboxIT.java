package dev.sagebrush.it;

import static dev.sagebrush.testsupport.OnnxWriter.FLOAT;
import static dev.sagebrush.testsupport.OnnxWriter.INT64;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sagebrush.testsupport.OnnxWriter;
import dev.sagebrush.testsupport.Prerequisites;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sagemaker.SageMakerClient;
import software.amazon.awssdk.services.sagemaker.model.CompilationJobStatus;
import software.amazon.awssdk.services.sagemaker.model.DescribeCompilationJobResponse;
import software.amazon.awssdk.services.sagemaker.model.Framework;
import software.amazon.awssdk.services.sagemaker.model.TargetDevice;

/**
 * Security tests for compilation (issue 8, findings 1 and 5), through the real server and the AWS SDK. Checked against
 * main before the sandbox: the external-data jobs COMPLETED there and their artifact (then ONNX Runtime's) held the bytes of the server's
 * notebook session key and of /etc/passwd; the ConstantOfShape model drove the server JVM itself to ~14 GB; the data
 * directory was 0755 and the database 0644; an interrupted job's work directory stayed after a restart.
 */
class CompilationSandboxIT {
    static ServerFixture fixture;
    static SageMakerClient sm;
    static S3Client s3;

    @BeforeAll
    static void start() {
        Prerequisites.require(dev.sagebrush.jobs.sandbox.SandboxHost.probe().available(), "sandboxes (bwrap, root)");
        fixture = ServerFixture.start();
        sm = fixture.sagemaker();
        s3 = fixture.s3();
        s3.createBucket(b -> b.bucket("models"));
    }

    @AfterAll
    static void stop() {
        if (fixture == null) return;
        s3.close();
        fixture.close();
    }

    /** y = x + w, with w (4 floats) kept in external data at {@code location}. */
    static byte[] externalDataModel(String location) {
        return OnnxWriter.model(OnnxWriter.graph(
                new OnnxWriter[] {OnnxWriter.node("Add", new String[] {"x", "w"}, new String[] {"y"})},
                new OnnxWriter[] {OnnxWriter.externalTensor("w", FLOAT, new long[] {4},
                        Map.of("location", location, "offset", "0", "length", "16"))},
                OnnxWriter.valueInfo("x", FLOAT, 1, 4), OnnxWriter.valueInfo("y", FLOAT, 1, 4)));
    }

    static DescribeCompilationJobResponse compile(String name, String key, byte[] archive) throws Exception {
        s3.putObject(b -> b.bucket("models").key(key), RequestBody.fromBytes(archive));
        sm.createCompilationJob(CompilationJobApiIT.job(name)
                .inputConfig(i -> i.s3Uri("s3://models/" + key).framework(Framework.ONNX))
                .outputConfig(o -> o.s3OutputLocation("s3://models/compiled/" + name + "/")
                        .targetDevice(TargetDevice.ML_C5)).build());
        return CompilationJobApiIT.untilEnded(sm, name, Duration.ofMinutes(3));
    }

    static void assertNothingPublished(String name) {
        assertThat(s3.listObjectsV2(b -> b.bucket("models").prefix("compiled/" + name + "/")).contents()).isEmpty();
    }

    @Test
    void externalDataAtAnAbsolutePathIsRefusedNamingTheTensor() throws Exception {
        Path key = fixture.dataDir.resolve("secrets").resolve("notebook-session.key");
        assertThat(key).exists();
        DescribeCompilationJobResponse d = compile("ext-absolute", "attack/absolute.tar.gz", Tarballs.create()
                .file("model.onnx", externalDataModel(key.toString())).bytes());
        assertThat(d.compilationJobStatus()).isEqualTo(CompilationJobStatus.FAILED);
        assertThat(d.failureReason()).startsWith("ClientError: InputConfiguration: The ONNX model's tensor \"w\"")
                .contains(key.toString()).contains("is an absolute path");
        assertNothingPublished("ext-absolute");
    }

    @Test
    void externalDataEscapingTheArchiveIsRefused() throws Exception {
        DescribeCompilationJobResponse d = compile("ext-escape", "attack/escape.tar.gz", Tarballs.create()
                .file("model.onnx", externalDataModel("../../../../../../../../etc/passwd")).bytes());
        assertThat(d.compilationJobStatus()).isEqualTo(CompilationJobStatus.FAILED);
        assertThat(d.failureReason()).startsWith("ClientError: InputConfiguration: The ONNX model's tensor \"w\"")
                .contains("leaves the model's directory");
        assertNothingPublished("ext-escape");
    }

    @Test
    void externalDataInsideTheArchivePassesTheCheck() throws Exception {
        byte[] weights = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putFloat(1).putFloat(2).putFloat(3)
                .putFloat(4).array();
        DescribeCompilationJobResponse d = compile("ext-inside", "ok/inside.tar.gz", Tarballs.create()
                .file("model.onnx", externalDataModel("weights.bin")).file("weights.bin", weights).bytes());
        // The archive's own file passes the external-data check. (TVM then refuses external data altogether, with a
        // ClientError of its own.)
        assertThat(d.failureReason() == null ? "" : d.failureReason())
                .doesNotContain("keeps its data in external file \"weights.bin\", which");
        if (d.compilationJobStatus() == CompilationJobStatus.FAILED) {
            assertThat(d.failureReason()).startsWith("ClientError: ");
        }
    }

    @Test
    void aModelThatMaterializesFourteenGigabytesFailsTheJobNotTheServer() throws Exception {
        // ConstantOfShape(28000 x 28000) + x: ONNX Runtime, the reference, materializes 3 GB running the original.
        byte[] shape = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(28000).putLong(28000).array();
        byte[] model = OnnxWriter.model(OnnxWriter.graph(new OnnxWriter[] {
                OnnxWriter.node("ConstantOfShape", new String[] {"shape"}, new String[] {"big"}),
                OnnxWriter.node("Add", new String[] {"big", "x"}, new String[] {"y"})},
                new OnnxWriter[] {OnnxWriter.tensor("shape", INT64, new long[] {2}, shape)},
                OnnxWriter.valueInfo("x", FLOAT, 1), OnnxWriter.valueInfo("y", FLOAT, 28000, 28000)));
        DescribeCompilationJobResponse d = compile("bomb-constant", "attack/constant.tar.gz",
                Tarballs.create().file("model.onnx", model).bytes());
        assertThat(d.compilationJobStatus()).isEqualTo(CompilationJobStatus.FAILED);
        assertThat(d.failureReason()).startsWith("ClientError: CompilationError: ONNX Runtime needed more memory "
                + "than the compilation budget of 2.0 GiB");
        assertThat(sm.listCompilationJobs(r -> r.maxResults(5)).compilationJobSummaries()).isNotEmpty();
        assertThat(Runtime.getRuntime().totalMemory()).isLessThan(4L << 30);
    }

    @Test
    void dataDirectoryDatabaseAndKeysAreTheServersAlone() throws Exception {
        Path data = fixture.dataDir;
        assertThat(mode(data)).isEqualTo("rwx------");
        assertThat(mode(data.resolve("sagebrush.db"))).isEqualTo("rw-------");
        assertThat(mode(data.resolve("sagebrush.db-wal"))).isEqualTo("rw-------");
        assertThat(mode(data.resolve("secrets"))).isEqualTo("rwx------");
        try (var keys = Files.list(data.resolve("secrets"))) {
            keys.forEach(k -> assertThat(mode(k)).as(k.toString()).isEqualTo("rw-------"));
        }
        assertThat(mode(data.resolve("work").resolve("compilation"))).isEqualTo("rwx------");
    }

    @Test
    void interruptedWorkDirectoriesAreRemovedWhenTheServerStartsAgain() throws Exception {
        // What kill -9 during a job leaves: the job's directory with its unpacked archive (a bomb: up to the limits).
        Path data = Files.createTempDirectory("sagebrush-resume");
        dev.sagebrush.config.Config config = dev.sagebrush.config.Config.defaults(data).withPort(0)
                .withNotebooks(dev.sagebrush.config.Config.defaults(data).notebooks().withRunInstances(false));
        dev.sagebrush.Sagebrush.start(config).close();
        Path left = Files.createDirectories(data.resolve("work").resolve("compilation").resolve("job-17f3a")
                .resolve("model"));
        Files.write(left.resolve("unpacked.bin"), new byte[4 << 20]);
        try (dev.sagebrush.Sagebrush again = dev.sagebrush.Sagebrush.start(config)) {
            assertThat(data.resolve("work").resolve("compilation").resolve("job-17f3a")).doesNotExist();
        }
    }

    @Test
    void aCompilerStepCannotReadTheDatabaseTheKeysOrAnotherJobNorReachTheNetwork() throws Exception {
        // The compiler steps' sandbox exactly as jobs get it (SandboxedSteps over the server's data directory), running
        // a probe in place of gcc: what a compromised compiler or a verification harness could try.
        Path data = fixture.dataDir;
        Path work = data.resolve("work").resolve("compilation");
        Path other = Files.createDirectories(work.resolve("other-account-job"));
        Files.writeString(other.resolve("model.c"), "secret model of another account");
        Path mine = Files.createDirectories(work.resolve("probe-job"));
        var sandboxes = dev.sagebrush.jobs.sandbox.Sandboxes.create(
                dev.sagebrush.jobs.sandbox.SandboxSettings.fromEnvironment(), data.resolve("sandbox"));
        String script = "for f in " + data.resolve("sagebrush.db") + " " + data.resolve("secrets/notebook-session.key")
                + " " + other.resolve("model.c") + "; do cat $f >/dev/null 2>&1 && echo read $f || echo denied $f; done;"
                + " bash -c 'exec 3<>/dev/tcp/127.0.0.1/" + fixture.server.port() + "' 2>/dev/null && echo network yes"
                + " || echo network no; id -u";
        try (var steps = dev.sagebrush.compilation.toolchain.SandboxedSteps.open(sandboxes, mine)) {
            var r = steps.run(java.util.List.of("/bin/sh", "-c", script), mine, Duration.ofSeconds(30));
            assertThat(r.output()).contains("denied " + data.resolve("sagebrush.db"))
                    .contains("denied " + data.resolve("secrets/notebook-session.key"))
                    .contains("denied " + other.resolve("model.c")).contains("network no")
                    .doesNotContain("read ").endsWith(steps.uid() + "\n");
        }
    }

    static String mode(Path p) {
        try {
            return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
