package dev.sagebrush.it;

import static dev.sagebrush.it.NotebookLifecycleIT.assertRefused;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sagebrush.notebook.NotebookSettings;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sagemaker.SageMakerClient;
import software.amazon.awssdk.services.sagemaker.model.CreateNotebookInstanceRequest;
import software.amazon.awssdk.services.sagemaker.model.DescribeNotebookInstanceLifecycleConfigResponse;
import software.amazon.awssdk.services.sagemaker.model.DescribeNotebookInstanceResponse;
import software.amazon.awssdk.services.sagemaker.model.ListNotebookInstancesRequest;
import software.amazon.awssdk.services.sagemaker.model.NotebookInstanceSummary;
import software.amazon.awssdk.services.sagemaker.model.SageMakerException;

/**
 * The notebook control plane through the AWS SDK on a node that runs no Jupyter (instances stay Pending), so every
 * answer here is the API's own: members, defaults, listing, lifecycle configs and the refusals.
 */
class NotebookApiIT {
    static final String ROLE = "arn:aws:iam::000000000000:role/NotebookRole";
    static ServerFixture fixture;
    static SageMakerClient sm;

    @BeforeAll
    static void start() {
        fixture = ServerFixture.start(c -> c.withNotebooks(NotebookSettings.defaults().withRunInstances(false)));
        sm = fixture.sagemaker();
    }

    @AfterAll
    static void stop() {
        fixture.close();
    }

    static CreateNotebookInstanceRequest.Builder nb(String name) {
        return CreateNotebookInstanceRequest.builder().notebookInstanceName(name).instanceType("ml.t3.medium").roleArn(ROLE);
    }

    @Test
    void createThenDescribeReturnsEveryMemberAndTheDefaults() {
        sm.createNotebookInstanceLifecycleConfig(r -> r.notebookInstanceLifecycleConfigName("describe-lcc"));
        String arn = sm.createNotebookInstance(nb("Describe-Me").subnetId("subnet-0abc").securityGroupIds("sg-1", "sg-2")
                .kmsKeyId("key-1").lifecycleConfigName("describe-lcc").directInternetAccess("Disabled").volumeSizeInGB(20)
                .acceleratorTypesWithStrings("ml.eia2.medium").defaultCodeRepository("https://git.example.com/org/repo.git")
                .additionalCodeRepositories("https://git.example.com/org/extra").rootAccess("Disabled")
                .platformIdentifier("notebook-al2-v3").ipAddressType("ipv4")
                .instanceMetadataServiceConfiguration(i -> i.minimumInstanceMetadataServiceVersion("2"))
                .tags(t -> t.key("team").value("ml")).build()).notebookInstanceArn();
        assertThat(arn).isEqualTo("arn:aws:sagemaker:us-east-1:000000000000:notebook-instance/describe-me");
        DescribeNotebookInstanceResponse d = sm.describeNotebookInstance(r -> r.notebookInstanceName("Describe-Me"));
        assertThat(d.notebookInstanceArn()).isEqualTo(arn);
        assertThat(d.notebookInstanceName()).isEqualTo("Describe-Me");
        assertThat(d.notebookInstanceStatusAsString()).isEqualTo("Pending");
        assertThat(d.url()).isEqualTo("describe-me.000000000000.us-east-1.notebook.localhost:" + fixture.endpoint.getPort());
        assertThat(d.instanceTypeAsString()).isEqualTo("ml.t3.medium");
        assertThat(d.subnetId()).isEqualTo("subnet-0abc");
        assertThat(d.securityGroups()).containsExactly("sg-1", "sg-2");
        assertThat(d.roleArn()).isEqualTo(ROLE);
        assertThat(d.kmsKeyId()).isEqualTo("key-1");
        assertThat(d.notebookInstanceLifecycleConfigName()).isEqualTo("describe-lcc");
        assertThat(d.directInternetAccessAsString()).isEqualTo("Disabled");
        assertThat(d.volumeSizeInGB()).isEqualTo(20);
        assertThat(d.acceleratorTypesAsStrings()).containsExactly("ml.eia2.medium");
        assertThat(d.defaultCodeRepository()).isEqualTo("https://git.example.com/org/repo.git");
        assertThat(d.additionalCodeRepositories()).containsExactly("https://git.example.com/org/extra");
        assertThat(d.rootAccessAsString()).isEqualTo("Disabled");
        assertThat(d.platformIdentifier()).isEqualTo("notebook-al2-v3");
        assertThat(d.ipAddressTypeAsString()).isEqualTo("ipv4");
        assertThat(d.instanceMetadataServiceConfiguration().minimumInstanceMetadataServiceVersion()).isEqualTo("2");
        assertThat(d.creationTime()).isAfter(Instant.now().minusSeconds(60)).isEqualTo(d.lastModifiedTime());
        assertThat(d.failureReason()).isNull();

        sm.createNotebookInstance(nb("defaults").build());
        d = sm.describeNotebookInstance(r -> r.notebookInstanceName("defaults"));
        assertThat(d.volumeSizeInGB()).isEqualTo(5);
        assertThat(d.rootAccessAsString()).isEqualTo("Enabled");
        assertThat(d.directInternetAccessAsString()).isEqualTo("Enabled");
        assertThat(d.platformIdentifier()).isEqualTo("notebook-al2023-v1");
        assertThat(d.instanceMetadataServiceConfiguration().minimumInstanceMetadataServiceVersion()).isEqualTo("1");
        assertThat(d.hasAdditionalCodeRepositories()).isFalse();
    }

