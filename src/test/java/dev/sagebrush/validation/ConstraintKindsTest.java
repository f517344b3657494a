package dev.sagebrush.validation;

import static dev.sagebrush.validation.Requests.rejects;

import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sagemaker.model.AddTagsRequest;
import software.amazon.awssdk.services.sagemaker.model.DeleteTagsRequest;
import software.amazon.awssdk.services.sagemaker.model.DescribeCompilationJobRequest;
import software.amazon.awssdk.services.sagemaker.model.ListCompilationJobsRequest;
import software.amazon.awssdk.services.sagemaker.model.ListTagsRequest;
import software.amazon.awssdk.services.sagemaker.model.Tag;

/** One test per constraint kind, each with AWS's exact message. */
class ConstraintKindsTest {
    private static final String NAME_PATTERN = "^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$";

    @Test
    void pattern() {
        rejects("DescribeCompilationJob", DescribeCompilationJobRequest.builder().compilationJobName("bad_name").build())
                .isEqualTo("1 validation error detected: Value 'bad_name' at 'compilationJobName' failed to satisfy "
                        + "constraint: Member must satisfy regular expression pattern: " + NAME_PATTERN);
    }

    @Test
    void patternIsMatchedAgainstTheWholeValue() {
        // "ok" matches the pattern somewhere inside "ok!"; only a whole-value match is accepted.
        rejects("DescribeCompilationJob", DescribeCompilationJobRequest.builder().compilationJobName("ok!").build())
                .isEqualTo("1 validation error detected: Value 'ok!' at 'compilationJobName' failed to satisfy "
                        + "constraint: Member must satisfy regular expression pattern: " + NAME_PATTERN);
    }

    @Test
    void maximumLengthIsReportedBeforeThePattern() {
        String name = "a".repeat(63) + "_";
        rejects("DescribeCompilationJob", DescribeCompilationJobRequest.builder().compilationJobName(name).build())
                .isEqualTo("2 validation errors detected: Value '" + name + "' at 'compilationJobName' failed to "
                        + "satisfy constraint: Member must have length less than or equal to 63; Value '" + name
                        + "' at 'compilationJobName' failed to satisfy constraint: Member must satisfy regular "
                        + "expression pattern: " + NAME_PATTERN);
    }

    @Test
    void minimumLength() {
        rejects("DescribeCompilationJob", DescribeCompilationJobRequest.builder().compilationJobName("").build())
                .isEqualTo("2 validation errors detected: Value '' at 'compilationJobName' failed to satisfy "
                        + "constraint: Member must have length greater than or equal to 1; Value '' at "
                        + "'compilationJobName' failed to satisfy constraint: Member must satisfy regular expression "
                        + "pattern: " + NAME_PATTERN);
    }

    @Test
    void lengthCountsCodePointsNotUtf16Units() {
        String key = "\uD835\uDC00".repeat(128); // U+1D400, a letter outside the BMP: 128 code points, 256 chars
        Requests.VALIDATOR.validate("AddTags", AddTagsRequest.builder()
                .resourceArn("arn:aws:sagemaker:us-east-1:123456789012:notebook-instance/nb")
                .tags(Tag.builder().key(key).value("v").build()).build());
    }

    @Test
    void required() {
        rejects("DescribeCompilationJob", DescribeCompilationJobRequest.builder().build())
                .isEqualTo("1 validation error detected: Value null at 'compilationJobName' failed to satisfy "
                        + "constraint: Member must not be null");
    }

    @Test
    void minimumValue() {
        rejects("ListCompilationJobs", ListCompilationJobsRequest.builder().maxResults(0).build())
                .isEqualTo("1 validation error detected: Value '0' at 'maxResults' failed to satisfy constraint: "
                        + "Member must have value greater than or equal to 1");
    }

    @Test
    void maximumValue() {
        rejects("ListCompilationJobs", ListCompilationJobsRequest.builder().maxResults(101).build())
                .isEqualTo("1 validation error detected: Value '101' at 'maxResults' failed to satisfy constraint: "
                        + "Member must have value less than or equal to 100");
    }

    @Test
    void minimumValueWithoutMaximum() {
        rejects("ListTags", ListTagsRequest.builder()
                .resourceArn("arn:aws:sagemaker:us-east-1:123456789012:training-job/t").maxResults(10).build())
                .isEqualTo("1 validation error detected: Value '10' at 'maxResults' failed to satisfy constraint: "
                        + "Member must have value greater than or equal to 50");
    }

    @Test
    void enumValueSetInModelOrder() {
        rejects("ListCompilationJobs", ListCompilationJobsRequest.builder().statusEquals("RUNNING").build())
                .isEqualTo("1 validation error detected: Value 'RUNNING' at 'statusEquals' failed to satisfy "
                        + "constraint: Member must satisfy enum value set: "
                        + "[INPROGRESS, COMPLETED, FAILED, STARTING, STOPPING, STOPPED]");
    }

    @Test
    void enumIsCaseSensitive() {
        rejects("ListCompilationJobs", ListCompilationJobsRequest.builder().sortOrder("ascending").build())
                .isEqualTo("1 validation error detected: Value 'ascending' at 'sortOrder' failed to satisfy "
                        + "constraint: Member must satisfy enum value set: [Ascending, Descending]");
    }

    @Test
    void listMinimumSize() {
        rejects("DeleteTags", DeleteTagsRequest.builder()
                .resourceArn("arn:aws:sagemaker:us-east-1:123456789012:training-job/t").tagKeys(List.of()).build())
                .isEqualTo("1 validation error detected: Value '[]' at 'tagKeys' failed to satisfy constraint: "
                        + "Member must have length greater than or equal to 1");
    }

    @Test
    void listMaximumSize() {
        List<Tag> tags = java.util.stream.IntStream.range(0, 51)
                .mapToObj(i -> Tag.builder().key("k" + i).value("v").build()).toList();
        rejects("AddTags", AddTagsRequest.builder()
                .resourceArn("arn:aws:sagemaker:us-east-1:123456789012:training-job/t").tags(tags).build())
                .startsWith("1 validation error detected: Value '[{Key=k0, Value=v}, {Key=k1, Value=v}, ")
                .contains("...' at 'tags' failed to satisfy constraint: ")
                .endsWith("Member must have length less than or equal to 50");
    }

    @Test
    void absentListIsNullNotEmpty() {
        // The SDK represents an absent list as an SdkAutoConstructList; required means "must be sent".
        rejects("AddTags", AddTagsRequest.builder()
                .resourceArn("arn:aws:sagemaker:us-east-1:123456789012:training-job/t").build())
                .isEqualTo("1 validation error detected: Value null at 'tags' failed to satisfy constraint: "
                        + "Member must not be null");
    }
}
