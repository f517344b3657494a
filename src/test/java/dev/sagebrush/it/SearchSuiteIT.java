package dev.sagebrush.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sagemaker.SageMakerClient;
import software.amazon.awssdk.services.sagemaker.model.Channel;
import software.amazon.awssdk.services.sagemaker.model.CreateTrainingJobRequest;
import software.amazon.awssdk.services.sagemaker.model.DescribeTrainingJobResponse;
import software.amazon.awssdk.services.sagemaker.model.Filter;
import software.amazon.awssdk.services.sagemaker.model.MetricData;
import software.amazon.awssdk.services.sagemaker.model.MetricDefinition;
import software.amazon.awssdk.services.sagemaker.model.NestedFilters;
import software.amazon.awssdk.services.sagemaker.model.SageMakerException;
import software.amazon.awssdk.services.sagemaker.model.SearchExpression;
import software.amazon.awssdk.services.sagemaker.model.SearchRecord;
import software.amazon.awssdk.services.sagemaker.model.SearchRequest;
import software.amazon.awssdk.services.sagemaker.model.SearchResponse;
import software.amazon.awssdk.services.sagemaker.model.SecondaryStatus;
import software.amazon.awssdk.services.sagemaker.model.Tag;
import software.amazon.awssdk.services.sagemaker.model.TrainingInputMode;
import software.amazon.awssdk.services.sagemaker.model.TrainingJob;
import software.amazon.awssdk.services.sagemaker.model.TrainingJobSummary;

/**
 * Search over a few hundred training jobs against an independently written expected answer ({@link SearchOracle}).
 *
 * <p>The jobs, all created through the SDK from a seeded generator: {@value #REAL} that really run on the server's two
 * training workers (Completed with metrics from different epochs and metric definitions, or Failed with a failure
 * reason), then {@value #HOGS} that hang in Training and hold both workers, so that the remaining ones stay queued
 * InProgress/Starting for the rest of the class, about 40% of which are stopped while queued (Stopped, without
 * starting). Names, hyperparameters (integers, decimals, negative numbers, text, mixed), tags (several keys, some
 * missing, one empty value, some added and deleted after creation), channels (1 to 3, several names, S3 URIs under
 * several prefixes, ContentType present or not), instance types, volume sizes, runtimes, Environment and a boolean
 * vary. Once nothing moves any more, every job is read back with DescribeTrainingJob and ListTags: that is all the
 * oracle sees.
 */
class SearchSuiteIT {
    static final long SEED = 20260807L;
    static final int REAL = 56;
    static final int HOGS = 2;
    static final int QUEUED = 242;
    static final int TOTAL = REAL + HOGS + QUEUED;

    static final String[] WORDS = {"xgb", "XGB", "resnet", "bert", "lgbm", "forest"};
    static final String[] PREFIXES = {"s3://data/2025/train/", "s3://data/2026/train/", "s3://data/2026/validation/",
            "s3://data/2026/test/", "s3://lake/raw/", "s3://lake/curated/v2/"};
    static final String[] CHANNELS = {"train", "validation", "test", "aux"};
    static final String[] INSTANCE_TYPES = {"ml.m5.large", "ml.m5.xlarge", "ml.c5.2xlarge", "ml.g4dn.xlarge",
            "ml.p3.2xlarge"};
    static final String[] MAX_DEPTH = {"2", "3", "4", "5", "6", "7", "8", "9", "10", "12", "7.9", "8.0", "8.5", "6.5",
            "-1"};
    static final String[] ETA = {"0.05", "0.1", "0.25", "0.3", "1", "1.0", "0.5", "2.75"};
    static final String[] BOOSTER = {"gbtree", "dart", "gblinear", "GBTree"};
    static final String[] ALPHA = {"0", "0.5", "10", "auto", "none", "1.5"};
    static final String[] OFFSET = {"-2.5", "-3", "2.7", "-0.4", "0", "-2"};
    static final String[] TEAMS = {"vision", "search", "nlp", "Search", "vision-east"};
    static final String[] OWNERS = {"alice", "bob", "carol", "dave"};
    static final String[] ENVS = {"prod", "dev", "staging", ""};
    static final String[] COST_CENTERS = {"1234", "0042", "987"};

    static final MetricDefinition AUC = MetricDefinition.builder().name("validation:auc")
            .regex("validation:auc=([0-9.]+)").build();
    static final MetricDefinition LOSS = MetricDefinition.builder().name("train:loss")
            .regex("train:loss=([0-9.]+)").build();
    static final MetricDefinition SCORE = MetricDefinition.builder().name("custom:score")
            .regex("\"score\"\\W+(-?[0-9.]+)").build();
    static final MetricDefinition EPOCH = MetricDefinition.builder().name("epoch").regex("epoch=([0-9]+)").build();

    static ServerFixture fixture;
    static SageMakerClient sm;
    static SearchOracle oracle;
    static double buildSeconds;

    @BeforeAll
    static void build() throws Exception {
        long t0 = System.nanoTime();
        fixture = TrainingFixture.start(2);
        sm = fixture.sagemaker();
        try (S3Client s3 = fixture.s3()) {
            s3.createBucket(b -> b.bucket("data"));
            s3.createBucket(b -> b.bucket("lake"));
            s3.createBucket(b -> b.bucket("out"));
            for (String prefix : PREFIXES) {
                String bucket = prefix.substring(5, prefix.indexOf('/', 5));
                String key = prefix.substring(prefix.indexOf('/', 5) + 1) + "part-0.csv";
                s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromString("1,2\n3,4\n"));
            }
        }
        Random rnd = new Random(SEED);
        List<String> names = new ArrayList<>();

        // 1. Jobs that run for real: metrics, Completed and Failed, start/end times, billable time.
        List<String> real = new ArrayList<>();
        for (int i = 0; i < REAL; i++) {
            String mode = rnd.nextInt(4) == 0 ? "fail" : "ok";
            String name = String.format("r-%03d-%s", i, WORDS[rnd.nextInt(WORDS.length)]);
            sm.createTrainingJob(request(rnd, name, mode, true));
            real.add(name);
        }
        names.addAll(real);
        waitUntil(() -> statuses(real).values().stream().allMatch(s -> s.equals("Completed") || s.equals("Failed")),
                Duration.ofSeconds(180), "the real jobs to finish");

        // 2. Two jobs that hang in Training and hold both workers for the rest of the class.
        List<String> hogs = new ArrayList<>();
        for (int i = 0; i < HOGS; i++) {
            String name = String.format("h-%03d-%s", i, WORDS[rnd.nextInt(WORDS.length)]);
            sm.createTrainingJob(request(rnd, name, "hang", true));
            hogs.add(name);
        }
        names.addAll(hogs);
        for (String name : hogs) {
            Waits.until(() -> sm.describeTrainingJob(r -> r.trainingJobName(name)),
                    d -> d.secondaryStatus() == SecondaryStatus.TRAINING, Duration.ofSeconds(60));
        }

        // 3. Jobs that stay queued (InProgress/Starting), some stopped while queued (Stopped).
        List<String> stopped = new ArrayList<>();
        for (int i = 0; i < QUEUED; i++) {
            String name = String.format("q-%03d-%s", i, WORDS[rnd.nextInt(WORDS.length)]);
            sm.createTrainingJob(request(rnd, name, rnd.nextInt(5) == 0 ? "fail" : "ok", false));
            names.add(name);
            if (rnd.nextInt(5) < 2) {
                stopped.add(name);
            }
        }
        for (String name : stopped) {
            sm.stopTrainingJob(r -> r.trainingJobName(name));
        }
        waitUntil(() -> statuses(stopped).values().stream().allMatch(s -> s.equals("Stopped")),
                Duration.ofSeconds(60), "the queued jobs to stop");

        // 4. Tags changed after creation: the index must follow AddTags and DeleteTags.
        List<String> shuffled = new ArrayList<>(names);
        Collections.shuffle(shuffled, rnd);
        for (String name : shuffled.subList(0, 40)) {
            String arn = arn(name);
            sm.addTags(r -> r.resourceArn(arn).tags(Tag.builder().key("reviewed").value(rnd.nextBoolean() ? "yes" : "no")
                    .build()));
        }
        for (String name : shuffled.subList(20, 60)) {
            sm.deleteTags(r -> r.resourceArn(arn(name)).tagKeys("owner"));
        }