    @Test
    void refusalsUseAwsWords() {
        String arn = sm.createNotebookInstance(nb("pending-one").build()).notebookInstanceArn();
        assertRefused(() -> sm.stopNotebookInstance(r -> r.notebookInstanceName("pending-one")),
                "Status (Pending) not in ([InService]). Unable to transition to (Stopping) for Notebook Instance (" + arn + ")");
        assertRefused(() -> sm.startNotebookInstance(r -> r.notebookInstanceName("pending-one")),
                "Status (Pending) not in ([Stopped, Failed]). Unable to transition to (Pending) for Notebook Instance (" + arn + ")");
        assertRefused(() -> sm.deleteNotebookInstance(r -> r.notebookInstanceName("pending-one")),
                "Status (Pending) not in ([Stopped, Failed]). Unable to transition to (Deleting) for Notebook Instance (" + arn + ")");
        assertRefused(() -> sm.updateNotebookInstance(r -> r.notebookInstanceName("pending-one").volumeSizeInGB(10)),
                "Status (Pending) not in ([Stopped]). Unable to transition to (Updating) for Notebook Instance (" + arn + ")");
        assertRefused(() -> sm.createNotebookInstance(nb("pending-one").build()),
                "Cannot create a duplicate Notebook Instance (" + arn + ")");
        assertRefused(() -> sm.createNotebookInstance(nb("PENDING-ONE").build()),
                "Cannot create a duplicate Notebook Instance (" + arn + ")");
        String missing = "arn:aws:sagemaker:us-east-1:000000000000:notebook-instance/nope";
        assertRefused(() -> sm.describeNotebookInstance(r -> r.notebookInstanceName("nope")),
                "Notebook Instance " + missing + " does not exist");
        assertRefused(() -> sm.stopNotebookInstance(r -> r.notebookInstanceName("nope")),
                "Notebook Instance " + missing + " does not exist");
        assertRefused(() -> sm.createPresignedNotebookInstanceUrl(r -> r.notebookInstanceName("nope")),
                "Notebook Instance " + missing + " does not exist");
        assertRefused(() -> sm.createNotebookInstance(nb("retired").platformIdentifier("notebook-al2-v1").build()),
                "Platform identifier (notebook-al2-v1) is not supported for this service.");
        assertRefused(() -> sm.createNotebookInstance(nb("no-subnet").directInternetAccess("Disabled").build()),
                "DirectInternetAccess can only be set to Disabled when a SubnetId is specified.");
        assertRefused(() -> sm.createNotebookInstance(nb("no-lcc").lifecycleConfigName("ghost").build()),
                "Notebook Instance Lifecycle Config arn:aws:sagemaker:us-east-1:000000000000:notebook-instance-lifecycle-config/ghost does not exist.");
        // The constraint table runs before any of this, with AWS's framework wording.
        assertThatThrownBy(() -> sm.createNotebookInstance(nb("bad_name").volumeSizeInGB(2).build()))
                .isInstanceOfSatisfying(SageMakerException.class, e -> assertThat(e.awsErrorDetails().errorMessage())
                        .startsWith("2 validation errors detected: ")
                        .contains("Value 'bad_name' at 'notebookInstanceName' failed to satisfy constraint")
                        .contains("at 'volumeSizeInGB' failed to satisfy constraint: Member must have value greater than or equal to 5"));
        assertThatThrownBy(() -> sm.createPresignedNotebookInstanceUrl(r -> r.notebookInstanceName("pending-one")
                .sessionExpirationDurationInSeconds(60)))
                .isInstanceOfSatisfying(SageMakerException.class, e -> assertThat(e.awsErrorDetails().errorMessage())
                        .contains("sessionExpirationDurationInSeconds"));
    }

