package dev.sagebrush.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sagebrush.metrics.MetricKey;
import dev.sagebrush.metrics.MetricStore;
import dev.sagebrush.testsupport.Prerequisites;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudwatch.CloudWatchClient;
import software.amazon.awssdk.services.cloudwatch.model.CloudWatchException;
import software.amazon.awssdk.services.cloudwatch.model.GetMetricDataRequest;
import software.amazon.awssdk.services.cloudwatch.model.GetMetricDataResponse;
import software.amazon.awssdk.services.cloudwatch.model.MetricDataQuery;
import software.amazon.awssdk.services.cloudwatch.model.MetricDataResult;
import software.amazon.awssdk.services.cloudwatch.model.ScanBy;
import software.amazon.awssdk.services.cloudwatch.model.StatusCode;

/**
 * GetMetricData pages as CloudWatch does (MaxDatapoints over all queries, PartialData and NextToken), through the AWS
 * SDK for Java's paginator (its current CloudWatch protocol) and Debian's boto3 paginator (the query protocol).
 * Two training-job metrics are written by the metric store's own writer before the server first reads them.
 */
class MetricDataPagingIT {
    static final String NAMESPACE = "/aws/sagemaker/TrainingJobs";
    static final Instant T0 = Instant.now().minus(1, ChronoUnit.DAYS).truncatedTo(ChronoUnit.MINUTES);
    static ServerFixture fixture;
    static CloudWatchClient cloudwatch;
    @TempDir Path tmp;

    @BeforeAll
    static void start() throws Exception {
        fixture = ServerFixture.start(c -> c.withCompileWorkers(0).withTraining(c.training().withWorkers(0))
                .withNotebooks(c.notebooks().withRunInstances(false)));
        try (MetricStore store = new MetricStore(fixture.dataDir.resolve("metrics"));
             MetricStore.Writer w = store.writer("000000000000", "us-east-1", "paging-job-algo-1")) {
            for (int i = 0; i < 250; i++) w.put(key("train:loss"), T0.plusSeconds(60L * i).toEpochMilli(), i);
            for (int i = 0; i < 40; i++) w.put(key("validation:loss"), T0.plusSeconds(60L * i).toEpochMilli(), 1000 + i);
        }
        cloudwatch = CloudWatchClient.builder().endpointOverride(fixture.endpoint).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
                .httpClientBuilder(Apache5HttpClient.builder())
                .overrideConfiguration(o -> o.retryStrategy(r -> r.maxAttempts(1))).build();
    }

    @AfterAll
    static void stop() {
        if (cloudwatch != null) cloudwatch.close();
        if (fixture != null) fixture.close();
    }

    static MetricKey key(String name) {
        return new MetricKey(NAMESPACE, name, Map.of("Host", "paging-job/algo-1"));
    }

    static MetricDataQuery query(String id, String name) {
        return MetricDataQuery.builder().id(id).metricStat(s -> s.stat("Average").period(60).metric(m -> m
                .namespace(NAMESPACE).metricName(name).dimensions(d -> d.name("Host").value("paging-job/algo-1"))))
                .build();
    }

    static GetMetricDataRequest.Builder request() {
        return GetMetricDataRequest.builder().startTime(T0).endTime(T0.plusSeconds(60L * 250))
                .metricDataQueries(query("loss", "train:loss"), query("val", "validation:loss")).maxDatapoints(100);
    }

