package dev.sagebrush.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sagemaker.SageMakerClient;
import software.amazon.awssdk.services.sagemaker.model.Framework;
import software.amazon.awssdk.services.sagemaker.model.ListTagsResponse;
import software.amazon.awssdk.services.sagemaker.model.SageMakerException;
import software.amazon.awssdk.services.sagemaker.model.Tag;
import software.amazon.awssdk.services.sagemaker.model.TargetDevice;

/** AddTags, ListTags and DeleteTags by ARN, for training and compilation jobs, through the AWS SDK. */
class TagsIT {
    static ServerFixture fixture;
    static SageMakerClient sm;
    static String trainingArn;
    static String compilationArn;

    @BeforeAll
    static void start() {
        fixture = TrainingFixture.start(0);
        sm = fixture.sagemaker();
        trainingArn = sm.createTrainingJob(TrainingFixture.job("tagged", "ok")
                .tags(t -> t.key("team").value("vision"), t -> t.key("cost-center").value("42"))
                .build()).trainingJobArn();
        compilationArn = sm.createCompilationJob(r -> r.compilationJobName("tagged-neo")
                .roleArn(TrainingFixture.ROLE)
                .inputConfig(i -> i.s3Uri("s3://models/m.tar.gz").framework(Framework.XGBOOST))
                .outputConfig(o -> o.s3OutputLocation("s3://models/out/").targetDevice(TargetDevice.ML_C5))
                .stoppingCondition(s -> s.maxRuntimeInSeconds(900))
                .tags(t -> t.key("stage").value("dev"))).compilationJobArn();
    }

    @AfterAll
    static void stop() {
        fixture.close();
    }

    static Tag tag(String k, String v) {
        return Tag.builder().key(k).value(v).build();
    }

    @Test
    void tagsGivenAtCreationAreTheTagsListTagsReturns() {
        assertThat(sm.listTags(r -> r.resourceArn(trainingArn)).tags())
                .containsExactly(tag("team", "vision"), tag("cost-center", "42"));
        assertThat(sm.listTags(r -> r.resourceArn(compilationArn)).tags()).containsExactly(tag("stage", "dev"));
    }

    @Test
    void addOverwritesByKeyAndDeleteRemoves() {
        String arn = sm.createTrainingJob(TrainingFixture.job("retag", "ok").tags(t -> t.key("a").value("1")).build())
                .trainingJobArn();
        assertThat(sm.addTags(r -> r.resourceArn(arn).tags(tag("b", "2"), tag("a", "one"))).tags())
                .containsExactly(tag("b", "2"), tag("a", "one"));
        assertThat(sm.listTags(r -> r.resourceArn(arn)).tags()).containsExactly(tag("a", "one"), tag("b", "2"));
        sm.deleteTags(r -> r.resourceArn(arn).tagKeys("a", "not-there"));
        assertThat(sm.listTags(r -> r.resourceArn(arn)).tags()).containsExactly(tag("b", "2"));
        String neo = sm.createCompilationJob(r -> r.compilationJobName("retag-neo").roleArn(TrainingFixture.ROLE)
                .inputConfig(i -> i.s3Uri("s3://models/m.tar.gz").framework(Framework.XGBOOST))
                .outputConfig(o -> o.s3OutputLocation("s3://models/out/").targetDevice(TargetDevice.ML_C5))
                .stoppingCondition(s -> s.maxRuntimeInSeconds(900))).compilationJobArn();
        sm.addTags(r -> r.resourceArn(neo).tags(tag("owner", "")));
        assertThat(sm.listTags(r -> r.resourceArn(neo)).tags()).containsExactly(tag("owner", ""));
    }

    @Test
    void fiftyTagsPerResourceAndListTagsPages() {
        String arn = sm.createTrainingJob(TrainingFixture.job("many-tags", "ok").build()).trainingJobArn();
        List<Tag> fifty = new ArrayList<>();
        for (int i = 0; i < 50; i++) fifty.add(tag("k" + i, "v" + i));
        sm.addTags(r -> r.resourceArn(arn).tags(fifty));
        ListTagsResponse all = sm.listTags(r -> r.resourceArn(arn).maxResults(50));
        assertThat(all.tags()).isEqualTo(fifty);
        assertThat(all.nextToken()).isNull();
        List<Tag> paged = new ArrayList<>();
        sm.listTagsPaginator(r -> r.resourceArn(arn)).tags().forEach(paged::add);
        assertThat(paged).isEqualTo(fifty);
        // Overwriting an existing key is not a new tag; a 51st key is refused and nothing is written.
        sm.addTags(r -> r.resourceArn(arn).tags(tag("k0", "changed")));
        assertThatThrownBy(() -> sm.addTags(r -> r.resourceArn(arn).tags(tag("k1", "x"), tag("one-too-many", "x"))))
                .satisfies(e -> assertThat(((SageMakerException) e).awsErrorDetails().errorCode()).isEqualTo("ValidationException"))
                .hasMessageContaining("exceeds the limit of 50 tags per resource");
        assertThat(sm.listTags(r -> r.resourceArn(arn).maxResults(100)).tags()).hasSize(50).contains(tag("k0", "changed"), tag("k1", "v1"));
        // MaxResults has SageMaker's minimum of 50.
        assertThatThrownBy(() -> sm.listTags(r -> r.resourceArn(arn).maxResults(10)))
                .hasMessageContaining("Member must have value greater than or equal to 50");
    }

    @Test
    void unknownArnsDoNotExist() {
        String missing = "arn:aws:sagemaker:us-east-1:000000000000:training-job/never-created";
        assertThatThrownBy(() -> sm.listTags(r -> r.resourceArn(missing)))
                .satisfies(e -> assertThat(((SageMakerException) e).awsErrorDetails().errorCode()).isEqualTo("ValidationException"))
                .hasMessageStartingWith("Resource does not exist");
        assertThatThrownBy(() -> sm.addTags(r -> r.resourceArn(missing).tags(tag("a", "b"))))
                .hasMessageStartingWith("Resource does not exist");
        assertThatThrownBy(() -> sm.deleteTags(r -> r.resourceArn(missing).tagKeys("a")))
                .hasMessageStartingWith("Resource does not exist");
        // A resource of another region is not visible from this one.
        try (SageMakerClient west = fixture.sagemaker("test", "test", Region.US_WEST_2)) {
            assertThatThrownBy(() -> west.listTags(r -> r.resourceArn(trainingArn)))
                    .hasMessageStartingWith("Resource does not exist");
        }
        // Malformed ARNs are caught by the constraint table first.
        assertThatThrownBy(() -> sm.listTags(r -> r.resourceArn("not-an-arn")))
                .hasMessageContaining("failed to satisfy constraint: Member must satisfy regular expression pattern");
    }
}