    @Test
    void presignedUrlPointsAtTheProxy() {
        sm.createNotebookInstance(nb("presign-me").build());
        String url = sm.createPresignedNotebookInstanceUrl(r -> r.notebookInstanceName("presign-me")).authorizedUrl();
        assertThat(url).startsWith("http://presign-me.000000000000.us-east-1.notebook.localhost:" + fixture.endpoint.getPort()
                + "/sagemaker-auth?authToken=");
    }

    @Test
    void listFiltersSortsAndPages() {
        sm.createNotebookInstanceLifecycleConfig(r -> r.notebookInstanceLifecycleConfigName("list-setup"));
        List<String> names = List.of("list-c", "list-a", "list-b", "list-e", "list-d");
        for (String n : names) {
            CreateNotebookInstanceRequest.Builder b = nb(n);
            if (n.equals("list-b")) b.lifecycleConfigName("list-setup");
            if (n.equals("list-d")) b.defaultCodeRepository("https://github.com/acme/Widgets.git")
                    .additionalCodeRepositories("https://github.com/acme/extra");
            sm.createNotebookInstance(b.build());
            sleepQuietly(2); // distinct CreationTimes (milliseconds): equal ones sort by name, not by creation order
        }
        assertThat(names(ListNotebookInstancesRequest.builder().nameContains("list-"))).containsExactly(
                "list-a", "list-b", "list-c", "list-d", "list-e");
        assertThat(names(ListNotebookInstancesRequest.builder().nameContains("LIST-").sortOrder("Descending")))
                .containsExactly("list-e", "list-d", "list-c", "list-b", "list-a");
        assertThat(names(ListNotebookInstancesRequest.builder().nameContains("list-").sortBy("CreationTime")))
                .containsExactlyElementsOf(names);
        assertThat(names(ListNotebookInstancesRequest.builder().notebookInstanceLifecycleConfigNameContains("setup")))
                .containsExactly("list-b");
        assertThat(names(ListNotebookInstancesRequest.builder().defaultCodeRepositoryContains("widgets")))
                .containsExactly("list-d");
        assertThat(names(ListNotebookInstancesRequest.builder().additionalCodeRepositoryEquals("https://github.com/acme/extra")))
                .containsExactly("list-d");
        assertThat(names(ListNotebookInstancesRequest.builder().nameContains("list-").statusEquals("InService"))).isEmpty();
        assertThat(names(ListNotebookInstancesRequest.builder().nameContains("list-")
                .creationTimeAfter(Instant.now().plusSeconds(60)))).isEmpty();

        // Paging with a filter the store cannot run: 2 per page, stable.
        List<String> paged = new ArrayList<>();
        String token = null;
        int pages = 0;
        do {
            String t = token;
            var page = sm.listNotebookInstances(r -> r.nameContains("list-").maxResults(2).nextToken(t));
            page.notebookInstances().forEach(s -> paged.add(s.notebookInstanceName()));
            token = page.nextToken();
            pages++;
        } while (token != null);
        assertThat(paged).containsExactly("list-a", "list-b", "list-c", "list-d", "list-e");
        assertThat(pages).isEqualTo(3);
        // The SDK paginator walks the same pages.
        assertThat(sm.listNotebookInstancesPaginator(r -> r.nameContains("list-").maxResults(2)).notebookInstances()
                .stream().map(NotebookInstanceSummary::notebookInstanceName).collect(Collectors.toList())).isEqualTo(paged);

        NotebookInstanceSummary s = sm.listNotebookInstances(r -> r.nameContains("list-d")).notebookInstances().get(0);
        assertThat(s.notebookInstanceStatusAsString()).isEqualTo("Pending");
        assertThat(s.url()).startsWith("list-d.000000000000.us-east-1.notebook.localhost:");
        assertThat(s.instanceTypeAsString()).isEqualTo("ml.t3.medium");
        assertThat(s.defaultCodeRepository()).isEqualTo("https://github.com/acme/Widgets.git");
        assertThat(s.additionalCodeRepositories()).containsExactly("https://github.com/acme/extra");
        String t = sm.listNotebookInstances(r -> r.nameContains("list-").maxResults(1)).nextToken();
        assertRefused(() -> sm.listNotebookInstances(r -> r.nameContains("list-a").nextToken(t)),
                "Invalid pagination token. The NextToken value is not valid for this request.");
    }

