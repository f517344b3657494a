package dev.sagebrush.it;

import static dev.sagebrush.it.NodeReads.awaitLine;
import static dev.sagebrush.it.NodeReads.completedCompilation;
import static dev.sagebrush.it.NodeReads.completedTraining;
import static dev.sagebrush.it.NodeReads.lossSamples;
import static dev.sagebrush.it.NodeReads.messages;
import static dev.sagebrush.it.NodeReads.sandboxesOf;
import static dev.sagebrush.it.NodeReads.tail;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sagebrush.cluster.ForwardSignature;
import dev.sagebrush.compilation.CompilationJobs;
import dev.sagebrush.notebook.NotebookInstances;
import dev.sagebrush.testsupport.PostgresCluster;
import dev.sagebrush.testsupport.Prerequisites;
import dev.sagebrush.training.TrainingJobs;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.sagemaker.SageMakerClient;
import software.amazon.awssdk.services.sagemaker.model.CompilationJobStatus;
import software.amazon.awssdk.services.sagemaker.model.CreateTrainingJobRequest;
import software.amazon.awssdk.services.sagemaker.model.DescribeCompilationJobResponse;
import software.amazon.awssdk.services.sagemaker.model.DescribeTrainingJobResponse;
import software.amazon.awssdk.services.sagemaker.model.Filter;
import software.amazon.awssdk.services.sagemaker.model.TrainingInputMode;
import software.amazon.awssdk.services.sagemaker.model.TrainingJobStatus;
import software.amazon.awssdk.services.sagemaker.waiters.SageMakerWaiter;

