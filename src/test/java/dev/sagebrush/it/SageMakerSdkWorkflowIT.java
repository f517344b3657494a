package dev.sagebrush.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudwatch.CloudWatchClient;
import software.amazon.awssdk.services.cloudwatch.model.Datapoint;
import software.amazon.awssdk.services.cloudwatch.model.GetMetricDataResponse;
import software.amazon.awssdk.services.cloudwatch.model.GetMetricStatisticsResponse;
import software.amazon.awssdk.services.cloudwatch.model.Statistic;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient;
import software.amazon.awssdk.services.cloudwatchlogs.model.DescribeLogStreamsResponse;
import software.amazon.awssdk.services.cloudwatchlogs.model.GetLogEventsResponse;
import software.amazon.awssdk.services.cloudwatchlogs.model.OutputLogEvent;
import software.amazon.awssdk.services.cloudwatchlogs.model.ResourceNotFoundException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.sagemaker.SageMakerClient;
import software.amazon.awssdk.services.sagemaker.model.DescribeCompilationJobResponse;
import software.amazon.awssdk.services.sagemaker.model.DescribeTrainingJobResponse;
import software.amazon.awssdk.services.sagemaker.model.TrainingJobStatus;
import software.amazon.awssdk.services.sts.StsClient;

/**
 * Replays, through the AWS SDK for Java v2, the calls the SageMaker Python SDK v2 makes for its everyday workflow:
 * {@code Session().default_bucket()} (STS, S3), {@code Estimator.fit(logs=True)} with its default DebugHookConfig and
 * ProfilerConfig ({@code session.logs_for_job}: DescribeTrainingJob, DescribeLogStreams, GetLogEvents as
 * {@code logs.multi_stream_iter} pages them), {@code TrainingJobAnalytics(...).dataframe()} (GetMetricStatistics),
 * {@code Estimator.attach} (the Describe members it reads) and {@code Model.compile} (CreateCompilationJob, then
 * DescribeCompilationJob until it ends).
 */
class SageMakerSdkWorkflowIT {
    static final String IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/sdk-workflow:1.0";
    static final String ROLE = "arn:aws:iam::000000000000:role/SageMakerRole";
    static final String LOG_GROUP = "/aws/sagemaker/TrainingJobs";
    static final int EPOCHS = 8;

    static ServerFixture fixture;
    static SageMakerClient sm;
    static S3Client s3;
    static CloudWatchLogsClient logs;
    static CloudWatchClient cloudwatch;
    static StsClient sts;

    @BeforeAll
    static void start() throws IOException {
        Path dir = Files.createTempDirectory("sagebrush-sdk-workflow");
        Path script = dir.resolve("train.sh");
        // Prints the built-in XGBoost algorithm's metric lines slowly enough for the logs to be followed while it runs,
        // and leaves an XGBoost model where the algorithm does.
        Files.writeString(script, """
                set -eu
                echo "hyperparameters: $(cat "$SM_INPUT_CONFIG_DIR/hyperparameters.json")"
                echo "debughookconfig: $(cat "$SM_INPUT_CONFIG_DIR/debughookconfig.json")"
                i=1
                while [ "$i" -le %d ]; do
                  echo "[$i]#011train-rmse:0.$((10 - i)) validation-rmse:0.$((20 - i))"
                  sleep 0.5
                  i=$((i + 1))
                done
                cp "$(find "$SM_CHANNEL_TRAIN" -name model.json | head -n 1)" "$SM_MODEL_DIR/xgboost-model"
                """.formatted(EPOCHS));
        Path registry = dir.resolve("images.txt");
        Files.writeString(registry, IMAGE + " /bin/sh '" + script + "'\n");
        fixture = ServerFixture.start(c -> c.withTraining(c.training().withImagesFile(registry).withWorkers(2)));
        sm = fixture.sagemaker();
        s3 = fixture.s3();
        var creds = StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test"));
        logs = CloudWatchLogsClient.builder().endpointOverride(fixture.endpoint).region(Region.US_EAST_1)
                .credentialsProvider(creds).httpClientBuilder(Apache5HttpClient.builder()).build();
        cloudwatch = CloudWatchClient.builder().endpointOverride(fixture.endpoint).region(Region.US_EAST_1)
                .credentialsProvider(creds).httpClientBuilder(Apache5HttpClient.builder()).build();
        sts = StsClient.builder().endpointOverride(fixture.endpoint).region(Region.US_EAST_1)
                .credentialsProvider(creds).httpClientBuilder(Apache5HttpClient.builder()).build();
    }

    @AfterAll
    static void stop() {
        fixture.close();
    }