    private static List<String> names(ListNotebookInstancesRequest.Builder b) {
        return sm.listNotebookInstances(b.maxResults(100).build()).notebookInstances().stream()
                .map(NotebookInstanceSummary::notebookInstanceName).collect(Collectors.toList());
    }

    @Test
    void lifecycleConfigsCreateDescribeUpdateListDelete() {
        String arn = sm.createNotebookInstanceLifecycleConfig(r -> r.notebookInstanceLifecycleConfigName("Lcc-One")
                .onStart(h -> h.content("ZWNobyBoaQo="))).notebookInstanceLifecycleConfigArn();
        assertThat(arn).isEqualTo("arn:aws:sagemaker:us-east-1:000000000000:notebook-instance-lifecycle-config/lcc-one");
        DescribeNotebookInstanceLifecycleConfigResponse d = sm.describeNotebookInstanceLifecycleConfig(
                r -> r.notebookInstanceLifecycleConfigName("Lcc-One"));
        assertThat(d.notebookInstanceLifecycleConfigArn()).isEqualTo(arn);
        assertThat(d.onStart()).hasSize(1);
        assertThat(d.onStart().get(0).content()).isEqualTo("ZWNobyBoaQo=");
        assertThat(d.hasOnCreate()).isFalse();
        assertRefused(() -> sm.createNotebookInstanceLifecycleConfig(r -> r.notebookInstanceLifecycleConfigName("Lcc-One")),
                "Unable to create Notebook Instance Lifecycle Config " + arn
                        + ". (Details: Notebook Instance Lifecycle Config already exists.)");

        sm.updateNotebookInstanceLifecycleConfig(r -> r.notebookInstanceLifecycleConfigName("Lcc-One")
                .onCreate(h -> h.content("dHJ1ZQo=")));
        d = sm.describeNotebookInstanceLifecycleConfig(r -> r.notebookInstanceLifecycleConfigName("Lcc-One"));
        assertThat(d.onCreate().get(0).content()).isEqualTo("dHJ1ZQo=");
        assertThat(d.onStart().get(0).content()).isEqualTo("ZWNobyBoaQo="); // not given: kept
        assertThat(d.lastModifiedTime()).isAfterOrEqualTo(d.creationTime());

        sm.createNotebookInstanceLifecycleConfig(r -> r.notebookInstanceLifecycleConfigName("Lcc-Two"));
        assertThat(sm.listNotebookInstanceLifecycleConfigs(r -> r.nameContains("lcc-").sortBy("Name").sortOrder("Descending"))
                .notebookInstanceLifecycleConfigs()).extracting(x -> x.notebookInstanceLifecycleConfigName())
                .containsExactly("Lcc-Two", "Lcc-One");
        assertThatThrownBy(() -> sm.createNotebookInstanceLifecycleConfig(r -> r.notebookInstanceLifecycleConfigName("bad-b64")
                .onStart(h -> h.content("not base64 !!"))))
                .isInstanceOfSatisfying(SageMakerException.class, e -> assertThat(e.awsErrorDetails().errorMessage())
                        .contains("base64"));

        sm.deleteNotebookInstanceLifecycleConfig(r -> r.notebookInstanceLifecycleConfigName("Lcc-Two"));
        assertRefused(() -> sm.describeNotebookInstanceLifecycleConfig(r -> r.notebookInstanceLifecycleConfigName("Lcc-Two")),
                "Unable to describe Notebook Instance Lifecycle Config 'arn:aws:sagemaker:us-east-1:000000000000:"
                        + "notebook-instance-lifecycle-config/lcc-two'. (Details: Notebook Instance Lifecycle Config does not exist.)");
        assertRefused(() -> sm.deleteNotebookInstanceLifecycleConfig(r -> r.notebookInstanceLifecycleConfigName("Lcc-Two")),
                "Unable to delete Notebook Instance Lifecycle Config 'arn:aws:sagemaker:us-east-1:000000000000:"
                        + "notebook-instance-lifecycle-config/lcc-two'. (Details: Notebook Instance Lifecycle Config does not exist.)");
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
