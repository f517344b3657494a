package dev.sagebrush.bench;

import dev.sagebrush.it.ServerFixture;
import dev.sagebrush.it.TestImages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import software.amazon.awssdk.services.sagemaker.SageMakerClient;
import software.amazon.awssdk.services.sagemaker.model.CreateTrainingJobRequest;
import software.amazon.awssdk.services.sagemaker.model.TrainingJobStatus;

/**
 * What a container costs per training job over the sandboxed process backend (bench/containers/run.sh): the same
 * trivial job (a shell that prints a metric line and writes a one-line model) run N times on each backend,
 * interleaved, through the real server and the AWS SDK; each job is timed from CreateTrainingJob to Completed as a
 * client polling every 20 ms sees it. The difference of the medians is the container's start/stop overhead (run,
 * user namespace, cgroups, removal).
 * <pre>java -cp target/classes:target/test-classes:$(cat target/test-classpath.txt) dev.sagebrush.bench.ContainerStartBench [N]</pre>
 */
public final class ContainerStartBench {
    static final String WORK = "echo loss=1; echo x > /opt/ml/model/m";

    private ContainerStartBench() {}

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 15;
        String image = TestImages.byoTraining();
        Path registry = Files.createTempFile("bench-images", ".txt");
        Files.writeString(registry, "bench/process /bin/sh -c '" + WORK + "' sh\n");
        try (ServerFixture f = ServerFixture.start(c -> c.withCompileWorkers(0)
                .withNotebooks(c.notebooks().withRunInstances(false))
                .withTraining(c.training().withImagesFile(registry).withWorkers(1)))) {
            SageMakerClient sm = f.sagemaker();
            var s3 = f.s3();
            s3.createBucket(r -> r.bucket("data"));
            s3.createBucket(r -> r.bucket("out"));
            s3.putObject(r -> r.bucket("data").key("train/a.csv"),
                    software.amazon.awssdk.core.sync.RequestBody.fromString("1,2\n"));
            // Warm-up: one of each (engine detection, page cache, the image's first mapping).
            time(sm, job("warm-p", "bench/process", false));
            time(sm, job("warm-c", image, true));
            List<Long> process = new ArrayList<>();
            List<Long> container = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                process.add(time(sm, job("p-" + i, "bench/process", false)));
                container.add(time(sm, job("c-" + i, image, true)));
            }
            long p = median(process);
            long c = median(container);
            System.out.printf(Locale.ROOT, "jobs per backend: %d (interleaved)%n", n);
            System.out.printf(Locale.ROOT, "process backend (bubblewrap) create->Completed median: %d ms%n", p);
            System.out.printf(Locale.ROOT, "container backend (podman+runc) create->Completed median: %d ms%n", c);
            System.out.printf(Locale.ROOT, "container overhead per job: %d ms (ratio %.2f)%n", c - p, c / (double) p);
            // Each container job ran right after its process job: their difference cancels slow load drift.
            List<Long> pairs = new ArrayList<>();
            for (int i = 0; i < n; i++) pairs.add(container.get(i) - process.get(i));
            System.out.printf(Locale.ROOT, "paired overhead (container_i - process_i): median %d ms, quartiles %d-%d ms%n",
                    median(pairs), quantile(pairs, 0.25), quantile(pairs, 0.75));
        }
    }

    static CreateTrainingJobRequest job(String name, String image, boolean container) {
        return CreateTrainingJobRequest.builder().trainingJobName(name)
                .roleArn("arn:aws:iam::000000000000:role/SageMakerRole")
                .algorithmSpecification(a -> {
                    a.trainingImage(image).trainingInputMode("File");
                    if (container) a.containerEntrypoint("/bin/sh", "-c", WORK);
                })
                .inputDataConfig(ch -> ch.channelName("train").dataSource(d -> d.s3DataSource(s -> s
                        .s3DataType("S3Prefix").s3Uri("s3://data/train/"))))
                .outputDataConfig(o -> o.s3OutputPath("s3://out/bench"))
                .resourceConfig(r -> r.instanceType("ml.m5.large").instanceCount(1).volumeSizeInGB(1))
                .stoppingCondition(s -> s.maxRuntimeInSeconds(300)).build();
    }

    static long time(SageMakerClient sm, CreateTrainingJobRequest req) throws InterruptedException {
        long t0 = System.nanoTime();
        sm.createTrainingJob(req);
        while (true) {
            var d = sm.describeTrainingJob(r -> r.trainingJobName(req.trainingJobName()));
            if (d.trainingJobStatus() == TrainingJobStatus.COMPLETED) break;
            if (d.trainingJobStatus() == TrainingJobStatus.FAILED) {
                throw new IllegalStateException(req.trainingJobName() + ": " + d.failureReason());
            }
            if (System.nanoTime() - t0 > Duration.ofMinutes(2).toNanos()) throw new IllegalStateException("timeout");
            Thread.sleep(20);
        }
        return (System.nanoTime() - t0) / 1_000_000;
    }

    static long median(List<Long> values) {
        return quantile(values, 0.5);
    }

    static long quantile(List<Long> values, double q) {
        List<Long> s = new ArrayList<>(values);
        s.sort(null);
        return s.get(Math.min(s.size() - 1, (int) (q * s.size())));
    }
}