    /** session.default_bucket(): GetCallerIdentity for the account, then the bucket is looked for and created. */
    static String defaultBucket() {
        String account = sts.getCallerIdentity().account();
        String bucket = "sagemaker-us-east-1-" + account;
        try {
            s3.headBucket(b -> b.bucket(bucket));
        } catch (NoSuchBucketException e) {
            s3.createBucket(b -> b.bucket(bucket));
        }
        return bucket;
    }

    @Test
    void defaultBucketIsNamedForRegionAndAccountAsOnAws() {
        assertThat(defaultBucket()).isEqualTo("sagemaker-us-east-1-000000000000");
        assertThat(s3.listBuckets().buckets()).anySatisfy(b -> assertThat(b.name())
                .isEqualTo("sagemaker-us-east-1-000000000000"));
        assertThat(defaultBucket()).isEqualTo("sagemaker-us-east-1-000000000000"); // a second session finds it
    }

    @Test
    void fitWithLogsThenAnalyticsAttachAndCompile() throws Exception {
        String bucket = defaultBucket();
        s3.putObject(b -> b.bucket(bucket).key("data/train/model.json"),
                RequestBody.fromBytes(resource("fixtures/xgboost/binary_logistic.json")));
        String job = "sdk-xgb-2026-12-04-19-00-00-000";

        // Estimator.fit(): CreateTrainingJob as session._get_train_request builds it, with the SDK's defaults.
        sm.createTrainingJob(r -> r.trainingJobName(job).roleArn(ROLE)
                .algorithmSpecification(a -> a.trainingImage(IMAGE).trainingInputMode("File")
                        .metricDefinitions(m -> m.name("train:rmse").regex("train-rmse:([0-9\\.]+)"),
                                m -> m.name("validation:rmse").regex("validation-rmse:([0-9\\.]+)")))
                .inputDataConfig(c -> c.channelName("train").dataSource(d -> d.s3DataSource(s -> s
                        .s3DataType("S3Prefix").s3Uri("s3://" + bucket + "/data/train")
                        .s3DataDistributionType("FullyReplicated"))))
                .outputDataConfig(o -> o.s3OutputPath("s3://" + bucket + "/"))
                .resourceConfig(rc -> rc.instanceCount(1).instanceType("ml.m5.xlarge").volumeSizeInGB(30))
                .stoppingCondition(s -> s.maxRuntimeInSeconds(86400))
                .hyperParameters(Map.of("num_round", "8"))
                .debugHookConfig(d -> d.s3OutputPath("s3://" + bucket + "/").collectionConfigurations(List.of()))
                .profilerConfig(p -> p.s3OutputPath("s3://" + bucket + "/").disableProfiler(false)));

        // session.logs_for_job(job, wait=True): describe, then flush the log streams until the job has ended.
        List<String> printed = new ArrayList<>();
        Map<String, long[]> positions = new HashMap<>(); // stream -> {timestamp, skip}, as logs.Position
        List<String> streams = new ArrayList<>();
        boolean sawLinesWhileRunning = false;
        boolean sawMetricsWhileRunning = false;
        DescribeTrainingJobResponse d = sm.describeTrainingJob(r -> r.trainingJobName(job));
        int instanceCount = d.resourceConfig().instanceCount();
        Instant deadline = Instant.now().plusSeconds(120);
        boolean complete = false;
        boolean jobComplete = false;
        while (!complete) {
            assertThat(Instant.now()).isBefore(deadline);
            if (streams.size() < instanceCount) {
                try {
                    DescribeLogStreamsResponse found = logs.describeLogStreams(r -> r.logGroupName(LOG_GROUP)
                            .logStreamNamePrefix(job + "/").orderBy("LogStreamName").limit(Math.min(instanceCount, 50)));
                    streams.clear();
                    found.logStreams().forEach(s -> streams.add(s.logStreamName()));
                    streams.forEach(s -> positions.putIfAbsent(s, new long[] {0, 0}));
                } catch (ResourceNotFoundException e) {
                    // the group does not exist before the first job's container writes: the SDK ignores this
                }
            }
            for (String stream : streams) {
                int before = printed.size();
                readStream(stream, positions.get(stream), printed);
                if (printed.size() > before && !jobComplete) sawLinesWhileRunning = true;
            }
            if (jobComplete) {
                complete = true;
                break;
            }
            Thread.sleep(300); // the SDK's poll is 10 s; the calls are the same
            d = sm.describeTrainingJob(r -> r.trainingJobName(job));
            if (d.trainingJobStatus() == TrainingJobStatus.IN_PROGRESS && d.hasFinalMetricDataList()
                    && !d.finalMetricDataList().isEmpty()) {
                sawMetricsWhileRunning = true;
            }
            if (List.of(TrainingJobStatus.COMPLETED, TrainingJobStatus.FAILED, TrainingJobStatus.STOPPED)
                    .contains(d.trainingJobStatus())) {
                jobComplete = true;
            }
        }
        assertThat(d.trainingJobStatus()).as(d.failureReason() + "\n" + String.join("\n", printed))
                .isEqualTo(TrainingJobStatus.COMPLETED);
        assertThat(streams).singleElement().asString().matches(job + "/algo-1-[0-9]{10}");
        assertThat(printed).filteredOn(l -> l.contains("train-rmse")).hasSize(EPOCHS);
        assertThat(printed.get(printed.size() - 1)).isEqualTo("[8]#011train-rmse:0.2 validation-rmse:0.12");
        assertThat(printed).anySatisfy(l -> assertThat(l)
                .contains("debughookconfig: {\"CollectionConfigurations\":[],\"LocalPath\":")
                .contains("\"S3OutputPath\":\"s3://" + bucket + "/\""));
        assertThat(sawLinesWhileRunning).as("log lines were readable while the job ran").isTrue();
        assertThat(sawMetricsWhileRunning).as("FinalMetricDataList filled while the job ran").isTrue();
        assertThat(d.billableTimeInSeconds()).isPositive(); // "Billable seconds:" is printed from it
        assertThat(d.profilingStatusAsString()).isEqualTo("Disabled");
        assertThat(d.debugHookConfig().s3OutputPath()).isEqualTo("s3://" + bucket + "/");
        assertThat(d.profilerConfig().disableProfiler()).isFalse();

        analytics(job);
        attach(job, bucket);
        compile(job, bucket);
    }

