package dev.sagebrush.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sagebrush.storage.SafeArchive;
import dev.sagebrush.testsupport.Prerequisites;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudwatch.CloudWatchClient;
import software.amazon.awssdk.services.cloudwatch.model.Statistic;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sagemaker.SageMakerClient;
import software.amazon.awssdk.services.sagemaker.model.Channel;
import software.amazon.awssdk.services.sagemaker.model.CompilationJobStatus;
import software.amazon.awssdk.services.sagemaker.model.CreateTrainingJobRequest;
import software.amazon.awssdk.services.sagemaker.model.DescribeCompilationJobResponse;
import software.amazon.awssdk.services.sagemaker.model.DescribeTrainingJobResponse;
import software.amazon.awssdk.services.sagemaker.model.Framework;
import software.amazon.awssdk.services.sagemaker.model.MetricData;
import software.amazon.awssdk.services.sagemaker.model.MetricDefinition;
import software.amazon.awssdk.services.sagemaker.model.SearchResponse;
import software.amazon.awssdk.services.sagemaker.model.TrainingJobStatus;

/**
 * SageMaker's built-in XGBoost algorithm by its AWS image URI, on a server with NO image registry: CSV with a
 * validation channel (metrics from the algorithm's own definitions), libsvm, a pickling version, the algorithm's
 * errors, and then train → compile (as the SageMaker SDK's compile_model asks) → run on a Raspberry Pi 3 (armv7hf,
 * under qemu), its predictions compared with xgboost's own on the same rows.
 */
class BuiltinXgboostIT {
    static final String IMAGE_17 = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1";
    static final String IMAGE_15 = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.5-1";
    static final String IMAGE_090 = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:0.90-1-cpu-py3";
    static final int FEATURES = 4;
    static ServerFixture fixture;
    static SageMakerClient sm;
    static S3Client s3;
    @TempDir static Path tmp;

    @BeforeAll
    static void start() {
        Prerequisites.require(pythonHasXgboost(), "/usr/bin/python3 with xgboost (Debian package python3-xgboost)");
        fixture = ServerFixture.start(c -> c.withCompileWorkers(1));
        sm = fixture.sagemaker();
        s3 = fixture.s3();
        s3.createBucket(b -> b.bucket("data"));
        s3.createBucket(b -> b.bucket("out"));
        s3.putObject(b -> b.bucket("data").key("csv/train/part-0.csv"), RequestBody.fromString(csv(0, 300)));
        s3.putObject(b -> b.bucket("data").key("csv/train/part-1.csv"), RequestBody.fromString(csv(300, 200)));
        s3.putObject(b -> b.bucket("data").key("csv/validation/v.csv"), RequestBody.fromString(csv(1000, 150)));
        s3.putObject(b -> b.bucket("data").key("libsvm/train/t.libsvm"), RequestBody.fromString(libsvm(0, 400)));
    }

    @AfterAll
    static void stop() {
        if (s3 != null) s3.close();
        if (fixture != null) fixture.close();
    }

    static boolean pythonHasXgboost() {
        try {
            Process p = new ProcessBuilder("/usr/bin/python3", "-c", "import xgboost").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (Exception e) {
            return false;
        }
    }

    /** Row i: four features from a fixed seed, label = a smooth function of them (regression). */
    static double[] row(int i) {
        Random r = new Random(1000L + i);
        double[] x = new double[FEATURES];
        for (int j = 0; j < FEATURES; j++) x[j] = Math.round(r.nextGaussian() * 1000) / 1000.0;
        return x;
    }

    static double label(double[] x) {
        return Math.round((2 * x[0] + x[1] * x[1] - x[2] + 0.5 * x[3]) * 1000) / 1000.0;
    }

    static String csv(int from, int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = from; i < from + n; i++) {
            double[] x = row(i);
            sb.append(label(x));
            for (double v : x) sb.append(',').append(v);
            sb.append('\n');
        }
        return sb.toString();
    }

