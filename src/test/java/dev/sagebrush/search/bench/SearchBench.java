package dev.sagebrush.search.bench;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sagebrush.search.SearchPage;
import dev.sagebrush.search.TrainingJobIndex;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import software.amazon.awssdk.services.sagemaker.model.Filter;
import software.amazon.awssdk.services.sagemaker.model.NestedFilters;
import software.amazon.awssdk.services.sagemaker.model.SearchExpression;
import software.amazon.awssdk.services.sagemaker.model.SearchRequest;

/**
 * Search latency over 100,000 generated training jobs (SampleTime: the report's p0.50 is the median).
 *
 * <pre>
 * mvn -q -B test-compile
 * java -cp target/test-classes:target/classes:$(cat target/test-classpath.txt) org.openjdk.jmh.Main SearchBench \
 *     -f 1 -wi 2 -i 3
 * </pre>
 * (test-classpath.txt lists the dependencies only, hence target/classes.) Measured on a noisy 2-vCPU Xeon VM,
 * medians: issueQuery 4.1 ms (2,055 hits), completedNewestFirst 2.5 ms (~57k hits), allSortedByMetric 6.5 ms
 * (1.8 ms in a quieter run); tails are GC and neighbours (the index holds ~1 GB of JSON trees).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx6g"})
public class SearchBench {
    static final int JOBS = 100_000;
    static final String[] STATUSES = {"Completed", "Completed", "Completed", "Completed", "Failed", "Stopped",
        "InProgress"};

    TrainingJobIndex index;
    SearchRequest issueQuery;
    SearchRequest completedNewestFirst;
    SearchRequest allByAuc;

    @Setup(Level.Trial)
    public void setUp() {
        index = new TrainingJobIndex("benchmark-key-benchmark-key-0000".getBytes(StandardCharsets.UTF_8));
        Random random = new Random(42);
        for (int i = 0; i < JOBS; i++) {
            index.put(job(i, random));
        }
        // The issue's example: Completed jobs with Metrics.validation:auc > 0.9 and HyperParameters.max_depth < 8
        // that read a channel named train from s3://data/2026/, newest first, 20 per page.
        SearchExpression expression = SearchExpression.builder()
                .filters(filter("TrainingJobStatus", "Equals", "Completed"),
                        filter("Metrics.validation:auc", "GreaterThan", "0.9"),
                        filter("HyperParameters.max_depth", "LessThan", "8"))
                .nestedFilters(NestedFilters.builder().nestedPropertyName("InputDataConfig").filters(
                        filter("InputDataConfig.ChannelName", "Equals", "train"),
                        filter("InputDataConfig.DataSource.S3DataSource.S3Uri", "Contains", "s3://data/2026/"))
                        .build())
                .build();
        issueQuery = SearchRequest.builder().resource("TrainingJob").searchExpression(expression)
                .sortBy("LastModifiedTime").sortOrder("Descending").maxResults(20).build();
        completedNewestFirst = SearchRequest.builder().resource("TrainingJob").searchExpression(SearchExpression
                .builder().filters(filter("TrainingJobStatus", "Equals", "Completed")).build()).maxResults(20).build();
        allByAuc = SearchRequest.builder().resource("TrainingJob").sortBy("Metrics.validation:auc").maxResults(100)
                .build();
        SearchPage page = index.search(issueQuery);
        System.out.printf("%n[setup] %d jobs indexed; issue query: %d hits, first page %d%n", JOBS,
                page.totalHits(), page.documents().size());
    }

    @Benchmark
    public SearchPage issueQuery() { return index.search(issueQuery); }

    @Benchmark
    public SearchPage completedNewestFirst() { return index.search(completedNewestFirst); }

    @Benchmark
    public SearchPage allSortedByMetric() { return index.search(allByAuc); }

    static Filter filter(String name, String op, String value) {
        return Filter.builder().name(name).operator(op).value(value).build();
    }

    /** A realistic-sized XGBoost training job record (~60 values, 2-3 channels, 3 metrics, tags). */
    static ObjectNode job(int i, Random random) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        String name = "xgb-" + i;
        long created = 1_704_067_200L + random.nextInt(3 * 365 * 86_400); // 2024..2026
        String status = STATUSES[random.nextInt(STATUSES.length)];
        ObjectNode j = f.objectNode();
        j.put("TrainingJobName", name);
        j.put("TrainingJobArn", "arn:aws:sagemaker:us-east-1:123456789012:training-job/" + name);
        j.put("TrainingJobStatus", status);
        j.put("SecondaryStatus", status);
        j.putObject("ModelArtifacts").put("S3ModelArtifacts", "s3://models/" + name + "/output/model.tar.gz");
        ObjectNode hp = j.putObject("HyperParameters");
        hp.put("max_depth", Integer.toString(2 + random.nextInt(11)));
        hp.put("eta", Double.toString(Math.round(random.nextDouble() * 1000) / 1000.0));
        hp.put("num_round", Integer.toString(50 + random.nextInt(500)));
        hp.put("objective", random.nextBoolean() ? "binary:logistic" : "reg:squarederror");
        ObjectNode algo = j.putObject("AlgorithmSpecification");
        algo.put("TrainingImage", "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1");
        algo.put("TrainingInputMode", "File");
        j.put("RoleArn", "arn:aws:iam::123456789012:role/SageMakerRole");
        ArrayNode channels = j.putArray("InputDataConfig");
        int year = 2024 + random.nextInt(3);
        channel(channels, "train", "s3://data/" + year + "/" + (1 + random.nextInt(12)) + "/train/");
        channel(channels, "validation", "s3://data/" + (2024 + random.nextInt(3)) + "/validation/");
        if (random.nextInt(4) == 0) {
            channel(channels, "test", "s3://data/" + (2024 + random.nextInt(3)) + "/test/");
        }
        j.putObject("OutputDataConfig").put("S3OutputPath", "s3://models/" + name + "/output");
        ObjectNode rc = j.putObject("ResourceConfig");
        rc.put("InstanceType", random.nextBoolean() ? "ml.m5.xlarge" : "ml.c5.2xlarge");
        rc.put("InstanceCount", 1 + random.nextInt(4));
        rc.put("VolumeSizeInGB", 30);
        j.putObject("StoppingCondition").put("MaxRuntimeInSeconds", 86_400);
        j.put("CreationTime", created);
        j.put("TrainingStartTime", created + 60);
        long end = created + 60 + random.nextInt(7200);
        if (!status.equals("InProgress")) {
            j.put("TrainingEndTime", end);
        }
        j.put("LastModifiedTime", end + random.nextDouble());
        ArrayNode transitions = j.putArray("SecondaryStatusTransitions");
        for (String s : new String[] {"Starting", "Downloading", "Training"}) {
            ObjectNode t = transitions.addObject();
            t.put("Status", s);
            t.put("StartTime", created);
            t.put("StatusMessage", s + " the training job");
        }
        if (status.equals("Completed") || random.nextInt(3) == 0) {
            ArrayNode metrics = j.putArray("FinalMetricDataList");
            metric(metrics, "validation:auc", 0.5 + random.nextDouble() / 2, end);
            metric(metrics, "train:auc", 0.5 + random.nextDouble() / 2, end);
            metric(metrics, "validation:logloss", random.nextDouble(), end);
        }
        j.put("EnableNetworkIsolation", false);
        j.put("EnableInterContainerTrafficEncryption", false);
        j.put("EnableManagedSpotTraining", random.nextBoolean());
        j.put("TrainingTimeInSeconds", (int) (end - created));
        j.put("BillableTimeInSeconds", (int) (end - created));
        ArrayNode tags = j.putArray("Tags");
        tags.addObject().put("Key", "team").put("Value", "team-" + random.nextInt(20));
        tags.addObject().put("Key", "project").put("Value", "project-" + random.nextInt(200));
        return j;
    }

    private static void channel(ArrayNode channels, String name, String uri) {
        ObjectNode c = channels.addObject();
        c.put("ChannelName", name);
        ObjectNode s3 = c.putObject("DataSource").putObject("S3DataSource");
        s3.put("S3DataType", "S3Prefix");
        s3.put("S3Uri", uri);
        s3.put("S3DataDistributionType", "FullyReplicated");
        c.put("ContentType", "text/csv");
        c.put("CompressionType", "None");
    }

    private static void metric(ArrayNode metrics, String name, double value, long timestamp) {
        ObjectNode m = metrics.addObject();
        m.put("MetricName", name);
        m.put("Value", (float) value);
        m.put("Timestamp", timestamp);
    }
}