        // Tag churn: every write re-indexes the job (a new slot, the old one dead), enough of them to make the index
        // compact itself; the last value written per job is what the searches below must see.
        List<String> churned = shuffled.subList(100, 250);
        for (int i = 0; i < 1200; i++) {
            String value = String.valueOf(i % 7);
            String arn = arn(churned.get(i % churned.size()));
            sm.addTags(r -> r.resourceArn(arn).tags(tag("churn", value)));
        }

        // 5. What the oracle sees: Describe + ListTags of every job, nothing else.
        List<SearchOracle.Job> jobs = new ArrayList<>();
        for (String name : names) {
            DescribeTrainingJobResponse d = sm.describeTrainingJob(r -> r.trainingJobName(name));
            Map<String, String> tags = new LinkedHashMap<>();
            sm.listTagsPaginator(r -> r.resourceArn(d.trainingJobArn())).tags()
                    .forEach(t -> tags.put(t.key(), t.value()));
            jobs.add(new SearchOracle.Job(d, tags));
        }
        oracle = new SearchOracle(jobs);
        buildSeconds = (System.nanoTime() - t0) / 1e9;
        System.out.printf("SearchSuiteIT: %d jobs built and read back in %.1f s%n", jobs.size(), buildSeconds);
    }

    @AfterAll
    static void stop() {
        if (fixture != null) {
            try {
                // Nothing may have moved while the suite ran, or the oracle would be stale.
                Map<String, String> now = statuses(oracle.jobs().stream().map(SearchOracle.Job::name).toList());
                for (SearchOracle.Job j : oracle.jobs()) {
                    assertThat(now.get(j.name())).as(j.name()).isEqualTo(j.d().trainingJobStatusAsString());
                }
            } finally {
                fixture.close();
            }
        }
    }

    static CreateTrainingJobRequest request(Random rnd, String name, String mode, boolean runs) {
        Map<String, String> hp = new LinkedHashMap<>();
        hp.put("mode", mode);
        if (runs) {
            hp.put("epochs", String.valueOf(1 + rnd.nextInt(9)));
        } else if (rnd.nextInt(3) > 0) {
            hp.put("epochs", String.valueOf(1 + rnd.nextInt(20)));
        }
        if (rnd.nextInt(5) > 0) hp.put("max_depth", pick(rnd, MAX_DEPTH));
        if (rnd.nextInt(4) > 0) hp.put("eta", pick(rnd, ETA));
        if (rnd.nextInt(2) == 0) hp.put("booster", pick(rnd, BOOSTER));
        if (rnd.nextInt(3) == 0) hp.put("alpha", pick(rnd, ALPHA));
        if (rnd.nextInt(4) == 0) hp.put("offset", pick(rnd, OFFSET));
        if (runs && rnd.nextInt(3) > 0) hp.put("score", rnd.nextInt(2) + "." + String.format("%03d", rnd.nextInt(1000)));

        List<MetricDefinition> metrics = new ArrayList<>();
        switch (runs ? rnd.nextInt(4) : rnd.nextInt(2)) {
            case 1 -> metrics.add(AUC);
            case 2 -> metrics.addAll(List.of(AUC, LOSS));
            case 3 -> metrics.addAll(List.of(AUC, SCORE, EPOCH));
            default -> { }
        }

        List<String> channelNames = new ArrayList<>(List.of(CHANNELS));
        Collections.shuffle(channelNames, rnd);
        channelNames = new ArrayList<>(channelNames.subList(0, 1 + rnd.nextInt(3)));
        if (mode.equals("ok") && runs && !channelNames.contains("train")) {
            channelNames.set(0, "train"); // the algorithm reads the train channel
        }
        List<Channel> channels = new ArrayList<>();
        for (String c : channelNames) {
            String uri = pick(rnd, PREFIXES);
            String contentType = rnd.nextInt(3) == 0 ? null : rnd.nextBoolean() ? "text/csv" : "application/json";
            channels.add(Channel.builder().channelName(c).contentType(contentType).dataSource(d -> d.s3DataSource(s -> s
                    .s3DataType("S3Prefix").s3Uri(uri).s3DataDistributionType("FullyReplicated"))).build());
        }

        List<Tag> tags = new ArrayList<>();
        if (rnd.nextInt(4) > 0) tags.add(tag("team", pick(rnd, TEAMS)));
        if (rnd.nextInt(2) == 0) tags.add(tag("owner", pick(rnd, OWNERS)));
        if (rnd.nextInt(3) == 0) tags.add(tag("env", pick(rnd, ENVS)));
        if (rnd.nextInt(5) == 0) tags.add(tag("cost-center", pick(rnd, COST_CENTERS)));

        CreateTrainingJobRequest.Builder b = CreateTrainingJobRequest.builder()
                .trainingJobName(name)
                .roleArn(TrainingFixture.ROLE)
                .algorithmSpecification(a -> a.trainingImage(TrainingFixture.IMAGE)
                        .trainingInputMode(TrainingInputMode.FILE).metricDefinitions(metrics))
                .hyperParameters(hp)
                .inputDataConfig(channels)
                .outputDataConfig(o -> o.s3OutputPath("s3://out/" + pick(rnd, "models", "team-a", "team-b")))
                .resourceConfig(r -> r.instanceType(pick(rnd, INSTANCE_TYPES)).instanceCount(1)
                        .volumeSizeInGB(5 + rnd.nextInt(96)))
                .stoppingCondition(s -> s.maxRuntimeInSeconds(Integer.parseInt(pick(rnd, "600", "1800", "3600",
                        "7200", "86400"))));
        if (!tags.isEmpty()) b.tags(tags);
        int encryption = rnd.nextInt(3);
        if (encryption > 0) b.enableInterContainerTrafficEncryption(encryption == 1);
        if (rnd.nextInt(3) == 0) b.environment(Map.of("STAGE", pick(rnd, "blue", "green")));
        return b.build();
    }

    static Tag tag(String key, String value) {
        return Tag.builder().key(key).value(value).build();
    }

    static String pick(Random rnd, String... values) {
        return values[rnd.nextInt(values.length)];
    }

    static String arn(String name) {
        return "arn:aws:sagemaker:us-east-1:000000000000:training-job/" + name;
    }

    static Map<String, String> statuses(List<String> names) {
        Set<String> wanted = new HashSet<>(names);
        Map<String, String> out = new LinkedHashMap<>();
        for (TrainingJobSummary s : sm.listTrainingJobsPaginator(r -> r.maxResults(100)).trainingJobSummaries()) {
            if (wanted.contains(s.trainingJobName())) {
                out.put(s.trainingJobName(), s.trainingJobStatusAsString());
            }
        }
        return out;
    }

    static void waitUntil(java.util.function.BooleanSupplier done, Duration timeout, String what) throws Exception {
        Instant deadline = Instant.now().plus(timeout);
        while (!done.getAsBoolean()) {
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("Timed out after " + timeout + " waiting for " + what);
            }
            Thread.sleep(250);
        }
    }

    // ---------------------------------------------------------------- helpers

    static Filter f(String name, String op, String value) {
        return Filter.builder().name(name).operator(op).value(value).build();
    }

    static SearchExpression and(Filter... filters) {
        return SearchExpression.builder().filters(filters).build();
    }

    static NestedFilters nested(String list, Filter... filters) {
        return NestedFilters.builder().nestedPropertyName(list).filters(filters).build();
    }

    static List<String> names(SearchResponse r) {
        return r.results().stream().map(x -> x.trainingJob().trainingJobName()).collect(Collectors.toList());
    }

    /**
     * Runs the search through the SDK paginator, every page, and compares the concatenation and TotalHits with the
     * oracle's answer; returns the expected names.
     */
    static List<String> check(SearchExpression e, String sortBy, String sortOrder, int maxResults) {
        List<String> expected = oracle.search(e, sortBy, sortOrder);
        SearchRequest request = SearchRequest.builder().resource("TrainingJob").searchExpression(e).sortBy(sortBy)
                .sortOrder(sortOrder).maxResults(maxResults).build();
        List<String> actual = new ArrayList<>();
        Set<Long> totals = new HashSet<>();
        int maxPages = expected.size() / maxResults + 2; // a server that repeats a page must fail, not loop forever
        int pages = 0;
        for (SearchResponse r : sm.searchPaginator(request)) {
            assertThat(++pages).as("pages of " + e).isLessThanOrEqualTo(maxPages);
            assertThat(r.results()).hasSizeLessThanOrEqualTo(maxResults);
            assertThat(r.totalHits().relationAsString()).isEqualTo("EqualTo");
            totals.add(r.totalHits().value());
            actual.addAll(names(r));
        }
        String what = "Search " + e + " sorted by " + sortBy + " " + sortOrder + " (" + maxResults + " per page)";
        assertThat(actual).as(what).isEqualTo(expected);
        assertThat(totals).as("TotalHits of " + what).containsExactly((long) expected.size());
        return expected;
    }

    static List<String> check(SearchExpression e) {
        return check(e, "TrainingJobName", "Ascending", 100);
    }

    static List<String> check(Filter filter) {
        return check(and(filter));
    }

    static String errorOf(SearchRequest request) {
        try {
            sm.search(request);
        } catch (SageMakerException e) {
            assertThat(e.awsErrorDetails().errorCode()).isEqualTo("ValidationException");
            return e.awsErrorDetails().errorMessage();
        }
        throw new AssertionError("accepted: " + request);
    }

    static String errorOf(SearchExpression e) {
        return errorOf(SearchRequest.builder().resource("TrainingJob").searchExpression(e).build());
    }

    static final DateTimeFormatter SECONDS = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss");

    /** The value of a timestamp property at a quantile of the jobs that have it. */
    static long quantile(String property, double q) {
        List<Long> values = new ArrayList<>();
        for (SearchOracle.Job j : oracle.jobs()) {
            for (Object v : oracle.values(j, property)) values.add((Long) v);
        }
        Collections.sort(values);
        return values.get((int) Math.min(values.size() - 1, Math.floor(q * values.size())));
    }

    /** The documented {@code YYYY-mm-ddTHH:MM:SS} form (UTC). */
    static String utc(long millis) {
        return SECONDS.format(OffsetDateTime.ofInstant(Instant.ofEpochMilli(millis), ZoneOffset.UTC));
    }

    /** ISO-8601 in another zone (+02:00), milliseconds kept. */
    static String zoned(long millis) {
        return OffsetDateTime.ofInstant(Instant.ofEpochMilli(millis), ZoneOffset.ofHours(2))
                .format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
    }

    /** Epoch seconds with a millisecond fraction, as the JSON wire carries timestamps. */
    static String epoch(long millis) {
        return BigDecimal.valueOf(millis, 3).toPlainString();
    }

    static Set<String> expectedSet(Filter... filters) {
        return new TreeSet<>(oracle.search(and(filters), null, null));
    }

    static List<String> jobsWithHyperParameter(String key, String value) {
        return oracle.jobs().stream().filter(j -> value.equals(j.d().hyperParameters().get(key)))
                .map(SearchOracle.Job::name).collect(Collectors.toList());
    }

    // ---------------------------------------------------------------- the data is what the suite needs

    @Test
    void theJobsHaveEveryStatusAndTheVarietyTheChecksRelyOn() {
        Map<String, Long> byStatus = oracle.jobs().stream().collect(Collectors.groupingBy(
                j -> j.d().trainingJobStatusAsString(), Collectors.counting()));
        assertThat(oracle.jobs()).hasSize(TOTAL);
        assertThat(byStatus.keySet()).containsExactlyInAnyOrder("Completed", "Failed", "Stopped", "InProgress");
        assertThat(byStatus.values()).allSatisfy(n -> assertThat(n).isGreaterThanOrEqualTo(2));
        assertThat(oracle.jobs()).filteredOn(j -> j.metrics().containsKey("validation:auc")).hasSizeGreaterThan(10);
        assertThat(oracle.jobs()).filteredOn(j -> j.metrics().containsKey("custom:score")).hasSizeGreaterThan(3);
        assertThat(oracle.jobs()).filteredOn(j -> j.d().inputDataConfig().size() == 3).isNotEmpty();
        assertThat(oracle.jobs()).filteredOn(j -> "".equals(j.tags().get("env"))).isNotEmpty();
        for (String v : MAX_DEPTH) {
            assertThat(jobsWithHyperParameter("max_depth", v)).as("max_depth " + v).isNotEmpty();
        }
        for (String v : ALPHA) {
            assertThat(jobsWithHyperParameter("alpha", v)).as("alpha " + v).isNotEmpty();
        }
        // Completed jobs have metrics from the epochs they ran; failed ones have the failure file's reason.
        SearchOracle.Job failed = oracle.jobs().stream().filter(j -> j.d().trainingJobStatusAsString().equals("Failed"))
                .findFirst().orElseThrow();
        assertThat(failed.d().failureReason()).contains("ValueError");
        assertThat(oracle.jobs()).filteredOn(j -> j.d().trainingJobStatusAsString().equals("Completed")
                && j.metrics().containsKey("validation:auc")).allSatisfy(j -> assertThat(j.metrics().get("validation:auc"))
                .isEqualByComparingTo(new BigDecimal("0.9" + j.d().hyperParameters().get("epochs"))));
    }

    // ---------------------------------------------------------------- operators and typing

    @Test
    void everyOperatorOnTextNumberTimestampBooleanAndKeyedProperties() {
        String someName = oracle.jobs().get(17).name();
        String otherName = oracle.jobs().get(230).name();
        SearchOracle.Job scored = oracle.jobs().stream().filter(j -> j.metrics().containsKey("custom:score"))
                .findFirst().orElseThrow();
        String score = scored.metrics().get("custom:score").toPlainString();
        long created = oracle.job(someName).d().creationTime().toEpochMilli();
        long midCreation = quantile("CreationTime", 0.5);
        long lateModified = quantile("LastModifiedTime", 0.8);
        long started = quantile("TrainingStartTime", 0.5);
        long ended = quantile("TrainingEndTime", 0.3);
        long transition = quantile("SecondaryStatusTransitions.StartTime", 0.4);

        List<Filter> filters = List.of(
                // text
                f("TrainingJobName", "Equals", someName),
                f("TrainingJobName", "NotEquals", someName),
                f("TrainingJobName", "Contains", "xgb"),
                f("TrainingJobName", "Contains", "XGB"),
                f("TrainingJobName", "In", someName + ", " + otherName + ",,no-such-job"),
                f("TrainingJobStatus", "Equals", "Completed"),
                f("TrainingJobStatus", "Equals", "Failed"),
                f("TrainingJobStatus", "Equals", "Stopped"),
                f("TrainingJobStatus", "Equals", "InProgress"),
                f("TrainingJobStatus", "NotEquals", "InProgress"),
                f("TrainingJobStatus", "In", "Completed,Stopped"),
                f("SecondaryStatus", "In", "Training, Starting"),
                f("FailureReason", "Contains", "ValueError"),
                f("FailureReason", "Exists", null),
                f("FailureReason", "NotExists", null),
                f("ResourceConfig.InstanceType", "Equals", "ml.m5.large"),
                f("ResourceConfig.InstanceType", "Contains", "xlarge"),
                f("ResourceConfig.InstanceType", "In", "ml.c5.2xlarge,ml.p3.2xlarge"),
                f("OutputDataConfig.S3OutputPath", "NotEquals", "s3://out/models"),
                f("ModelArtifacts.S3ModelArtifacts", "Contains", "team-a/r-0"),
                f("InputDataConfig.ChannelName", "Equals", "validation"),
                f("InputDataConfig.ChannelName", "NotEquals", "train"),
                f("InputDataConfig.ChannelName", "In", "test, aux"),
                f("InputDataConfig.ChannelName", "Contains", "val"),
                f("InputDataConfig.DataSource.S3DataSource.S3Uri", "Contains", "2026"),
                f("InputDataConfig.DataSource.S3DataSource.S3Uri", "Equals", "s3://lake/raw/"),
                f("InputDataConfig.ContentType", "Equals", "text/csv"),
                f("InputDataConfig.ContentType", "NotExists", null),
                f("AlgorithmSpecification.MetricDefinitions.Name", "Equals", "custom:score"),
                f("SecondaryStatusTransitions.Status", "Equals", "Stopping"),
                f("SecondaryStatusTransitions.StatusMessage", "Contains", "stopped"),
                f("FinalMetricDataList.MetricName", "NotEquals", "epoch"),
                // number
                f("ResourceConfig.VolumeSizeInGB", "Equals", "50"),
                f("ResourceConfig.VolumeSizeInGB", "NotEquals", "50"),
                f("ResourceConfig.VolumeSizeInGB", "GreaterThan", "50"),
                f("ResourceConfig.VolumeSizeInGB", "GreaterThanOrEqualTo", "50"),
                f("ResourceConfig.VolumeSizeInGB", "LessThan", "50.5"),
                f("ResourceConfig.VolumeSizeInGB", "LessThanOrEqualTo", "20"),
                f("StoppingCondition.MaxRuntimeInSeconds", "Equals", "3600"),
                f("StoppingCondition.MaxRuntimeInSeconds", "LessThan", "3600"),
                f("TrainingTimeInSeconds", "GreaterThanOrEqualTo", "1"),
                f("BillableTimeInSeconds", "NotExists", null),
                f("Metrics.validation:auc", "Equals", "0.93"),
                f("Metrics.validation:auc", "NotEquals", "0.93"),
                f("Metrics.validation:auc", "GreaterThan", "0.95"),
                f("Metrics.validation:auc", "GreaterThanOrEqualTo", "0.95"),
                f("Metrics.validation:auc", "LessThan", "0.95"),
                f("Metrics.validation:auc", "LessThanOrEqualTo", "0.95"),
                f("Metrics.validation:auc", "Exists", null),
                f("Metrics.validation:auc", "NotExists", null),
                f("Metrics.train:loss", "LessThanOrEqualTo", "0.3"),
                f("Metrics.custom:score", "Equals", score),
                f("Metrics.custom:score", "GreaterThan", "0.5"),
                f("Metrics.epoch", "Equals", "5"),
                f("Metrics.epoch", "Equals", "5.0"),
                f("FinalMetricDataList.Value", "GreaterThan", "0.98"),
                // timestamp, in the three accepted forms
                f("CreationTime", "Equals", epoch(created)),
                f("CreationTime", "NotEquals", epoch(created)),
                f("CreationTime", "GreaterThan", utc(midCreation)),
                f("CreationTime", "GreaterThanOrEqualTo", zoned(midCreation)),
                f("CreationTime", "LessThan", epoch(midCreation)),
                f("CreationTime", "LessThanOrEqualTo", utc(midCreation)),
                f("LastModifiedTime", "LessThan", zoned(lateModified)),
                f("TrainingStartTime", "GreaterThan", epoch(started)),
                f("TrainingStartTime", "Exists", null),
                f("TrainingEndTime", "LessThanOrEqualTo", zoned(ended)),
                f("TrainingEndTime", "NotExists", null),
                f("SecondaryStatusTransitions.StartTime", "GreaterThan", utc(transition)),
                // boolean
                f("EnableInterContainerTrafficEncryption", "Equals", "true"),
                f("EnableInterContainerTrafficEncryption", "Equals", "FALSE"),
                f("EnableInterContainerTrafficEncryption", "NotEquals", "true"),
                f("EnableInterContainerTrafficEncryption", "NotExists", null),
                // tags
                f("Tags.team", "Equals", "vision"),
                f("Tags.team", "Equals", "Search"),
                f("Tags.team", "NotEquals", "vision"),
                f("Tags.team", "Contains", "vis"),
                f("Tags.team", "In", "nlp,search"),
                f("Tags.team", "Exists", null),
                f("Tags.team", "NotExists", null),
                f("Tags.env", "Exists", null),
                f("Tags.env", "NotEquals", "prod"),
                f("Tags.cost-center", "Equals", "0042"),
                f("Tags.owner", "NotExists", null),
                f("Tags.reviewed", "Equals", "yes"),
                f("Tags.churn", "In", "3,5"),
                f("Environment.STAGE", "Equals", "blue"),
                f("Environment.STAGE", "NotEquals", "blue"),
                // containers: presence only
                f("Tags", "Exists", null),
                f("Tags", "NotExists", null),
                f("Environment", "Exists", null),
                f("FinalMetricDataList", "Exists", null),
                f("FinalMetricDataList", "NotExists", null),
                // a Name alone tests presence; a Value alone means Equals
                f("Metrics.custom:score", null, null),
                f("Tags.owner", null, null),
                f("HyperParameters.alpha", null, null),
                f("FailureReason", null, null),
                f("HyperParameters", null, null),
                f("Tags.team", null, "nlp"),
                f("TrainingJobStatus", null, "Stopped"));
        int discriminating = 0;
        for (Filter filter : filters) {
            int n = check(filter).size();
            if (n > 0 && n < TOTAL) discriminating++;
        }
        // The data makes almost every one of these select a proper, non-empty subset.
        assertThat(discriminating).isGreaterThanOrEqualTo(filters.size() - 3);

        // Spot checks of the semantics that do not go through the oracle.
        assertThat(check(f("TrainingJobName", "Equals", someName))).containsExactly(someName);
        assertThat(check(f("TrainingJobName", "Contains", "XGB"))).allMatch(n -> n.contains("XGB"));
        assertThat(check(f("Tags.team", "Equals", "Search"))).doesNotContainAnyElementsOf(
                check(f("Tags.team", "Equals", "search")));
        assertThat(check(f("CreationTime", "Equals", epoch(created)))).contains(someName);
        assertThat(check(f("Tags.env", "Exists", null))).containsAll(oracle.jobs().stream()
                .filter(j -> "".equals(j.tags().get("env"))).map(SearchOracle.Job::name).toList());
        // NotEquals also matches jobs without the property.
        assertThat(check(f("Tags.team", "NotEquals", "vision"))).containsAll(check(f("Tags.team", "NotExists", null)));
    }

    @Test
    void hyperParametersCompareAsIntegersDecimalsOrTextByTheFilterValue() {
        List<Filter> filters = new ArrayList<>();
        for (String op : List.of("Equals", "NotEquals", "GreaterThan", "GreaterThanOrEqualTo", "LessThan",
                "LessThanOrEqualTo")) {
            for (String v : List.of("8", "8.0", "7", "7.0", "7.9", "-1", "12")) {
                filters.add(f("HyperParameters.max_depth", op, v));
            }
            for (String v : List.of("1", "1.0", "0.25", "0")) {
                filters.add(f("HyperParameters.eta", op, v));
            }
            for (String v : List.of("-2", "-2.0", "-3", "0")) {
                filters.add(f("HyperParameters.offset", op, v));
            }
            filters.add(f("HyperParameters.alpha", op, "0.2"));
            filters.add(f("HyperParameters.alpha", op, "10"));
        }
        filters.addAll(List.of(
                f("HyperParameters.alpha", "Equals", "auto"),
                f("HyperParameters.alpha", "NotEquals", "auto"),
                f("HyperParameters.booster", "Equals", "gbtree"),
                f("HyperParameters.booster", "In", "dart, GBTree"),
                f("HyperParameters.booster", "Contains", "gb"),
                f("HyperParameters.max_depth", "In", "8,8.0"),
                f("HyperParameters.max_depth", "Contains", "."),
                f("HyperParameters.max_depth", "Exists", null),
                f("HyperParameters.max_depth", "NotExists", null),
                f("HyperParameters.epochs", "GreaterThan", "9")));
        filters.forEach(SearchSuiteIT::check);

        // The rule itself, stated on the data rather than through the oracle: an integer Value compares the integer
        // part, a decimal Value the decimal value, a text Value the text.
        List<String> eight = check(f("HyperParameters.max_depth", "Equals", "8"));
        List<String> eightDecimal = check(f("HyperParameters.max_depth", "Equals", "8.0"));
        assertThat(eight).containsAll(jobsWithHyperParameter("max_depth", "8.5"))
                .containsAll(jobsWithHyperParameter("max_depth", "8.0"))
                .containsAll(jobsWithHyperParameter("max_depth", "8"));
        assertThat(eightDecimal).doesNotContainAnyElementsOf(jobsWithHyperParameter("max_depth", "8.5"))
                .containsAll(jobsWithHyperParameter("max_depth", "8"));
        assertThat(check(f("HyperParameters.max_depth", "GreaterThan", "7")))
                .doesNotContainAnyElementsOf(jobsWithHyperParameter("max_depth", "7.9"));
        assertThat(check(f("HyperParameters.max_depth", "GreaterThan", "7.0")))
                .containsAll(jobsWithHyperParameter("max_depth", "7.9"));
        assertThat(check(f("HyperParameters.offset", "Equals", "-2")))
                .containsAll(jobsWithHyperParameter("offset", "-2.5")); // truncation toward zero
        assertThat(check(f("HyperParameters.offset", "LessThan", "-2")))
                .doesNotContainAnyElementsOf(jobsWithHyperParameter("offset", "-2.5"))
                .containsAll(jobsWithHyperParameter("offset", "-3"));
        assertThat(check(f("HyperParameters.alpha", "GreaterThan", "0.2")))
                .doesNotContainAnyElementsOf(jobsWithHyperParameter("alpha", "auto"));
        assertThat(check(f("HyperParameters.alpha", "NotEquals", "0.5")))
                .containsAll(jobsWithHyperParameter("alpha", "auto"));
        assertThat(check(f("HyperParameters.eta", "Equals", "1.0")))
                .containsAll(jobsWithHyperParameter("eta", "1")).containsAll(jobsWithHyperParameter("eta", "1.0"));
    }

    // ---------------------------------------------------------------- nesting and boolean structure

    @Test
    void nestedFiltersNeedOneElementToMatchAllWhilePlainFiltersMatchAnyElement() {
        List<Filter[]> pairs = List.of(
                new Filter[] {f("InputDataConfig.ChannelName", "Equals", "train"),
                        f("InputDataConfig.DataSource.S3DataSource.S3Uri", "Contains", "lake")},
                new Filter[] {f("InputDataConfig.ChannelName", "Equals", "validation"),
                        f("InputDataConfig.ContentType", "Equals", "text/csv")},
                new Filter[] {f("InputDataConfig.ChannelName", "NotEquals", "train"),
                        f("InputDataConfig.DataSource.S3DataSource.S3Uri", "Contains", "/train/")},
                new Filter[] {f("InputDataConfig.ChannelName", "In", "test,aux"),
                        f("InputDataConfig.ContentType", "NotExists", null)},
                new Filter[] {f("FinalMetricDataList.MetricName", "Equals", "validation:auc"),
                        f("FinalMetricDataList.Value", "LessThan", "0.95")},
                new Filter[] {f("FinalMetricDataList.MetricName", "Equals", "custom:score"),
                        f("FinalMetricDataList.Value", "GreaterThan", "0.9")},
                new Filter[] {f("SecondaryStatusTransitions.Status", "Equals", "Training"),
                        f("SecondaryStatusTransitions.EndTime", "NotExists", null)},
                new Filter[] {f("SecondaryStatusTransitions.Status", "Equals", "Starting"),
                        f("SecondaryStatusTransitions.StatusMessage", "Contains", "Preparing")},
                new Filter[] {f("AlgorithmSpecification.MetricDefinitions.Name", "Equals", "epoch"),
                        f("AlgorithmSpecification.MetricDefinitions.Regex", "Contains", "auc")});
        int differing = 0;
        for (Filter[] pair : pairs) {
            String list = pair[0].name().substring(0, pair[0].name().lastIndexOf('.'));
            List<String> plain = check(and(pair));
            List<String> one = check(SearchExpression.builder().nestedFilters(nested(list, pair)).build());
            if (java.util.Arrays.stream(pair).noneMatch(x -> x.operatorAsString().startsWith("Not"))) {
                assertThat(plain).containsAll(one); // with positive operators, same-element is the stricter reading
            }
            if (!plain.equals(one)) differing++;
            // Nested filters combine with plain filters and with each other (And), each on its own element.
            check(SearchExpression.builder().nestedFilters(nested(list, pair), nested(list, pair[0]))
                    .filters(f("TrainingJobStatus", "NotEquals", "Failed")).build());
        }
        // The data has jobs where the two readings differ for most pairs (else this test would prove little).
        assertThat(differing).isGreaterThanOrEqualTo(pairs.size() - 3);
        // Two channels, one of each kind: plain finds it, nested does not.
        SearchOracle.Job split = oracle.jobs().stream().filter(j -> j.d().inputDataConfig().stream().anyMatch(c ->
                        c.channelName().equals("train") && !c.dataSource().s3DataSource().s3Uri().contains("lake"))
                        && j.d().inputDataConfig().stream().noneMatch(c -> c.channelName().equals("train")
                        && c.dataSource().s3DataSource().s3Uri().contains("lake"))
                        && j.d().inputDataConfig().stream().anyMatch(c -> c.dataSource().s3DataSource().s3Uri().contains("lake")))
                .findFirst().orElseThrow();
        assertThat(check(and(pairs.get(0)))).contains(split.name());
        assertThat(check(SearchExpression.builder().nestedFilters(nested("InputDataConfig", pairs.get(0))).build()))
                .doesNotContain(split.name());
    }

    @Test
    void subExpressionsCombineWithAndAndOrTwoLevelsDeep() {
        SearchExpression completedHigh = and(f("TrainingJobStatus", "Equals", "Completed"),
                f("Metrics.validation:auc", "GreaterThan", "0.95"));
        SearchExpression stoppedVision = and(f("TrainingJobStatus", "Equals", "Stopped"), f("Tags.team", "Equals", "vision"));
        SearchExpression either = SearchExpression.builder().operator("Or").subExpressions(completedHigh, stoppedVision)
                .build();
        List<String> union = check(either);
        Set<String> expectedUnion = new TreeSet<>(check(completedHigh));
        expectedUnion.addAll(check(stoppedVision));
        assertThat(new TreeSet<>(union)).isEqualTo(expectedUnion);

        // And (explicit and default) over filters and an Or subexpression that itself holds an And with a nested filter.
        SearchExpression inner = SearchExpression.builder().operator("Or").subExpressions(
                SearchExpression.builder().filters(f("HyperParameters.max_depth", "LessThan", "8"))
                        .nestedFilters(nested("InputDataConfig", f("InputDataConfig.ChannelName", "Equals", "train"),
                                f("InputDataConfig.DataSource.S3DataSource.S3Uri", "Contains", "2026"))).build(),
                and(f("Tags.owner", "NotExists", null), f("ResourceConfig.VolumeSizeInGB", "GreaterThan", "60")))
                .build();
        for (String op : new String[] {null, "And", "Or"}) {
            check(SearchExpression.builder().operator(op).filters(
                    f("ResourceConfig.InstanceType", "In", "ml.m5.large,ml.m5.xlarge,ml.g4dn.xlarge"),
                    f("TrainingJobStatus", "NotEquals", "Failed")).subExpressions(inner).build());
        }

        // Or over a filter, a nested filter and an And subexpression at once.
        check(SearchExpression.builder().operator("Or")
                .filters(f("TrainingJobStatus", "Equals", "Failed"))
                .nestedFilters(nested("FinalMetricDataList", f("FinalMetricDataList.MetricName", "Equals", "validation:auc"),
                        f("FinalMetricDataList.Value", "GreaterThanOrEqualTo", "0.97")))
                .subExpressions(and(f("Tags.env", "Equals", "prod"), f("HyperParameters.booster", "In", "gbtree,dart")))
                .build());

        // Three levels: And(Or(And(..), And(..)), Or(..)).
        SearchExpression deep = SearchExpression.builder().subExpressions(
                SearchExpression.builder().operator("Or").subExpressions(
                        and(f("Tags.team", "In", "vision,nlp"), f("HyperParameters.eta", "LessThanOrEqualTo", "0.3")),
                        and(f("TrainingJobName", "Contains", "bert"), f("SecondaryStatus", "NotEquals", "Stopped")))
                        .build(),
                SearchExpression.builder().operator("Or").filters(f("InputDataConfig.ChannelName", "Equals", "aux"),
                        f("Environment.STAGE", "Exists", null)).build()).build();
        List<String> deepNames = check(deep);
        assertThat(deepNames).isNotEmpty().hasSizeLessThan(TOTAL);
        // An Or of one is the thing itself; an And of nothing but subexpressions is their intersection.
        assertThat(check(SearchExpression.builder().operator("Or").subExpressions(completedHigh).build()))
                .isEqualTo(check(completedHigh));
    }

    // ---------------------------------------------------------------- sort and paging

    @Test
    void sortsByNameTimesMetricsHyperParametersTagsAndListsInBothOrders() {
        List<String> sortBys = List.of("TrainingJobName", "CreationTime", "LastModifiedTime", "TrainingEndTime",
                "Metrics.validation:auc", "Metrics.custom:score", "HyperParameters.max_depth", "HyperParameters.alpha",
                "Tags.team", "Tags.churn", "ResourceConfig.VolumeSizeInGB", "ResourceConfig.InstanceType",
                "InputDataConfig.ChannelName", "InputDataConfig.DataSource.S3DataSource.S3Uri", "TrainingJobStatus",
                "HyperParameters.booster", "HyperParameters.offset", "EnableInterContainerTrafficEncryption",
                "SecondaryStatusTransitions.StartTime", "FinalMetricDataList.Value", "Environment.STAGE");
        for (String sortBy : sortBys) {
            for (String order : List.of("Ascending", "Descending")) {
                check(null, sortBy, order, 100);
                check(and(f("TrainingJobStatus", "NotEquals", "InProgress")), sortBy, order, 37);
            }
        }
        // SortOrder alone defaults SortBy to LastModifiedTime; nothing at all is LastModifiedTime Descending, 10 a page.
        check(null, null, "Ascending", 100);
        SearchResponse first = sm.search(s -> s.resource("TrainingJob"));
        assertThat(names(first)).isEqualTo(oracle.search(null, null, null).subList(0, 10));
        assertThat(first.nextToken()).isNotBlank();
        assertThat(first.totalHits().value()).isEqualTo(TOTAL);
        // Metrics sort: jobs with the metric first in both directions.
        List<String> byAuc = check(null, "Metrics.validation:auc", "Descending", 100);
        long withAuc = oracle.jobs().stream().filter(j -> j.metrics().containsKey("validation:auc")).count();
        assertThat(byAuc.subList(0, (int) withAuc)).allMatch(n -> oracle.job(n).metrics().containsKey("validation:auc"));
    }

    @Test
    void pagingWithMaxResultsAndNextTokenWalksTheWholeExpectedList() {
        SearchExpression some = SearchExpression.builder().operator("Or").filters(
                f("TrainingJobStatus", "Equals", "Completed"), f("Tags.team", "Equals", "nlp")).build();
        for (int max : new int[] {1, 3, 7, 10, 100}) {
            check(some, "CreationTime", "Descending", max);
        }
        check(null, "TrainingJobName", "Descending", 13);

        // Hand-driven paging, changing MaxResults between pages (the token names a position, not a page size).
        List<String> expected = oracle.search(null, "Metrics.validation:auc", "Ascending");
        List<String> seen = new ArrayList<>();
        String token = null;
        int[] sizes = {5, 50, 1, 99, 100, 2};
        int page = 0;
        do {
            String t = token;
            int max = sizes[page++ % sizes.length];
            SearchResponse r = sm.search(s -> s.resource("TrainingJob").sortBy("Metrics.validation:auc")
                    .sortOrder("Ascending").maxResults(max).nextToken(t));
            assertThat(r.results()).hasSize(Math.min(max, expected.size() - seen.size()));
            assertThat(r.totalHits().value()).isEqualTo(TOTAL);
            seen.addAll(names(r));
            token = r.nextToken();
            assertThat(page).isLessThanOrEqualTo(expected.size());
        } while (token != null);
        assertThat(seen).isEqualTo(expected);

        // A token only continues the query that produced it.
        String fromName = sm.search(s -> s.resource("TrainingJob").sortBy("TrainingJobName").maxResults(5)).nextToken();
        assertThat(errorOf(SearchRequest.builder().resource("TrainingJob").sortBy("CreationTime").nextToken(fromName)
                .build())).isEqualTo("Invalid NextToken: the token belongs to a different search request; repeat the "
                + "request with the same SearchExpression, SortBy and SortOrder.");
        assertThat(errorOf(SearchRequest.builder().resource("TrainingJob").nextToken("not-a-token").build()))
                .isEqualTo("Invalid NextToken: the token is malformed or was not issued by this server.");
    }

    // ---------------------------------------------------------------- limits and errors

    @Test
    void limitsAndInvalidFiltersAreRefusedWithTheirMessages() {
        Filter any = f("TrainingJobStatus", "Equals", "Completed");
        List<Filter> twentyOne = Collections.nCopies(21, any);
        // The framework's constraint message (reference 6.8): the list as Java prints it, cut at 256 characters.
        String filterText = "{Name=TrainingJobStatus, Operator=Equals, Value=Completed}";
        assertThat(errorOf(SearchExpression.builder().filters(twentyOne).build())).isEqualTo(
                "1 validation error detected: Value '" + listText(filterText, 21) + "' at 'searchExpression.filters' "
                        + "failed to satisfy constraint: Member must have length less than or equal to 20");
        // 20 is fine.
        check(SearchExpression.builder().filters(Collections.nCopies(20, any)).build());
        String channelText = "{Name=InputDataConfig.ChannelName, Operator=Equals, Value=train}";
        assertThat(errorOf(SearchExpression.builder().nestedFilters(nested("InputDataConfig",
                Collections.nCopies(21, f("InputDataConfig.ChannelName", "Equals", "train")).toArray(new Filter[0])))
                .build())).isEqualTo("1 validation error detected: Value '" + listText(channelText, 21) + "' at "
                + "'searchExpression.nestedFilters.1.member.filters' failed to satisfy constraint: Member must have "
                + "length less than or equal to 20");
        assertThat(errorOf(SearchExpression.builder().subExpressions(Collections.nCopies(21, and(any))).build()))
                .isEqualTo("1 validation error detected: Value '" + listText("{Filters=[" + filterText + "]}", 21)
                        + "' at 'searchExpression.subExpressions' failed to satisfy constraint: Member must have "
                        + "length less than or equal to 20");

        // 50 in total, counted recursively: 3 subexpressions of 16 filters = 51; 2 of 16 + 16 = 50 passes.
        SearchExpression sixteen = SearchExpression.builder().filters(Collections.nCopies(16, any)).build();
        assertThat(errorOf(SearchExpression.builder().subExpressions(sixteen, sixteen, sixteen).build())).isEqualTo(
                "The SearchExpression contains 51 Filters, NestedFilters and SubExpressions; the limit is 50.");
        check(SearchExpression.builder().subExpressions(sixteen, sixteen).filters(Collections.nCopies(16, any)).build());

        assertThat(errorOf(and(f("TrainingJobName", "Contains", "a"), f("Tags.team", "Contains", "v"))))
                .isEqualTo("'CONTAINS' operator usage limit of 1 exceeded.");
        assertThat(errorOf(SearchExpression.builder().filters(f("TrainingJobName", "Contains", "a"))
                .subExpressions(and(f("Tags.team", "Contains", "v"))).build()))
                .isEqualTo("'CONTAINS' operator usage limit of 1 exceeded.");

        for (String op : List.of("GreaterThan", "GreaterThanOrEqualTo", "LessThan", "LessThanOrEqualTo")) {
            assertThat(errorOf(and(f("TrainingJobName", op, "m")))).isEqualTo(
                    "Operator '" + op + "' is not supported for text property 'TrainingJobName'.");
            assertThat(errorOf(and(f("Tags.cost-center", op, "1000")))).isEqualTo(
                    "Operator '" + op + "' is not supported for text property 'Tags.cost-center'.");
            assertThat(errorOf(and(f("HyperParameters.booster", op, "gbtree")))).isEqualTo("Operator '" + op
                    + "' is not supported for the text value 'gbtree' of property 'HyperParameters.booster'.");
        }
        assertThat(errorOf(and(f("Metrics.validation:auc", "Contains", "9")))).isEqualTo("Operator 'Contains' is only "
                + "supported for text properties; 'Metrics.validation:auc' is a number property.");
        assertThat(errorOf(and(f("ResourceConfig.VolumeSizeInGB", "In", "10,20")))).isEqualTo("Operator 'In' is only "
                + "supported for text properties; 'ResourceConfig.VolumeSizeInGB' is a number property.");
        assertThat(errorOf(and(f("Metrics.validation:auc", "Equals", "high")))).isEqualTo(
                "Value 'high' of property 'Metrics.validation:auc' must be an integer or decimal number.");
        assertThat(errorOf(and(f("CreationTime", "GreaterThan", "yesterday")))).isEqualTo(
                "Value 'yesterday' of property 'CreationTime' must be a timestamp in the format YYYY-mm-ddTHH:MM:SS.");
        assertThat(errorOf(and(f("EnableInterContainerTrafficEncryption", "Equals", "yes")))).isEqualTo(
                "Value 'yes' of property 'EnableInterContainerTrafficEncryption' must be true or false.");
        assertThat(errorOf(and(f("ResourceConfig", "Equals", "x")))).isEqualTo(
                "Property 'ResourceConfig' is a struct; only the Exists and NotExists operators apply to it.");
        assertThat(errorOf(and(f("NoSuchProperty", "Equals", "x")))).isEqualTo("Unknown property name: NoSuchProperty");
        assertThat(errorOf(and(f("TrainingJobName", "Equals", null)))).isEqualTo(
                "Operator 'Equals' on property 'TrainingJobName' requires a Value.");
        assertThat(errorOf(SearchExpression.builder().nestedFilters(nested("InputDataConfig",
                f("TrainingJobName", "Equals", "x"))).build())).isEqualTo(
                "Filter name 'TrainingJobName' is not a property of the nested property 'InputDataConfig'.");
        assertThat(errorOf(SearchRequest.builder().resource("TrainingJob").sortBy("Metrics").build()))
                .isEqualTo("Unknown property name: Metrics");
        assertThatThrownBy(() -> sm.search(s -> s.resource("TrainingJob").maxResults(101)))
                .hasMessageContaining("maxResults");
        assertThatThrownBy(() -> sm.search(s -> s.resource("TrainingJob").maxResults(0)))
                .hasMessageContaining("maxResults");
    }

    /** A list of {@code n} equal items as the validator prints it: Java's list text, cut at 256 characters. */
    static String listText(String item, int n) {
        String all = "[" + String.join(", ", Collections.nCopies(n, item)) + "]";
        return all.length() > 256 ? all.substring(0, 256) + "..." : all;
    }

    // ---------------------------------------------------------------- randomized

    @Test
    void seededRandomExpressionsAgreeWithTheOracle() {
        Random rnd = new Random(SEED ^ 0x5EA2C4L);
        Generator g = new Generator(rnd);
        int nonTrivial = 0;
        int runs = 300;
        for (int i = 0; i < runs; i++) {
            SearchExpression e;
            do {
                g.contains = 0;
                e = g.expression(0);
            } while (count(e) > 50);
            String sortBy = rnd.nextInt(6) == 0 ? null : pick(rnd, "TrainingJobName", "CreationTime",
                    "LastModifiedTime", "Metrics.validation:auc", "HyperParameters.max_depth", "HyperParameters.eta",
                    "Tags.team", "ResourceConfig.VolumeSizeInGB", "InputDataConfig.ChannelName", "TrainingStartTime");
            String order = rnd.nextInt(5) == 0 ? null : rnd.nextBoolean() ? "Ascending" : "Descending";
            int max = rnd.nextInt(10) == 0 ? 1 + rnd.nextInt(20) : pick(rnd, 40, 100);
            int n = check(e, sortBy, order, max).size();
            if (n > 0 && n < TOTAL) nonTrivial++;
        }
        assertThat(nonTrivial).isGreaterThan(runs / 2);
    }

    static int pick(Random rnd, int... values) {
        return values[rnd.nextInt(values.length)];
    }

    static int count(SearchExpression e) {
        int n = e.filters().size() + e.nestedFilters().size() + e.subExpressions().size();
        for (NestedFilters nf : e.nestedFilters()) n += nf.filters().size();
        for (SearchExpression sub : e.subExpressions()) n += count(sub);
        return n;
    }

    /** Random filters whose values come from the data (and a few that match nothing), at most one Contains. */
    static final class Generator {
        final Random rnd;
        int contains;
        final List<Function<Random, Filter>> plain = new ArrayList<>();
        final Map<String, List<Function<Random, Filter>>> elements = new LinkedHashMap<>();

        Generator(Random rnd) {
            this.rnd = rnd;
            List<String> names = oracle.jobs().stream().map(SearchOracle.Job::name).toList();
            String[] allOps = {"Equals", "NotEquals", "GreaterThan", "GreaterThanOrEqualTo", "LessThan",
                    "LessThanOrEqualTo", "Exists", "NotExists"};
            String[] textOps = {"Equals", "NotEquals", "In", "Contains", "Exists", "NotExists"};
            plain.add(r -> textFilter(r, "TrainingJobName", textOps, names.toArray(new String[0]),
                    new String[] {"xgb", "XGB", "-1", "bert", "q-0"}));
            plain.add(r -> textFilter(r, "TrainingJobStatus", textOps,
                    new String[] {"Completed", "Failed", "Stopped", "InProgress"}, new String[] {"ed", "Stop"}));
            plain.add(r -> textFilter(r, "SecondaryStatus", textOps,
                    new String[] {"Completed", "Failed", "Stopped", "Starting", "Training"}, new String[] {"ing"}));
            plain.add(r -> textFilter(r, "ResourceConfig.InstanceType", textOps, INSTANCE_TYPES,
                    new String[] {"xlarge", "m5"}));
            plain.add(r -> textFilter(r, "FailureReason", new String[] {"Contains", "Exists", "NotExists"},
                    new String[] {}, new String[] {"ValueError", "fail"}));
            plain.add(r -> textFilter(r, "Tags.team", textOps, TEAMS, new String[] {"vis", "earch"}));
            plain.add(r -> textFilter(r, "Tags.owner", textOps, OWNERS, new String[] {"a"}));
            plain.add(r -> textFilter(r, "Tags.env", textOps, new String[] {"prod", "dev", "staging"},
                    new String[] {"d"}));
            plain.add(r -> textFilter(r, "Tags.churn", textOps, new String[] {"0", "1", "2", "3", "4", "5", "6"},
                    new String[] {"1"}));
            plain.add(r -> textFilter(r, "Tags.reviewed", textOps, new String[] {"yes", "no"}, new String[] {"y"}));
            plain.add(r -> textFilter(r, "Environment.STAGE", textOps, new String[] {"blue", "green"},
                    new String[] {"e"}));
            plain.add(r -> numberFilter(r, "ResourceConfig.VolumeSizeInGB", allOps, () -> String.valueOf(
                    r.nextBoolean() ? 5 + r.nextInt(96) : 5 + r.nextInt(96) + 0.5)));
            plain.add(r -> numberFilter(r, "StoppingCondition.MaxRuntimeInSeconds", allOps,
                    () -> pick(r, "600", "1800", "3600", "7200", "86400", "5000")));
            plain.add(r -> numberFilter(r, "Metrics.validation:auc", allOps,
                    () -> pick(r, "0.9", "0.91", "0.93", "0.95", "0.955", "0.97", "0.99", "1")));
            plain.add(r -> numberFilter(r, "Metrics.train:loss", allOps, () -> pick(r, "0.1", "0.3", "0.5", "0.8")));
            plain.add(r -> numberFilter(r, "Metrics.custom:score", allOps, () -> pick(r, "0.25", "0.5", "1", "1.5")));
            plain.add(r -> numberFilter(r, "Metrics.epoch", allOps, () -> pick(r, "3", "5", "7.0")));
            plain.add(r -> numberFilter(r, "TrainingTimeInSeconds", allOps, () -> pick(r, "1", "2", "3")));
            for (String ts : List.of("CreationTime", "LastModifiedTime", "TrainingStartTime", "TrainingEndTime")) {
                plain.add(r -> numberFilter(r, ts, allOps, () -> timestamp(r, ts)));
            }
            plain.add(r -> numberFilter(r, "HyperParameters.max_depth", allOps, () -> pick(r, MAX_DEPTH)));
            plain.add(r -> numberFilter(r, "HyperParameters.eta", allOps, () -> pick(r, ETA)));
            plain.add(r -> numberFilter(r, "HyperParameters.offset", allOps, () -> pick(r, OFFSET)));
            plain.add(r -> numberFilter(r, "HyperParameters.alpha", allOps, () -> pick(r, "0", "0.5", "10", "1.5")));
            plain.add(r -> textFilter(r, "HyperParameters.alpha", textOps, ALPHA, new String[] {"o", "."}));
            plain.add(r -> textFilter(r, "HyperParameters.booster", textOps, BOOSTER, new String[] {"gb", "GB"}));
            plain.add(r -> f("EnableInterContainerTrafficEncryption", pick(r, "Equals", "NotEquals"),
                    pick(r, "true", "false", "True")));
            plain.add(r -> f(pick(r, "Tags", "HyperParameters", "Environment", "FinalMetricDataList", "ModelArtifacts"),
                    pick(r, "Exists", "NotExists"), null));

            List<Function<Random, Filter>> channel = new ArrayList<>();
            channel.add(r -> textFilter(r, "InputDataConfig.ChannelName", textOps, CHANNELS, new String[] {"t", "val"}));
            channel.add(r -> textFilter(r, "InputDataConfig.DataSource.S3DataSource.S3Uri", textOps, PREFIXES,
                    new String[] {"2026", "lake", "/train/"}));
            channel.add(r -> textFilter(r, "InputDataConfig.ContentType", textOps,
                    new String[] {"text/csv", "application/json"}, new String[] {"json"}));
            elements.put("InputDataConfig", channel);
            List<Function<Random, Filter>> metric = new ArrayList<>();
            metric.add(r -> textFilter(r, "FinalMetricDataList.MetricName", textOps,
                    new String[] {"validation:auc", "train:loss", "custom:score", "epoch"}, new String[] {":"}));
            metric.add(r -> numberFilter(r, "FinalMetricDataList.Value", allOps,
                    () -> pick(r, "0.5", "0.9", "0.95", "1", "3")));
            elements.put("FinalMetricDataList", metric);
            List<Function<Random, Filter>> transition = new ArrayList<>();
            transition.add(r -> textFilter(r, "SecondaryStatusTransitions.Status", textOps,
                    new String[] {"Starting", "Downloading", "Training", "Uploading", "Completed", "Stopping", "Stopped"},
                    new String[] {"ing"}));
            transition.add(r -> numberFilter(r, "SecondaryStatusTransitions.StartTime", allOps,
                    () -> timestamp(r, "SecondaryStatusTransitions.StartTime")));
            transition.add(r -> numberFilter(r, "SecondaryStatusTransitions.EndTime", allOps,
                    () -> timestamp(r, "SecondaryStatusTransitions.EndTime")));
            elements.put("SecondaryStatusTransitions", transition);
        }

        Filter textFilter(Random r, String name, String[] ops, String[] values, String[] parts) {
            String op = pick(r, ops);
            if (op.equals("Contains") && (contains > 0 || parts.length == 0)) op = "Equals";
            if (op.equals("Equals") && values.length == 0) op = "Exists";
            switch (op) {
                case "Exists":
                case "NotExists":
                    return f(name, r.nextInt(4) == 0 && op.equals("Exists") ? null : op, null);
                case "Contains":
                    contains++;
                    return f(name, op, pick(r, parts));
                case "In":
                    return f(name, op, pick(r, values) + "," + pick(r, values) + ", " + pick(r, values));
                default:
                    return f(name, r.nextInt(5) == 0 && op.equals("Equals") ? null : op, pick(r, values));
            }
        }

        Filter numberFilter(Random r, String name, String[] ops, java.util.function.Supplier<String> value) {
            String op = pick(r, ops);
            return op.endsWith("Exists") ? f(name, op, null) : f(name, op, value.get());
        }

        String timestamp(Random r, String property) {
            long t = quantile(property, r.nextDouble());
            switch (r.nextInt(3)) {
                case 0: return utc(t);
                case 1: return zoned(t);
                default: return epoch(t);
            }
        }

        SearchExpression expression(int depth) {
            SearchExpression.Builder b = SearchExpression.builder();
            int nf = rnd.nextInt(4);
            int nn = rnd.nextInt(3) == 0 ? 1 + rnd.nextInt(2) : 0;
            int ns = depth < 2 && rnd.nextInt(3) == 0 ? 1 + rnd.nextInt(2) : 0;
            if (nf + nn + ns == 0) nf = 1;
            if (nf > 0) {
                b.filters(IntStream.range(0, nf).mapToObj(i -> plain.get(rnd.nextInt(plain.size())).apply(rnd)).toList());
            }
            if (nn > 0) {
                List<NestedFilters> ns2 = new ArrayList<>();
                for (int i = 0; i < nn; i++) {
                    String list = new ArrayList<>(elements.keySet()).get(rnd.nextInt(elements.size()));
                    List<Function<Random, Filter>> pool = elements.get(list);
                    List<Filter> fs = IntStream.range(0, 1 + rnd.nextInt(3))
                            .mapToObj(k -> pool.get(rnd.nextInt(pool.size())).apply(rnd)).toList();
                    ns2.add(NestedFilters.builder().nestedPropertyName(list).filters(fs).build());
                }
                b.nestedFilters(ns2);
            }
            if (ns > 0) {
                b.subExpressions(IntStream.range(0, ns).mapToObj(i -> expression(depth + 1)).toList());
            }
            int op = rnd.nextInt(3);
            if (op > 0) b.operator(op == 1 ? "And" : "Or");
            return b.build();
        }
    }

    // ---------------------------------------------------------------- results and suggestions

    @Test
    void resultsCarryTheWholeTrainingJobWithTags() {
        Map<String, TrainingJob> found = new LinkedHashMap<>();
        for (SearchRecord r : sm.searchPaginator(s -> s.resource("TrainingJob").sortBy("TrainingJobName")
                .sortOrder("Ascending").maxResults(100)).results()) {
            found.put(r.trainingJob().trainingJobName(), r.trainingJob());
        }
        assertThat(found).hasSize(TOTAL);
        for (SearchOracle.Job j : oracle.jobs()) {
            TrainingJob t = found.get(j.name());
            DescribeTrainingJobResponse d = j.d();
            assertThat(t.trainingJobArn()).isEqualTo(d.trainingJobArn());
            assertThat(t.trainingJobStatus()).isEqualTo(d.trainingJobStatus());
            assertThat(t.secondaryStatus()).isEqualTo(d.secondaryStatus());
            assertThat(t.hyperParameters()).isEqualTo(d.hyperParameters());
            assertThat(t.inputDataConfig()).isEqualTo(d.inputDataConfig());
            assertThat(t.resourceConfig()).isEqualTo(d.resourceConfig());
            assertThat(t.creationTime()).isEqualTo(d.creationTime());
            assertThat(t.lastModifiedTime()).isEqualTo(d.lastModifiedTime());
            assertThat(t.trainingEndTime()).isEqualTo(d.trainingEndTime());
            assertThat(t.failureReason()).isEqualTo(d.failureReason());
            assertThat(t.secondaryStatusTransitions()).isEqualTo(d.secondaryStatusTransitions());
            assertThat(t.finalMetricDataList()).isEqualTo(d.finalMetricDataList());
            Map<String, String> tags = new LinkedHashMap<>();
            t.tags().forEach(x -> tags.put(x.key(), x.value()));
            assertThat(tags).isEqualTo(j.tags());
        }
    }

    @Test
    void suggestionsNameEveryMetricHyperParameterAndTagPresent() {
        Set<String> metrics = new TreeSet<>();
        Set<String> hps = new TreeSet<>();
        Set<String> tags = new TreeSet<>();
        for (SearchOracle.Job j : oracle.jobs()) {
            j.d().finalMetricDataList().forEach((MetricData m) -> metrics.add("Metrics." + m.metricName()));
            j.d().hyperParameters().keySet().forEach(k -> hps.add("HyperParameters." + k));
            j.tags().keySet().forEach(k -> tags.add("Tags." + k));
        }
        assertThat(suggestions("Metrics.")).isEqualTo(metrics);
        assertThat(suggestions("HyperParameters.")).isEqualTo(hps);
        assertThat(suggestions("Tags.")).isEqualTo(tags);
        assertThat(suggestions("HyperParameters.m")).containsExactly("HyperParameters.max_depth", "HyperParameters.mode");
    }

    static Set<String> suggestions(String hint) {
        return sm.getSearchSuggestions(r -> r.resource("TrainingJob").suggestionQuery(q -> q.propertyNameQuery(
                p -> p.propertyNameHint(hint)))).propertyNameSuggestions().stream().map(s -> s.propertyName())
                .collect(Collectors.toCollection(TreeSet::new));
    }
}