/**
 * Any node answers any call: three Sagebrush server processes ({@link NodeProcess}, each its own JVM and data
 * directory) on one real PostgreSQL, sharing one object store directory, driven with the AWS SDK across all three.
 * Claims last {@link #LEASE} ({@code --lease-ttl}), so the failure cases take seconds. The guarantees, one test each:
 * read-your-writes and Search freshness on every node; notebooks started, stopped and deleted from any node and
 * reached through any node; every job run exactly once; {@code kill -9} of the node running a compilation and a
 * training job (another node resumes both); a node stalled with SIGSTOP past its lease (fenced: its writes are refused
 * and it stops its work after SIGCONT).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterProcessesIT {
    static final Duration LEASE = Duration.ofSeconds(5);
    static final String IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/cluster-test:1.0";
    static final String ROLE = "arn:aws:iam::000000000000:role/SageMakerRole";

    static final List<NodeProcess> nodes = new ArrayList<>();
    static Path root;
    static String jdbcUrl;

    @BeforeAll
    static void start() throws Exception {
        Prerequisites.require(NotebookHost.root(), "the sandboxes of jobs and notebooks need root");
        Prerequisites.require(NotebookHost.jupyterInstalled(), "jupyter-notebook and python3-ipykernel are not installed");
        String database = PostgresCluster.shared().newDatabase();
        jdbcUrl = "jdbc:" + database.replace("postgresql://postgres@", "postgresql://");
        root = Files.createTempDirectory("sagebrush-cluster");
        Path script = root.resolve("train.sh");
        try (InputStream in = ClusterProcessesIT.class.getResourceAsStream("/cluster/train.sh")) {
            Files.copy(in, script);
        }
        Path registry = root.resolve("images.txt");
        Files.writeString(registry, IMAGE + " /bin/sh '" + script + "'\n");
        for (int i = 0; i < 3; i++) {
            nodes.add(new NodeProcess("node" + i, root.resolve("node" + i), root.resolve("node" + i + ".log"), List.of(
                    "--database", database, "--lease-ttl", String.valueOf(LEASE.toSeconds()),
                    "--object-store-dir", root.resolve("objects").toString(), // one object store for all three
                    "--cloudwatch-dir", root.resolve("cloudwatch").toString(), // and one CloudWatch directory
                    "--training-images", registry.toString(), "--training-stop-grace", "2",
                    "--compile-workers", "1", "--training-workers", "1"), Map.of()).start());
        }
        for (NodeProcess n : nodes) n.awaitReady();
        var s3 = node(0).s3();
        for (String bucket : List.of("data", "models", "out")) s3.createBucket(b -> b.bucket(bucket));
        s3.putObject(b -> b.bucket("data").key("train/rows.csv"), RequestBody.fromString("1,2\n3,4\n"));
        byte[] small;
        try (InputStream in = ClusterProcessesIT.class.getResourceAsStream("/fixtures/xgboost/binary_logistic.json")) {
            small = in.readAllBytes();
        }
        s3.putObject(b -> b.bucket("models").key("small/model.tar.gz"),
                RequestBody.fromBytes(Tarballs.create().file("model.json", small).bytes()));
        s3.putObject(b -> b.bucket("models").key("big/model.tar.gz"),
                RequestBody.fromBytes(Tarballs.create().file("model.json", CompilationStopIT.bigModel(600)).bytes()));
    }

    @AfterAll
    static void stop() throws Exception {
        for (NodeProcess n : nodes) n.close();
        if (root != null) {
            for (NodeProcess n : nodes) System.out.println("---- " + n.name + " log tail:\n" + tail(n.logText(), 20));
            try (var walk = Files.walk(root)) {
                walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    static NodeProcess node(int i) {
        return nodes.get(Math.floorMod(i, nodes.size()));
    }

    static SageMakerClient sm(int i) {
        return node(i).sagemaker();
    }

    // --------------------------------------------------------------------------------------------------- the API

    @Test
    @Order(1)
    void everyNodeReadsEveryWriteAndSearchFindsItWithinASecond() throws Exception {
        for (int n = 0; n < 9; n++) {
            int i = n;
            String name = "ryw-" + i;
            // An image no registry maps: the job fails at once on whichever node picks it up, and runs nothing.
            String arn = sm(i).createTrainingJob(training(name, 0).algorithmSpecification(a -> a
                    .trainingImage("registry.example.com/none:1").trainingInputMode(TrainingInputMode.FILE)).build())
                    .trainingJobArn();
            assertThat(sm(i + 1).describeTrainingJob(r -> r.trainingJobName(name)).trainingJobArn()).isEqualTo(arn);
            sm(i + 1).addTags(r -> r.resourceArn(arn).tags(t -> t.key("made-on").value("node" + i % 3)));
            assertThat(sm(i + 2).listTags(r -> r.resourceArn(arn)).tags()).hasSize(1);
            long start = System.nanoTime();
            Waits.until(() -> sm(i + 2).search(s -> s.resource("TrainingJob").searchExpression(e -> e.filters(
                    Filter.builder().name("Tags.made-on").operator("Equals").value("node" + i % 3).build(),
                    Filter.builder().name("TrainingJobName").operator("Equals").value(name).build()))).results(),
                    r -> r.size() == 1, Duration.ofSeconds(5));
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
        }
        // One object store: what one node's S3 wrote, every node's S3 reads and lists.
        node(2).s3().putObject(b -> b.bucket("out").key("from-node2.txt"), RequestBody.fromString("hello"));
        assertThat(node(0).s3().getObjectAsBytes(b -> b.bucket("out").key("from-node2.txt")).asUtf8String()).isEqualTo("hello");
        assertThat(node(1).s3().listObjectsV2(b -> b.bucket("out")).contents()).extracting(o -> o.key())
                .contains("from-node2.txt");
    }

    // -------------------------------------------------------------------------------------------------- notebooks

    @Test
    @Order(2)
    void notebooksAreStartedStoppedAndDeletedFromAnyNodeAndReachedThroughAnyNode() throws Exception {
        String name = "nb-cluster";
        sm(0).createNotebookInstance(r -> r.notebookInstanceName(name).instanceType("ml.t3.medium").roleArn(ROLE));
        NotebookHost.fastWaiter(sm(1)).waitUntilNotebookInstanceInService(r -> r.notebookInstanceName(name));
        int serving = servingNode(NotebookInstances.KIND, name);
        int other = (serving + 1) % 3;
        int third = (serving + 2) % 3;
        // A presigned URL made by one node that does not run the Jupyter, opened at another that does not either.
        String url = sm(other).createPresignedNotebookInstanceUrl(r -> r.notebookInstanceName(name)).authorizedUrl();
        JupyterBrowser browser = new JupyterBrowser(node(third).endpoint(), name);
        assertThat(browser.open(url).statusCode()).isEqualTo(302);
        assertThat(browser.cookie).isNotNull();
        assertThat(browser.get("tree").statusCode()).isEqualTo(200);
        assertThat(browser.get("api/contents").body()).contains("\"content\"");
        JupyterBrowser.Kernel kernel = browser.connect(browser.startKernel("cluster.ipynb"), browser.origin.toString());
        assertThat(kernel.execute("6*7")).isEqualTo("42");
        kernel.close();
        // A client posing as a node (a forged forwarding header) is refused, not trusted.
        HttpRequest forged = browser.to(browser.origin.resolve("/tree")).header("Cookie", browser.cookie)
                .header(ForwardSignature.HEADER, node(serving).nodeId() + " " + System.currentTimeMillis() + " AAAA")
                .GET().build();
        assertThat(browser.http.send(forged, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(403);
        // Without a session, the forwarded request is refused by the serving node too.
        assertThat(new JupyterBrowser(node(other).endpoint(), name).get("tree").statusCode()).isEqualTo(403);

        sm(other).stopNotebookInstance(r -> r.notebookInstanceName(name));
        NotebookHost.fastWaiter(sm(third)).waitUntilNotebookInstanceStopped(r -> r.notebookInstanceName(name));
        sm(third).startNotebookInstance(r -> r.notebookInstanceName(name));
        NotebookHost.fastWaiter(sm(other)).waitUntilNotebookInstanceInService(r -> r.notebookInstanceName(name));
        sm(serving).stopNotebookInstance(r -> r.notebookInstanceName(name));
        NotebookHost.fastWaiter(sm(other)).waitUntilNotebookInstanceStopped(r -> r.notebookInstanceName(name));
        sm(other).deleteNotebookInstance(r -> r.notebookInstanceName(name));
        NotebookHost.fastWaiter(sm(third)).waitUntilNotebookInstanceDeleted(r -> r.notebookInstanceName(name));
        Waits.until(() -> NotebookHost.jupyterProcessesFor(name), n -> n == 0, Duration.ofSeconds(20));
    }

    // --------------------------------------------------------------------------------------------------- jobs

    @Test
    @Order(3)
    void everyJobRunsExactlyOnceAcrossTheNodes() throws Exception {
        List<String> compilations = new ArrayList<>();
        List<String> trainings = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            String name = "once-c-" + i;
            compilations.add(name);
            sm(i).createCompilationJob(CompilationJobApiIT.job(name)
                    .inputConfig(c -> c.s3Uri("s3://models/small/model.tar.gz").framework("XGBOOST"))
                    .outputConfig(o -> o.s3OutputLocation("s3://models/compiled/" + name + "/").targetDevice("ml_c5"))
                    .build());
        }
        for (int i = 0; i < 3; i++) {
            String name = "once-t-" + i;
            trainings.add(name);
            sm(i + 1).createTrainingJob(training(name, 1).build());
        }
        for (int i = 0; i < compilations.size(); i++) {
            String name = compilations.get(i);
            DescribeCompilationJobResponse d = Waits.until(() -> sm(name.hashCode()).describeCompilationJob(r ->
                    r.compilationJobName(name)), j -> j.compilationJobStatus() == CompilationJobStatus.COMPLETED
                    || j.compilationJobStatus() == CompilationJobStatus.FAILED, Duration.ofSeconds(120));
            assertThat(d.compilationJobStatus()).as(d.failureReason()).isEqualTo(CompilationJobStatus.COMPLETED);
            // The artifact one node wrote is read through another node's S3.
            S3Key artifact = S3Key.of(d.modelArtifacts().s3ModelArtifacts());
            assertThat(node(i + 1).s3().headObject(b -> b.bucket(artifact.bucket()).key(artifact.key())).contentLength())
                    .isPositive();
        }
        for (String name : trainings) {
            DescribeTrainingJobResponse d = Waits.until(() -> sm(name.hashCode()).describeTrainingJob(r ->
                    r.trainingJobName(name)), j -> j.trainingJobStatus() == TrainingJobStatus.COMPLETED
                    || j.trainingJobStatus() == TrainingJobStatus.FAILED, Duration.ofSeconds(120));
            assertThat(d.trainingJobStatus()).as(d.failureReason()).isEqualTo(TrainingJobStatus.COMPLETED);
            S3Key model = S3Key.of(d.modelArtifacts().s3ModelArtifacts());
            assertThat(node(2).s3().headObject(b -> b.bucket(model.bucket()).key(model.key())).contentLength()).isPositive();
        }
        Map<String, Integer> ranOn = new java.util.TreeMap<>();
        for (String name : compilations) {
            assertThat(runsOf("compilation-job/" + name)).as(name + " started").hasSize(1);
            assertThat(row(CompilationJobs.KIND, name).epoch()).as(name + " claimed once").isEqualTo(1);
            ranOn.merge(runsOf("compilation-job/" + name).get(0).node(), 1, Integer::sum);
        }
        for (String name : trainings) {
            assertThat(runsOf("training-job/" + name)).as(name + " started").hasSize(1);
            assertThat(row(TrainingJobs.KIND, name).epoch()).as(name + " claimed once").isEqualTo(1);
            ranOn.merge(runsOf("training-job/" + name).get(0).node(), 1, Integer::sum);
        }
        System.out.println("cluster: jobs run per node " + ranOn);
    }

    @Test
    @Order(4)
    void killDashNineMidCompilationAndMidTrainingAnotherNodeResumesBoth() throws Exception {
        sm(0).createCompilationJob(CompilationJobApiIT.job("kill-c")
                .inputConfig(c -> c.s3Uri("s3://models/big/model.tar.gz").framework("XGBOOST"))
                .outputConfig(o -> o.s3OutputLocation("s3://models/compiled/kill-c/").targetDevice("rasp3b")).build());
        sm(1).createTrainingJob(training("kill-t", 15).build());
        Run compiling = awaitRun("compilation-job/kill-c", 1);
        Run training = awaitRun("training-job/kill-t", 1);
        Set<NodeProcess> victims = Set.copyOf(List.of(byNodeId(compiling.node()), byNodeId(training.node())));
        // Mid-run: both jobs' sandboxes are running on their nodes.
        Waits.until(() -> sandboxesOf(byNodeIdUnchecked(compiling.node())) > 0
                && sandboxesOf(byNodeIdUnchecked(training.node())) > 0, ok -> ok, Duration.ofSeconds(30));
        assertThat(row(CompilationJobs.KIND, "kill-c").status()).isEqualTo("INPROGRESS");
        List<ProcessHandle> sandboxes = victims.stream().flatMap(v -> v.descendants().stream()).toList();
        assertThat(sandboxes).as("the victims' sandboxes, running the work").isNotEmpty();
        long killedAt = System.nanoTime();
        for (NodeProcess v : victims) v.kill9();
        try {
            // Another node claims each job once the dead node's lease has run out, and runs it again from the start.
            Run compileResumed = awaitRun("compilation-job/kill-c", 2);
            Duration compileAfter = Duration.ofNanos(compileResumed.seenNanos() - killedAt);
            Run trainResumed = awaitRun("training-job/kill-t", 2);
            Duration trainAfter = Duration.ofNanos(trainResumed.seenNanos() - killedAt);
            System.out.printf("cluster: kill -9 of %s; compilation resumed on another node after %d ms, training after %d ms%n",
                    victims.stream().map(v -> v.name).sorted().toList(), compileAfter.toMillis(), trainAfter.toMillis());
            assertThat(compileAfter).isLessThan(LEASE.plusSeconds(10));
            assertThat(trainAfter).isLessThan(LEASE.plusSeconds(10));
            assertThat(List.of(compileResumed.node(), trainResumed.node())).doesNotContain(compiling.node(), training.node());
            // --die-with-parent: the dead node's sandboxes died with it.
            Waits.until(() -> sandboxes.stream().filter(ProcessHandle::isAlive).count(), n -> n == 0, Duration.ofSeconds(10));
            NodeProcess survivor = byNodeId(compileResumed.node());
            DescribeCompilationJobResponse c = Waits.until(() -> survivor.sagemaker().describeCompilationJob(r ->
                    r.compilationJobName("kill-c")), j -> j.compilationJobStatus() == CompilationJobStatus.COMPLETED
                    || j.compilationJobStatus() == CompilationJobStatus.FAILED, Duration.ofSeconds(150));
            assertThat(c.compilationJobStatus()).as(c.failureReason()).isEqualTo(CompilationJobStatus.COMPLETED);
            DescribeTrainingJobResponse t = Waits.until(() -> survivor.sagemaker().describeTrainingJob(r ->
                    r.trainingJobName("kill-t")), j -> j.trainingJobStatus() == TrainingJobStatus.COMPLETED
                    || j.trainingJobStatus() == TrainingJobStatus.FAILED, Duration.ofSeconds(90));
            assertThat(t.trainingJobStatus()).as(t.failureReason()).isEqualTo(TrainingJobStatus.COMPLETED);
            // Both runs' log streams are read through the survivor: the dead node's lines are in the shared directory.
            var streams = survivor.logs().describeLogStreams(r -> r.logGroupName(NodeReads.TRAINING_JOBS)
                    .logStreamNamePrefix("kill-t/")).logStreams();
            assertThat(streams).as("the killed run's stream and the resumed run's").hasSize(2);
        } finally {
            for (NodeProcess v : victims) v.start(); // back to three nodes for the next test
            for (NodeProcess v : victims) v.awaitReady();
        }
    }

    @Test
    @Order(5)
    void aStalledNodeIsFencedOffAndStopsItsWorkWhenItWakes() throws Exception {
        sm(2).createTrainingJob(training("stall-t", 14).build());
        Takeover t = stallPastLease("training-job/stall-t", true, "Lost the claim on training job stall-t",
                "Training job stall-t was taken over by another node");
        DescribeTrainingJobResponse d = completedTraining(t.taker(), "stall-t", Duration.ofSeconds(90));
        // The job's final state is the taker's: its restart is in the history, and the claim never went back.
        assertThat(d.secondaryStatusTransitions()).anySatisfy(s -> assertThat(s.statusMessage())
                .startsWith("Restarting the training job after an interruption"));
        assertThat(row(TrainingJobs.KIND, "stall-t").epoch()).isEqualTo(2);
        assertThat(runsOf("training-job/stall-t")).extracting(Run::node).containsExactly(t.first().node(),
                t.takeover().node());
    }

    @Test
    @Order(6)
    void aStalledNodeIsFencedOffMidCompilationAndTheTakerCompletesIt() throws Exception {
        sm(0).createCompilationJob(CompilationJobApiIT.job("stall-c")
                .inputConfig(c -> c.s3Uri("s3://models/big/model.tar.gz").framework("XGBOOST"))
                .outputConfig(o -> o.s3OutputLocation("s3://models/compiled/stall-c/").targetDevice("rasp3b")).build());
        // A compilation is several sandboxed steps: one may end while its node is stopped.
        Takeover t = stallPastLease("compilation-job/stall-c", false, "Lost the claim on compilation job stall-c",
                "Compilation job stall-c was taken over by another node");
        // The woken node answers with the taker's result, not its own.
        DescribeCompilationJobResponse c = completedCompilation(t.stalled(), "stall-c", Duration.ofSeconds(150));
        assertThat(row(CompilationJobs.KIND, "stall-c").epoch()).isEqualTo(2);
        assertThat(runsOf("compilation-job/stall-c")).extracting(Run::node).containsExactly(t.first().node(),
                t.takeover().node());
        S3Key artifact = S3Key.of(c.modelArtifacts().s3ModelArtifacts());
        assertThat(t.stalled().s3().headObject(b -> b.bucket(artifact.bucket()).key(artifact.key())).contentLength())
                .isPositive();
    }

    /** The node that ran a job's first run, stopped past its lease; the run of the node that took the job over. */
    record Takeover(Run first, NodeProcess stalled, Run takeover, NodeProcess taker) {}

    /**
     * SIGSTOPs the node running the job's first run (once its sandbox runs) until another node has taken the job over
     * within lease TTL + 10 s, then SIGCONTs it and waits for it to log that it lost the job (its renewal or its
     * result was refused) and for its sandboxes to be gone.
     *
     * @param oneSandbox the job's work is one sandbox, still running on the stopped node when the job is taken over
     * @param lostLines  what the woken node logs when it finds the job taken over (any one of them)
     */
    static Takeover stallPastLease(String arnSuffix, boolean oneSandbox, String... lostLines) throws Exception {
        Run first = awaitRun(arnSuffix, 1);
        NodeProcess stalled = byNodeId(first.node());
        Waits.until(() -> sandboxesOf(stalled), n -> n > 0, Duration.ofSeconds(30));
        stalled.pause();
        long pausedAt = System.nanoTime();
        Run takeover;
        try {
            takeover = awaitRun(arnSuffix, 2);
            assertThat(takeover.node()).isNotEqualTo(first.node());
            assertThat(Duration.ofNanos(takeover.seenNanos() - pausedAt)).isLessThan(LEASE.plusSeconds(10));
            if (oneSandbox) {
                assertThat(sandboxesOf(stalled)).as("the stalled node's job still runs while it is stopped").isPositive();
            }
        } finally {
            stalled.resume();
        }
        // Awake again: its renewal (a write under the old epoch) is refused, so it kills its sandbox and writes nothing.
        Waits.until(() -> {
            try {
                String text = stalled.logText();
                return List.of(lostLines).stream().anyMatch(text::contains);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }, lost -> lost, Duration.ofSeconds(15));
        Waits.until(() -> sandboxesOf(stalled), n -> n == 0, Duration.ofSeconds(15));
        return new Takeover(first, stalled, takeover, byNodeId(takeover.node()));
    }

    @Test
    @Order(7)
    void aTrainingJobsLogsAndMetricsAreReadThroughEveryNodeWhileItRunsAndAfter() throws Exception {
        String name = "telemetry-t";
        int epochs = 12;
        sm(1).createTrainingJob(training(name, epochs).algorithmSpecification(a -> a.trainingImage(IMAGE)
                .trainingInputMode(TrainingInputMode.FILE)
                .metricDefinitions(m -> m.name("train:loss").regex("train:loss=([0-9.]+)"))).build());
        Run run = awaitRun("training-job/" + name, 1);
        NodeProcess runner = byNodeId(run.node());
        List<NodeProcess> others = nodes.stream().filter(n -> n != runner).toList();
        // While it runs, the nodes that do not run it answer its log stream and its metric (flush + discovery < 1 s).
        for (NodeProcess reader : others) {
            List<String> lines = Waits.until(() -> messages(reader, name), l -> l.contains("epoch=2 train:loss=0.2"),
                    Duration.ofSeconds(20));
            assertThat(lines).first().isEqualTo("training for " + epochs + " s");
            assertThat(Waits.until(() -> lossSamples(reader, name), n -> n >= 2, Duration.ofSeconds(10))).isPositive();
        }
        // A follower answers a line about as soon as the node that writes it: the lag from the running node's first
        // answer with epoch k to each other node's (polled one after the other, so an upper bound).
        List<Long> lagsMillis = new ArrayList<>();
        for (int k = 4; k <= 6; k++) {
            String line = "epoch=" + k + " train:loss=0." + k;
            awaitLine(runner, name, line);
            long seen = System.nanoTime();
            for (NodeProcess reader : others) {
                awaitLine(reader, name, line);
                lagsMillis.add(Duration.ofNanos(System.nanoTime() - seen).toMillis());
            }
        }
        assertThat(sm(0).describeTrainingJob(r -> r.trainingJobName(name)).trainingJobStatus())
                .as("read while the job was running").isEqualTo(TrainingJobStatus.IN_PROGRESS);
        List<Long> sorted = lagsMillis.stream().sorted().toList();
        System.out.printf("cluster: a log line answered by the other nodes %d ms (median), %d ms (max) after the "
                + "running node answered it (%d samples)%n", sorted.get(sorted.size() / 2), sorted.get(sorted.size() - 1),
                sorted.size());
        assertThat(sorted.get(sorted.size() / 2)).isLessThan(1000);
        for (NodeProcess reader : others) {
            assertThat(reader.logs().filterLogEvents(r -> r.logGroupName(NodeReads.TRAINING_JOBS)
                    .logStreamNamePrefix(name + "/").filterPattern("\"train:loss=0.4\"")).events())
                    .as(reader.name + " filters the running job's stream").singleElement()
                    .satisfies(e -> assertThat(e.message()).isEqualTo("epoch=4 train:loss=0.4"));
            assertThat(reader.cloudwatch().listMetrics(r -> r.namespace(NodeReads.TRAINING_JOBS)
                    .metricName("train:loss").dimensions(dim -> dim.name("TrainingJobName").value(name))).metrics())
                    .as(reader.name + " lists the running job's metric").hasSize(1);
        }

        completedTraining(node(2), name, Duration.ofSeconds(90));
        Thread.sleep(1000);
        // Afterwards every node answers the same: one stream, every line, every datapoint.
        List<String> all = messages(runner, name);
        assertThat(all).contains("epoch=" + epochs + " train:loss=0." + epochs);
        for (NodeProcess n : nodes) {
            assertThat(n.logs().describeLogStreams(r -> r.logGroupName(NodeReads.TRAINING_JOBS)
                    .logStreamNamePrefix(name + "/")).logStreams()).singleElement()
                    .satisfies(st -> assertThat(st.logStreamName()).startsWith(name + "/algo-1-"));
            assertThat(messages(n, name)).as(n.name + " reads every line").isEqualTo(all);
            assertThat(lossSamples(n, name)).as(n.name + " reads every datapoint").isEqualTo(epochs);
        }
    }

    // ------------------------------------------------------------------------------------------------- helpers

    static CreateTrainingJobRequest.Builder training(String name, int seconds) {
        return CreateTrainingJobRequest.builder().trainingJobName(name).roleArn(ROLE)
                .algorithmSpecification(a -> a.trainingImage(IMAGE).trainingInputMode(TrainingInputMode.FILE))
                .hyperParameters(Map.of("seconds", String.valueOf(seconds)))
                .inputDataConfig(c -> c.channelName("train").dataSource(d -> d.s3DataSource(s -> s
                        .s3DataType("S3Prefix").s3Uri("s3://data/train/").s3DataDistributionType("FullyReplicated"))))
                .outputDataConfig(o -> o.s3OutputPath("s3://out/models"))
                .resourceConfig(r -> r.instanceType("ml.m5.large").instanceCount(1).volumeSizeInGB(10))
                .stoppingCondition(s -> s.maxRuntimeInSeconds(600));
    }

    record S3Key(String bucket, String key) {
        static S3Key of(String uri) {
            URI u = URI.create(uri);
            return new S3Key(u.getHost(), u.getPath().substring(1));
        }
    }

    /** One start of a job's work, as its node logged it: "... job <arn> runs on node <id> (claim epoch <n>)". */
    record Run(String node, long epoch, long seenNanos) {}

    static List<Run> runsOf(String arnSuffix) throws Exception {
        Pattern p = Pattern.compile(Pattern.quote(arnSuffix) + " runs on node (\\S+) \\(claim epoch (\\d+)\\)");
        List<Run> runs = new ArrayList<>();
        long now = System.nanoTime();
        for (NodeProcess n : nodes) {
            Matcher m = p.matcher(n.logText());
            while (m.find()) runs.add(new Run(m.group(1), Long.parseLong(m.group(2)), now));
        }
        runs.sort(Comparator.comparingLong(Run::epoch));
        return runs;
    }

    /** Waits for the start of a job's work under claim epoch {@code epoch}, on whichever node. */
    static Run awaitRun(String arnSuffix, long epoch) throws Exception {
        return Waits.until(() -> {
            try {
                return runsOf(arnSuffix).stream().filter(r -> r.epoch() == epoch).findFirst().orElse(null);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, r -> r != null, Duration.ofSeconds(60));
    }

    static NodeProcess byNodeId(String nodeId) throws Exception {
        for (NodeProcess n : nodes) if (n.nodeId().equals(nodeId)) return n;
        throw new AssertionError("no node " + nodeId);
    }

    static NodeProcess byNodeIdUnchecked(String nodeId) {
        try {
            return byNodeId(nodeId);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The node whose claim a resource is under, as the store records it. */
    static int servingNode(String kind, String name) throws Exception {
        String owner = row(kind, name).owner();
        for (int i = 0; i < nodes.size(); i++) if (nodes.get(i).nodeId().equals(owner)) return i;
        throw new AssertionError(name + " is claimed by no node: " + owner);
    }

    record Row(String status, String owner, long epoch) {}

    static Row row(String kind, String name) throws Exception {
        try (Connection c = DriverManager.getConnection(jdbcUrl, "postgres", "");
             PreparedStatement ps = c.prepareStatement(
                     "SELECT status, lease_owner, claim_epoch FROM resources WHERE kind=? AND name=?")) {
            ps.setString(1, kind);
            ps.setString(2, name);
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).as(kind + " " + name + " exists").isTrue();
                return new Row(rs.getString(1), rs.getString(2), rs.getLong(3));
            }
        }
    }

}