    static String libsvm(int from, int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = from; i < from + n; i++) {
            double[] x = row(i);
            sb.append(label(x) > 0 ? 1 : 0);
            for (int j = 0; j < FEATURES; j++) if (x[j] != 0) sb.append(' ').append(j + 1).append(':').append(x[j]);
            sb.append('\n');
        }
        return sb.toString();
    }

    static Channel channel(String name, String prefix, String contentType) {
        return Channel.builder().channelName(name).contentType(contentType).dataSource(d -> d.s3DataSource(s -> s
                .s3DataType("S3Prefix").s3Uri("s3://data/" + prefix).s3DataDistributionType("FullyReplicated")))
                .build();
    }

    static CreateTrainingJobRequest.Builder job(String name, String image, Map<String, String> hps, Channel... channels) {
        // What the SageMaker Python SDK's Estimator(image_uri=...).fit() sends for the built-in algorithm.
        return CreateTrainingJobRequest.builder()
                .trainingJobName(name)
                .roleArn("arn:aws:iam::000000000000:role/SageMakerRole")
                .algorithmSpecification(a -> a.trainingImage(image).trainingInputMode("File"))
                .hyperParameters(hps)
                .inputDataConfig(channels)
                .outputDataConfig(o -> o.s3OutputPath("s3://out/xgb"))
                .resourceConfig(r -> r.instanceType("ml.m5.large").instanceCount(1).volumeSizeInGB(30))
                .stoppingCondition(s -> s.maxRuntimeInSeconds(600));
    }

    static DescribeTrainingJobResponse run(CreateTrainingJobRequest request) throws Exception {
        sm.createTrainingJob(request);
        return Waits.until(() -> sm.describeTrainingJob(r -> r.trainingJobName(request.trainingJobName())),
                d -> d.trainingJobStatus() == TrainingJobStatus.COMPLETED || d.trainingJobStatus() == TrainingJobStatus.FAILED
                        || d.trainingJobStatus() == TrainingJobStatus.STOPPED, Duration.ofMinutes(3));
    }

    static String log(String job) throws Exception {
        return Files.readString(fixture.dataDir.resolve("training/000000000000/us-east-1/" + job + "/algo-1.log"));
    }

    static double metric(DescribeTrainingJobResponse d, String name) {
        return d.finalMetricDataList().stream().filter(m -> m.metricName().equals(name)).findFirst()
                .map(MetricData::value).orElseThrow(() -> new AssertionError("no " + name + " in " + d.finalMetricDataList()))
                .doubleValue();
    }

    /** Unpacks the job's model.tar.gz and returns its xgboost-model. */
    static Path model(DescribeTrainingJobResponse d) throws Exception {
        String uri = d.modelArtifacts().s3ModelArtifacts();
        assertThat(uri).isEqualTo("s3://out/xgb/" + d.trainingJobName() + "/output/model.tar.gz");
        Path archive = tmp.resolve(d.trainingJobName() + ".tar.gz");
        s3.getObject(b -> b.bucket("out").key(uri.substring("s3://out/".length())), archive);
        Path dir = tmp.resolve(d.trainingJobName());
        SafeArchive.extractTarGz(archive, dir, SafeArchive.Limits.DEFAULT);
        assertThat(Files.list(dir).map(p -> p.getFileName().toString()).toList()).containsExactly("xgboost-model");
        return dir.resolve("xgboost-model");
    }

    @Test
    void csvWithValidationFillsTheAlgorithmsMetricsAndCompilesForRaspberryPi3() throws Exception {
        DescribeTrainingJobResponse d = run(job("xgb-csv", IMAGE_17, Map.of("num_round", "30", "objective",
                "reg:squarederror", "eta", "0.3", "max_depth", "4", "subsample", "0.9"),
                channel("train", "csv/train/", "text/csv"), channel("validation", "csv/validation/", "text/csv")).build());
        assertThat(d.failureReason()).isNull();
        assertThat(d.trainingJobStatus()).isEqualTo(TrainingJobStatus.COMPLETED);
        // The algorithm's own metric definitions, as DescribeTrainingJob shows them on AWS.
        assertThat(d.algorithmSpecification().metricDefinitions()).extracting(MetricDefinition::name)
                .contains("train:rmse", "validation:rmse", "validation:auc").hasSize(37);
        assertThat(metric(d, "train:rmse")).isPositive().isLessThan(metric(d, "validation:rmse"));
        assertThat(d.finalMetricDataList()).extracting(MetricData::metricName)
                .containsExactlyInAnyOrder("train:rmse", "validation:rmse");
        String log = log("xgb-csv");
        assertThat(log).contains("Train matrix has 500 rows and 4 columns").contains("Validation matrix has 150 rows")
                // it ran in the training sandbox, which shows the job's directory at /opt/ml
                .contains("Stored trained model at /opt/ml/model/xgboost-model")
                .containsPattern("\\[29\\]\ttrain-rmse:[0-9.]+\tvalidation-rmse:[0-9.]+\n");
        String last = log.lines().filter(l -> l.startsWith("[29]\t")).findFirst().orElseThrow();
        assertThat(last).contains(String.format(Locale.ROOT, "validation-rmse:%.5f", metric(d, "validation:rmse")));

        // CloudWatch: one point per round for each of the algorithm's metrics, and the metric lines in the job's stream.
        var creds = software.amazon.awssdk.auth.credentials.StaticCredentialsProvider.create(
                software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create("test", "test"));
        try (CloudWatchClient cw = CloudWatchClient.builder().endpointOverride(fixture.endpoint)
                .region(Region.US_EAST_1).credentialsProvider(creds).build();
             CloudWatchLogsClient cwl = CloudWatchLogsClient.builder().endpointOverride(fixture.endpoint)
                .region(Region.US_EAST_1).credentialsProvider(creds).build()) {
            assertThat(cw.listMetrics(r -> r.namespace("/aws/sagemaker/TrainingJobs")
                    .dimensions(f -> f.name("TrainingJobName").value("xgb-csv"))).metrics())
                    .extracting(m -> m.metricName()).containsExactlyInAnyOrder("train:rmse", "validation:rmse");
            var stats = cw.getMetricStatistics(r -> r.namespace("/aws/sagemaker/TrainingJobs")
                    .metricName("validation:rmse").dimensions(x -> x.name("Host").value("xgb-csv/algo-1"))
                    .startTime(d.trainingStartTime().minusSeconds(3600)).endTime(d.trainingEndTime().plusSeconds(60))
                    .period(7200).statistics(Statistic.SAMPLE_COUNT, Statistic.MINIMUM));
            assertThat(stats.datapoints()).singleElement().satisfies(p -> {
                assertThat(p.sampleCount()).isEqualTo(30.0);
                assertThat(p.minimum()).isLessThanOrEqualTo(metric(d, "validation:rmse") + 1e-6);
            });
            String stream = cwl.describeLogStreams(r -> r.logGroupName("/aws/sagemaker/TrainingJobs")
                    .logStreamNamePrefix("xgb-csv/")).logStreams().get(0).logStreamName();
            assertThat(cwl.getLogEvents(r -> r.logGroupName("/aws/sagemaker/TrainingJobs").logStreamName(stream)
                    .startFromHead(true)).events()).extracting(e -> e.message())
                    .anyMatch(m -> m.startsWith("[29]") && m.contains("validation-rmse:"));
        }

        SearchResponse found = sm.search(s -> s.resource("TrainingJob").searchExpression(e -> e.filters(
                f -> f.name("Metrics.validation:rmse").operator("LessThan").value("100"))));
        assertThat(found.results()).extracting(r -> r.trainingJob().trainingJobName()).contains("xgb-csv");

        // 1.3-1 and later save with Booster.save_model: XGBoost's binary format.
        Path model = model(d);
        assertThat(new String(Files.readAllBytes(model), 0, 4, StandardCharsets.ISO_8859_1)).isEqualTo("binf");

        // compile_model of that output: the S3 artifact as it is, Framework XGBOOST, for a Raspberry Pi 3.
        compileAndCompareWithXgboost(d, model, FEATURES, "rasp3b", false);
    }

    /**
     * Compiles the job's S3 model artifact as the SageMaker SDK's compile_model does, downloads the result, runs it
     * on the device's CPU (natively or under qemu) and compares its margins with xgboost's on the same rows.
     */
    static void compileAndCompareWithXgboost(DescribeTrainingJobResponse d, Path model, int width, String device,
                                            boolean pickled)
            throws Exception {
        boolean arm = device.equals("rasp3b");
        if (arm) {
            Prerequisites.require(onPath("qemu-arm-static") && onPath("arm-linux-gnueabihf-gcc"),
                    "qemu-arm-static and arm-linux-gnueabihf-gcc (Debian qemu-user-static, gcc-arm-linux-gnueabihf)");
        }
        String name = d.trainingJobName() + "-" + device.replace('_', '-');
        sm.createCompilationJob(c -> c.compilationJobName(name)
                .roleArn("arn:aws:iam::000000000000:role/SageMakerRole")
                .inputConfig(i -> i.s3Uri(d.modelArtifacts().s3ModelArtifacts())
                        .dataInputConfig("{\"data\": [1, " + width + "]}").framework(Framework.XGBOOST))
                .outputConfig(o -> o.s3OutputLocation("s3://out/compiled/").targetDevice(device))
                .stoppingCondition(s -> s.maxRuntimeInSeconds(900)));
        DescribeCompilationJobResponse c = Waits.until(() -> sm.describeCompilationJob(r -> r.compilationJobName(name)),
                j -> j.compilationJobStatus() == CompilationJobStatus.COMPLETED
                        || j.compilationJobStatus() == CompilationJobStatus.FAILED, Duration.ofMinutes(5));
        assertThat(c.failureReason()).isEmpty();
        assertThat(c.compilationJobStatus()).isEqualTo(CompilationJobStatus.COMPLETED);
        Path compiled = tmp.resolve(name);
        Path archive = tmp.resolve(name + ".tar.gz");
        String key = c.modelArtifacts().s3ModelArtifacts().substring("s3://out/".length());
        s3.getObject(b -> b.bucket("out").key(key), archive);
        SafeArchive.extractTarGz(archive, compiled, SafeArchive.Limits.DEFAULT);

        // The same rows through the device's library and through xgboost itself.
        int n = 64;
        ByteBuffer rows = ByteBuffer.allocate(n * width * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) for (int j = 0; j < width; j++) rows.putFloat((float) row(5000 + i)[j % FEATURES]);
        Path work = Files.createDirectories(tmp.resolve(name + "-device"));
        Files.write(work.resolve("rows.f32"), rows.array());
        Files.write(work.resolve("harness.c"), XgboostCompilationIT.fixture("dev/sagebrush/compilation/xgboost/neo_harness.c"));
        XgboostCompilationIT.exec(work, arm ? "arm-linux-gnueabihf-gcc" : "gcc", "-O2", "-o", "harness", "harness.c", "-ldl");
        List<String> run = new ArrayList<>(arm ? List.of("qemu-arm-static", "-L", "/usr/arm-linux-gnueabihf") : List.of());
        run.addAll(List.of("./harness", compiled.resolve("compiled.so").toString(), "rows.f32", "margin.f32", "pred.f32"));
        XgboostCompilationIT.exec(work, run.toArray(String[]::new));
        XgboostCompilationIT.exec(work, "/usr/bin/python3", "-c", String.join("\n",
                "import pickle, sys, numpy as np, xgboost as xgb",
                pickled ? "b = pickle.load(open(sys.argv[1], 'rb'))" : "b = xgb.Booster(model_file=sys.argv[1])",
                "x = np.fromfile('rows.f32', dtype='<f4').reshape(-1, " + width + ")",
                "np.asarray(b.predict(xgb.DMatrix(x), output_margin=True), dtype='<f4').tofile('xgb.f32')"),
                model.toString());
        float[] onDevice = XgboostCompilationIT.floats(Files.readAllBytes(work.resolve("margin.f32")));
        float[] xgboost = XgboostCompilationIT.floats(Files.readAllBytes(work.resolve("xgb.f32")));
        assertThat(onDevice).hasSize(n);
        for (int i = 0; i < n; i++) {
            assertThat(Float.floatToRawIntBits(onDevice[i])).as("row %d: device %s, xgboost %s", i, onDevice[i], xgboost[i])
                    .isEqualTo(Float.floatToRawIntBits(xgboost[i]));
        }
    }

    @Test
    void libsvmBinaryClassification() throws Exception {
        DescribeTrainingJobResponse d = run(job("xgb-libsvm", IMAGE_15, Map.of("num_round", "10", "objective",
                "binary:logistic", "eval_metric", "auc,error", "max_depth", "3"),
                channel("train", "libsvm/train/", "text/libsvm")).build());
        assertThat(d.failureReason()).isNull();
        assertThat(d.trainingJobStatus()).isEqualTo(TrainingJobStatus.COMPLETED);
        assertThat(metric(d, "train:auc")).isGreaterThan(0.8).isLessThanOrEqualTo(1.0);
        assertThat(metric(d, "train:error")).isLessThan(0.3);
        assertThat(log("xgb-libsvm")).containsPattern("\\[9\\]\ttrain-auc:[0-9.]+\ttrain-error:[0-9.]+\n");
    }

    @Test
    void versionsBefore13PickleTheBooster() throws Exception {
        DescribeTrainingJobResponse d = run(job("xgb-090", IMAGE_090, Map.of("num_round", "3"),
                channel("train", "libsvm/train/", null)).build()); // no ContentType: the algorithm reads libsvm
        assertThat(d.failureReason()).isNull();
        assertThat(d.trainingJobStatus()).isEqualTo(TrainingJobStatus.COMPLETED);
        Path model = model(d);
        byte[] bytes = Files.readAllBytes(model);
        assertThat(bytes[0] & 0xff).as("pickle protocol marker").isEqualTo(0x80);
        assertThat(new String(bytes, StandardCharsets.ISO_8859_1)).contains("xgboost.core").contains("Booster");
        // compile_model takes the pickle as it is (libsvm indices 1..4: five columns, the first unused).
        compileAndCompareWithXgboost(d, model, FEATURES + 1, "ml_c5", true);
    }

    @Test
    void badHyperparametersFailWithTheAlgorithmsMessage() throws Exception {
        DescribeTrainingJobResponse d = run(job("xgb-bad-eta", IMAGE_17, Map.of("num_round", "5", "eta", "2"),
                channel("train", "csv/train/", "text/csv")).build());
        assertThat(d.trainingJobStatus()).isEqualTo(TrainingJobStatus.FAILED);
        assertThat(d.failureReason()).isEqualTo("ClientError: Hyperparameter eta: 2.0 is not in [0, 1]");

        DescribeTrainingJobResponse missing = run(job("xgb-no-rounds", IMAGE_17, Map.of("max_depth", "3"),
                channel("train", "csv/train/", "text/csv")).build());
        assertThat(missing.failureReason()).isEqualTo("ClientError: Missing required hyperparameter: num_round");
        assertThat(missing.secondaryStatusTransitions()).extracting(t -> t.statusAsString()).contains("Training", "Failed");
    }

    @Test
    void unsupportedContentTypeFailsWithTheAlgorithmsMessage() throws Exception {
        DescribeTrainingJobResponse d = run(job("xgb-json", IMAGE_17, Map.of("num_round", "5"),
                channel("train", "csv/train/", "application/json")).build());
        assertThat(d.trainingJobStatus()).isEqualTo(TrainingJobStatus.FAILED);
        assertThat(d.failureReason()).isEqualTo("ClientError: Channel configuration for 'train' channel is not "
                + "supported: {'ContentType': 'application/json', 'RecordWrapperType': 'None', "
                + "'S3DistributionType': 'FullyReplicated', 'TrainingInputMode': 'File'}");
    }

    @Test
    void anImageOfAnotherAccountIsNotTheBuiltinAlgorithm() throws Exception {
        DescribeTrainingJobResponse d = run(job("xgb-fake", "123456789012.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1",
                Map.of("num_round", "5"), channel("train", "csv/train/", "text/csv")).build());
        assertThat(d.trainingJobStatus()).isEqualTo(TrainingJobStatus.FAILED);
        assertThat(d.failureReason()).startsWith("ClientError: The training image '123456789012.dkr.ecr");
        assertThat(d.algorithmSpecification().metricDefinitions()).isEmpty();
    }

    @Test
    void theOperatorsRegistryWinsOverTheBuiltinAlgorithm() throws Exception {
        Path registry = tmp.resolve("images.txt");
        Files.writeString(registry, IMAGE_17 + " /bin/sh -c 'echo operator-command-ran; exit 0' sh\n");
        try (ServerFixture other = ServerFixture.start(c -> c.withCompileWorkers(0)
                .withTraining(c.training().withImagesFile(registry)));
             SageMakerClient client = other.sagemaker(); S3Client otherS3 = other.s3()) {
            otherS3.createBucket(b -> b.bucket("data"));
            otherS3.createBucket(b -> b.bucket("out"));
            otherS3.putObject(b -> b.bucket("data").key("csv/train/a.csv"), RequestBody.fromString(csv(0, 10)));
            CreateTrainingJobRequest request = job("xgb-operator", IMAGE_17, Map.of("num_round", "5"),
                    channel("train", "csv/train/", "text/csv")).build();
            client.createTrainingJob(request);
            DescribeTrainingJobResponse d = Waits.until(() -> client.describeTrainingJob(r -> r.trainingJobName("xgb-operator")),
                    j -> j.trainingJobStatus() != TrainingJobStatus.IN_PROGRESS, Duration.ofMinutes(2));
            assertThat(d.trainingJobStatus()).isEqualTo(TrainingJobStatus.COMPLETED);
            assertThat(Files.readString(other.dataDir.resolve("training/000000000000/us-east-1/xgb-operator/algo-1.log")))
                    .contains("operator-command-ran").doesNotContain("Running XGBoost Sagemaker in algorithm mode");
        }
    }

    static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            if (Files.isExecutable(Path.of(dir, tool))) return true;
        }
        return false;
    }
}
