package dev.sagebrush.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class S3UriTest {
    @Test
    void parsesS3Form() {
        assertThat(S3Uri.parse("s3://models/xgb/model.tar.gz")).isEqualTo(S3Uri.of("models", "xgb/model.tar.gz"));
        assertThat(S3Uri.parse("s3://models")).isEqualTo(S3Uri.of("models", ""));
        assertThat(S3Uri.parse("s3://models/")).isEqualTo(S3Uri.of("models", ""));
        assertThat(S3Uri.parse("s3://models/out/")).isEqualTo(S3Uri.of("models", "out/"));
    }

    @Test
    void parsesPathStyleHttps() {
        assertThat(S3Uri.parse("https://sagebrush.local:8080/models/xgb/model.tar.gz"))
                .isEqualTo(S3Uri.of("models", "xgb/model.tar.gz"));
        assertThat(S3Uri.parse("https://s3.us-east-1.amazonaws.com/models/k")).isEqualTo(S3Uri.of("models", "k"));
        assertThat(S3Uri.parse("https://host/models")).isEqualTo(S3Uri.of("models", ""));
    }

    @Test
    void parsesVirtualHostedAwsHttps() {
        assertThat(S3Uri.parse("https://my.bucket.s3.us-west-2.amazonaws.com/a/b")).isEqualTo(S3Uri.of("my.bucket", "a/b"));
        assertThat(S3Uri.parse("https://models.s3.amazonaws.com/k")).isEqualTo(S3Uri.of("models", "k"));
    }

    @Test
    void rejectsWhatSageMakersPatternRejects() {
        for (String bad : new String[] {"http://host/b/k", "S3://b/k", "s3:/b/k", "/b/k", "b/k", "s3://", "https://host/"}) {
            assertThatThrownBy(() -> S3Uri.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void rejectsNulEverywhere() {
        assertThatThrownBy(() -> S3Uri.parse("s3://b/a\0b")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("NUL");
    }

    @Test
    void resolveJoinsWithExactlyOneSlash() {
        assertThat(S3Uri.parse("s3://b/out").resolve("job/model.tar.gz")).hasToString("s3://b/out/job/model.tar.gz");
        assertThat(S3Uri.parse("s3://b/out/").resolve("job")).hasToString("s3://b/out/job");
        assertThat(S3Uri.parse("s3://b").resolve("job")).hasToString("s3://b/job");
        assertThat(S3Uri.parse("s3://b/x").resolve("")).hasToString("s3://b/x");
        assertThatThrownBy(() -> S3Uri.parse("s3://b/x").resolve("/abs")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void toStringIsS3FormEvenForHttpsInput() {
        assertThat(S3Uri.parse("https://host/b/k/x")).hasToString("s3://b/k/x");
        assertThat(S3Uri.parse("s3://b")).hasToString("s3://b/");
    }

    @Test
    void asPrefixAddsTrailingSlash() {
        assertThat(S3Uri.parse("s3://b/out").asPrefix()).hasToString("s3://b/out/");
        assertThat(S3Uri.parse("s3://b/out/").asPrefix()).hasToString("s3://b/out/");
        assertThat(S3Uri.parse("s3://b").asPrefix()).hasToString("s3://b/");
    }

    @Test
    void dotDotIsALegalKeyButNotWritable() {
        S3Uri sneaky = S3Uri.parse("s3://b/out/../../etc/passwd");
        assertThat(sneaky.key()).isEqualTo("out/../../etc/passwd");
        assertThatThrownBy(sneaky::requireWritable).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'..' segment");
        assertThatThrownBy(() -> S3Uri.parse("s3://b/a/./b").requireWritable()).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> S3Uri.parse("s3://b/").requireWritable()).hasMessageContaining("no object key");
        assertThat(S3Uri.parse("s3://b/a..b/c").requireWritable().key()).isEqualTo("a..b/c");
    }
}