    /** logs.log_stream: GetLogEvents from the position's timestamp, startFromHead, until a page has no events. */
    static void readStream(String stream, long[] position, List<String> printed) {
        String token = null;
        long skip = position[1];
        while (true) {
            String t = token;
            GetLogEventsResponse page = logs.getLogEvents(r -> r.logGroupName(LOG_GROUP).logStreamName(stream)
                    .startTime(position[0]).startFromHead(true).nextToken(t));
            token = page.nextForwardToken();
            List<OutputLogEvent> events = page.events();
            if (events.isEmpty()) return;
            if (events.size() > skip) {
                events = events.subList((int) skip, events.size());
                skip = 0;
            } else {
                skip -= events.size();
                events = List.of();
            }
            for (OutputLogEvent e : events) {
                printed.add(e.message());
                // _flush_log_streams: the same timestamp again means one more to skip next time
                if (e.timestamp() == position[0]) {
                    position[1]++;
                } else {
                    position[0] = e.timestamp();
                    position[1] = 1;
                }
            }
        }
    }

    /** TrainingJobAnalytics(job).dataframe(): the metric names from Describe, then GetMetricStatistics per metric. */
    static void analytics(String job) {
        DescribeTrainingJobResponse d = sm.describeTrainingJob(r -> r.trainingJobName(job));
        Instant start = d.trainingStartTime();
        Instant end = d.trainingEndTime().plusSeconds(60);
        GetMetricStatisticsResponse stats = cloudwatch.getMetricStatistics(r -> r
                .namespace("/aws/sagemaker/TrainingJobs").metricName("train:rmse")
                .dimensions(dim -> dim.name("TrainingJobName").value(job))
                .startTime(start).endTime(end).period(60).statistics(Statistic.AVERAGE));
        assertThat(stats.datapoints()).isNotEmpty();
        for (Datapoint p : stats.datapoints()) assertThat(p.average()).isBetween(0.2, 0.9);

        GetMetricStatisticsResponse whole = cloudwatch.getMetricStatistics(r -> r
                .namespace("/aws/sagemaker/TrainingJobs").metricName("train:rmse")
                .dimensions(dim -> dim.name("Host").value(job + "/algo-1"))
                .startTime(start.minusSeconds(3600)).endTime(end).period(7200)
                .statistics(Statistic.SAMPLE_COUNT, Statistic.AVERAGE, Statistic.MINIMUM, Statistic.MAXIMUM));
        assertThat(whole.datapoints()).singleElement().satisfies(p -> {
            assertThat(p.sampleCount()).isEqualTo(EPOCHS);
            assertThat(p.average()).isCloseTo(0.55, org.assertj.core.data.Offset.offset(1e-9));
            assertThat(p.minimum()).isEqualTo(0.2);
            assertThat(p.maximum()).isEqualTo(0.9);
        });

        GetMetricDataResponse data = cloudwatch.getMetricData(r -> r.startTime(start.minusSeconds(3600)).endTime(end)
                .metricDataQueries(q -> q.id("v").metricStat(ms -> ms.period(7200).stat("Maximum")
                        .metric(m -> m.namespace("/aws/sagemaker/TrainingJobs").metricName("validation:rmse")
                                .dimensions(dim -> dim.name("TrainingJobName").value(job))))));
        assertThat(data.metricDataResults()).singleElement().satisfies(res -> {
            assertThat(res.id()).isEqualTo("v");
            assertThat(res.values()).containsExactly(0.19);
            assertThat(res.timestamps()).hasSize(1);
        });

        assertThat(cloudwatch.listMetrics(r -> r.namespace("/aws/sagemaker/TrainingJobs")
                .dimensions(f -> f.name("TrainingJobName").value(job))).metrics())
                .extracting(m -> m.metricName()).containsExactlyInAnyOrder("train:rmse", "validation:rmse");
    }

