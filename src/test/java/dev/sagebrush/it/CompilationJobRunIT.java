package dev.sagebrush.it;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sagemaker.SageMakerClient;
import software.amazon.awssdk.services.sagemaker.model.CompilationJobStatus;
import software.amazon.awssdk.services.sagemaker.model.DescribeCompilationJobResponse;
import software.amazon.awssdk.services.sagemaker.model.Framework;

/**
 * Compilation jobs that really run: the model archive is uploaded through the same endpoint's S3, the controller
 * fetches and unpacks it, and each bad input ends FAILED with Neo's wording and nothing else touched.
 */
class CompilationJobRunIT {
    static ServerFixture fixture;
    static SageMakerClient sm;
    static S3Client s3;

    @BeforeAll
    static void start() {
        fixture = ServerFixture.start();
        sm = fixture.sagemaker();
        s3 = fixture.s3();
        s3.createBucket(b -> b.bucket("models"));
    }

    @AfterAll
    static void stop() {
        s3.close();
        fixture.close();
    }

    static void upload(String key, byte[] content) {
        s3.putObject(b -> b.bucket("models").key(key), RequestBody.fromBytes(content));
    }

    static DescribeCompilationJobResponse runToEnd(String name, String key, Framework framework) throws Exception {
        sm.createCompilationJob(CompilationJobApiIT.job(name)
                .inputConfig(i -> i.s3Uri("s3://models/" + key).framework(framework)).build());
        return CompilationJobApiIT.untilEnded(sm, name, java.time.Duration.ofSeconds(60));
    }

    @Test
    void missingModelObjectFailsWithNeosMessage() throws Exception {
        DescribeCompilationJobResponse d = runToEnd("missing-object", "nothing/here.tar.gz", Framework.XGBOOST);
        assertThat(d.compilationJobStatus()).isEqualTo(CompilationJobStatus.FAILED);
        assertThat(d.failureReason()).isEqualTo(
                "ClientError: InputConfiguration: S3 object does not exist. Bucket: models, Key: nothing/here.tar.gz");
        assertThat(d.compilationStartTime()).isNotNull();
        assertThat(d.compilationEndTime()).isAfterOrEqualTo(d.compilationStartTime());
        assertThat(d.lastModifiedTime()).isEqualTo(d.compilationEndTime());
    }

    @Test
    void notATarballFailsWithUnableToUntar() throws Exception {
        upload("plain/model.tar.gz", "this is not gzip".getBytes());
        DescribeCompilationJobResponse d = runToEnd("not-gzip", "plain/model.tar.gz", Framework.XGBOOST);
        assertThat(d.failureReason()).isEqualTo("ClientError: InputConfiguration: Unable to untar input model. "
                + "Please confirm the model is a tar.gz file");
    }

    @Test
    void pathTraversalInTheArchiveIsRefused() throws Exception {
        upload("evil/slip.tar.gz", Tarballs.create().file("../../escaped.json", "{}").bytes());
        DescribeCompilationJobResponse d = runToEnd("zip-slip", "evil/slip.tar.gz", Framework.XGBOOST);
        assertThat(d.compilationJobStatus()).isEqualTo(CompilationJobStatus.FAILED);
        assertThat(d.failureReason()).startsWith("ClientError: InputConfiguration: ").contains("../../escaped.json");
        assertThat(fixture.dataDir.resolve("escaped.json")).doesNotExist();
        assertThat(fixture.dataDir.resolve("work/escaped.json")).doesNotExist();
    }

    @Test
    void linksInTheArchiveAreRefused() throws Exception {
        upload("evil/link.tar.gz", Tarballs.create().symlink("model.json", "/etc/passwd").bytes());
        DescribeCompilationJobResponse d = runToEnd("symlink", "evil/link.tar.gz", Framework.XGBOOST);
        assertThat(d.failureReason()).startsWith("ClientError: InputConfiguration: ").contains("model.json");
    }

    @Test
    void archiveOverTheEntryLimitIsRefused() throws Exception {
        Tarballs many = Tarballs.create();
        for (int i = 0; i <= 10_000; i++) {
            many.file("f/" + i, "");
        }
        upload("evil/many.tar.gz", many.bytes());
        DescribeCompilationJobResponse d = runToEnd("too-many-entries", "evil/many.tar.gz", Framework.XGBOOST);
        assertThat(d.compilationJobStatus()).isEqualTo(CompilationJobStatus.FAILED);
        assertThat(d.failureReason()).startsWith("ClientError: InputConfiguration: ").contains("10000");
    }

    @Test
    void archiveWithoutTheFrameworksFilesFails() throws Exception {
        upload("onnx/wrong.tar.gz", Tarballs.create().file("model.json", "{}").bytes());
        DescribeCompilationJobResponse d = runToEnd("wrong-files", "onnx/wrong.tar.gz", Framework.ONNX);
        assertThat(d.failureReason()).isEqualTo("ClientError: InputConfiguration: No ONNX model file found in the "
                + "archive: expected exactly one, a .onnx file.");

        upload("tf/two.tar.gz", Tarballs.create().file("a.pb", "x").file("b.pb", "y").bytes());
        assertThat(runToEnd("two-pb", "tf/two.tar.gz", Framework.TENSORFLOW).failureReason())
                .isEqualTo("ClientError: InputConfiguration: Exactly one .pb file is allowed for TensorFlow models.");
    }
}
