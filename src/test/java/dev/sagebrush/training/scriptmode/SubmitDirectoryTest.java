package dev.sagebrush.training.scriptmode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sagebrush.storage.S3Uri;
import dev.sagebrush.training.runner.TrainingFailure;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SubmitDirectoryTest {
    @Test
    void theLocationIsJsonDecodedAsTheSdkQuotesIt() {
        assertThat(SubmitDirectory.location(Map.of("sagemaker_submit_directory", "\"s3://b/job/source/sourcedir.tar.gz\"")))
                .contains("s3://b/job/source/sourcedir.tar.gz");
        assertThat(SubmitDirectory.location(Map.of("sagemaker_submit_directory", "s3://b/raw.tar.gz")))
                .contains("s3://b/raw.tar.gz");
        assertThat(SubmitDirectory.location(Map.of("epochs", "2"))).isEmpty();
        assertThat(SubmitDirectory.location(null)).isEmpty();
    }

    @Test
    void onlyAnS3ObjectIsAccepted() throws TrainingFailure {
        assertThat(SubmitDirectory.s3Location("s3://b/k/sourcedir.tar.gz")).isEqualTo(S3Uri.of("b", "k/sourcedir.tar.gz"));
        assertThatThrownBy(() -> SubmitDirectory.s3Location("file:///etc/passwd")).isInstanceOf(TrainingFailure.class)
                .hasMessage("ClientError: sagemaker_submit_directory must name the training code's tar.gz in S3 "
                        + "(s3://bucket/key), not 'file:///etc/passwd'.");
        assertThatThrownBy(() -> SubmitDirectory.s3Location("/opt/ml/code")).isInstanceOf(TrainingFailure.class);
        assertThatThrownBy(() -> SubmitDirectory.s3Location("s3://b/prefix/")).isInstanceOf(TrainingFailure.class)
                .hasMessageContaining("it names no object");
    }
}