    /** Estimator.attach reads these members of the Describe answer with [] (a missing one is a KeyError). */
    static void attach(String job, String bucket) throws IOException {
        RawClient.Response r = new RawClient(fixture.endpoint).call("SageMaker.DescribeTrainingJob",
                "{\"TrainingJobName\":\"" + job + "\"}");
        JsonNode d = new ObjectMapper().readTree(r.body());
        assertThat(d.at("/RoleArn").asText()).isEqualTo(ROLE);
        assertThat(d.at("/ResourceConfig/InstanceCount").asInt()).isEqualTo(1);
        assertThat(d.at("/ResourceConfig/InstanceType").asText()).isEqualTo("ml.m5.xlarge");
        assertThat(d.at("/ResourceConfig/VolumeSizeInGB").asInt()).isEqualTo(30);
        assertThat(d.at("/StoppingCondition/MaxRuntimeInSeconds").asInt()).isEqualTo(86400);
        assertThat(d.at("/AlgorithmSpecification/TrainingInputMode").asText()).isEqualTo("File");
        assertThat(d.at("/AlgorithmSpecification/TrainingImage").asText()).isEqualTo(IMAGE);
        assertThat(d.at("/OutputDataConfig/S3OutputPath").asText()).isEqualTo("s3://" + bucket + "/");
        assertThat(d.at("/OutputDataConfig/KmsKeyId").isTextual()).isTrue();
        assertThat(d.at("/OutputDataConfig/KmsKeyId").asText()).isEmpty();
        assertThat(d.at("/TrainingJobName").asText()).isEqualTo(job);
        assertThat(d.at("/HyperParameters/num_round").asText()).isEqualTo("8");
        assertThat(d.at("/EnableNetworkIsolation").isBoolean()).isTrue();
        assertThat(d.at("/EnableInterContainerTrafficEncryption").isBoolean()).isTrue();
        assertThat(d.at("/EnableManagedSpotTraining").isBoolean()).isTrue();
        assertThat(d.at("/ModelArtifacts/S3ModelArtifacts").asText())
                .isEqualTo("s3://" + bucket + "/" + job + "/output/model.tar.gz");
        assertThat(d.at("/InputDataConfig/0/CompressionType").asText()).isEqualTo("None");
        assertThat(d.at("/InputDataConfig/0/RecordWrapperType").asText()).isEqualTo("None");
    }

    /** Model.compile: session.compile_model's request, then wait_for_compilation_job polls Describe. */
    static void compile(String job, String bucket) throws Exception {
        String model = "s3://" + bucket + "/" + job + "/output/model.tar.gz";
        String name = "sdk-xgb-compiled";
        sm.createCompilationJob(r -> r.compilationJobName(name).roleArn(ROLE)
                .inputConfig(i -> i.s3Uri(model).dataInputConfig("{\"data\": [1, 4]}").framework("XGBOOST"))
                .outputConfig(o -> o.s3OutputLocation("s3://" + bucket + "/compiled").targetDevice("ml_c5"))
                .stoppingCondition(s -> s.maxRuntimeInSeconds(900)));
        DescribeCompilationJobResponse d;
        Instant deadline = Instant.now().plus(Duration.ofMinutes(5));
        do {
            Thread.sleep(500);
            d = sm.describeCompilationJob(r -> r.compilationJobName(name));
            assertThat(Instant.now()).isBefore(deadline);
        } while (List.of("INPROGRESS", "STARTING").contains(d.compilationJobStatusAsString()));
        assertThat(d.compilationJobStatusAsString()).as(d.failureReason()).isEqualTo("COMPLETED");
        String artifacts = d.modelArtifacts().s3ModelArtifacts();
        assertThat(artifacts).startsWith("s3://" + bucket + "/compiled/");
        assertThat(s3.headObject(b -> b.bucket(bucket).key(artifacts.substring(("s3://" + bucket + "/").length())))
                .contentLength()).isPositive();
    }

    static byte[] resource(String path) throws IOException {
        try (InputStream in = SageMakerSdkWorkflowIT.class.getClassLoader().getResourceAsStream(path)) {
            return in.readAllBytes();
        }
    }
}