    @Test
    void javaSdkPaginatorGetsEveryDatapointOnceInPagesOfMaxDatapoints() {
        List<GetMetricDataResponse> pages = new ArrayList<>();
        cloudwatch.getMetricDataPaginator(request().build()).forEach(pages::add);
        assertThat(pages).hasSize(3);
        // Page 1 and 2: 100 of train:loss each, newest first (TimestampDescending by default), the rest to follow.
        assertThat(pages.get(0).metricDataResults()).extracting(MetricDataResult::id, r -> r.values().size(),
                MetricDataResult::statusCode).containsExactly(
                org.assertj.core.groups.Tuple.tuple("loss", 100, StatusCode.PARTIAL_DATA),
                org.assertj.core.groups.Tuple.tuple("val", 0, StatusCode.PARTIAL_DATA));
        assertThat(pages.get(0).nextToken()).isNotNull();
        assertThat(pages.get(1).metricDataResults()).extracting(r -> r.values().size()).containsExactly(100, 0);
        // Page 3: the last 50 of train:loss and all 40 of validation:loss fit in 100.
        assertThat(pages.get(2).metricDataResults()).extracting(MetricDataResult::id, r -> r.values().size(),
                MetricDataResult::statusCode).containsExactly(
                org.assertj.core.groups.Tuple.tuple("loss", 50, StatusCode.COMPLETE),
                org.assertj.core.groups.Tuple.tuple("val", 40, StatusCode.COMPLETE));
        assertThat(pages.get(2).nextToken()).isNull();
        List<Double> loss = new ArrayList<>();
        List<Instant> times = new ArrayList<>();
        for (GetMetricDataResponse p : pages) {
            loss.addAll(p.metricDataResults().get(0).values());
            times.addAll(p.metricDataResults().get(0).timestamps());
        }
        assertThat(loss).hasSize(250).first().isEqualTo(249.0);
        assertThat(loss).last().isEqualTo(0.0);
        assertThat(times).isSortedAccordingTo(java.util.Comparator.reverseOrder()).doesNotHaveDuplicates();
        // Ascending, and without MaxDatapoints (default 100,800): one page.
        GetMetricDataResponse all = cloudwatch.getMetricData(request().maxDatapoints(null)
                .scanBy(ScanBy.TIMESTAMP_ASCENDING).build());
        assertThat(all.nextToken()).isNull();
        assertThat(all.metricDataResults().get(0).values()).hasSize(250).first().isEqualTo(0.0);
    }

    @Test
    void aTokenIsGoodOnlyForTheRequestThatReturnedIt() {
        String token = cloudwatch.getMetricData(request().build()).nextToken();
        assertThat(cloudwatch.getMetricData(request().nextToken(token).build()).metricDataResults().get(0).values())
                .first().isEqualTo(149.0);
        for (GetMetricDataRequest wrong : List.of(request().nextToken(token + "x").build(),
                request().nextToken(token).endTime(T0.plusSeconds(60L * 200)).build(),
                request().nextToken(token).scanBy(ScanBy.TIMESTAMP_ASCENDING).build())) {
            assertThatThrownBy(() -> cloudwatch.getMetricData(wrong)).isInstanceOfSatisfying(CloudWatchException.class,
                    e -> {
                        assertThat(e.statusCode()).isEqualTo(400);
                        assertThat(e.awsErrorDetails().errorCode()).isEqualTo("InvalidNextToken");
                        assertThat(e.awsErrorDetails().errorMessage()).isEqualTo("The next token specified is invalid.");
                    });
        }
    }

    @Test
    void boto3sPaginatorInTheQueryProtocolPagesTheSame() throws Exception {
        Prerequisites.require(new ProcessBuilder("/usr/bin/python3", "-c", "import boto3").start().waitFor() == 0,
                "python3-boto3 is not installed");
        Path script = tmp.resolve("pages.py");
        Files.writeString(script, """
                import datetime, sys, boto3
                cw = boto3.Session(aws_access_key_id="test", aws_secret_access_key="test", region_name="us-east-1")\\
                    .client("cloudwatch", endpoint_url=sys.argv[1])
                t0 = datetime.datetime.fromtimestamp(int(sys.argv[2]), datetime.timezone.utc)
                def q(i, name):
                    return {"Id": i, "MetricStat": {"Stat": "Average", "Period": 60, "Metric": {
                        "Namespace": "/aws/sagemaker/TrainingJobs", "MetricName": name,
                        "Dimensions": [{"Name": "Host", "Value": "paging-job/algo-1"}]}}}
                pages = cw.get_paginator("get_metric_data").paginate(
                    MetricDataQueries=[q("loss", "train:loss"), q("val", "validation:loss")], StartTime=t0,
                    EndTime=t0 + datetime.timedelta(minutes=250), ScanBy="TimestampAscending", MaxDatapoints=100)
                values = []
                for page in pages:
                    print(" ".join("%s:%d:%s" % (r["Id"], len(r["Values"]), r["StatusCode"]) for r in page["MetricDataResults"]))
                    values += [v for r in page["MetricDataResults"] if r["Id"] == "loss" for v in r["Values"]]
                print(values == [float(i) for i in range(250)])
                """);
        ProcessBuilder pb = new ProcessBuilder("/usr/bin/python3", script.toString(), fixture.endpoint.toString(),
                Long.toString(T0.getEpochSecond())).redirectErrorStream(true);
        pb.environment().keySet().removeIf(k -> k.startsWith("AWS_"));
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out.strip()).isEqualTo("""
                loss:100:PartialData val:0:PartialData
                loss:100:PartialData val:0:PartialData
                loss:50:Complete val:40:Complete
                True""");
    }
}
