import dev.sagebrush.Sagebrush;
import dev.sagebrush.config.Config;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sagemaker.SageMakerClient;

/**
 * Notebook instance start-up on this machine, through the AWS SDK against an embedded Sagebrush:
 *  1. CreateNotebookInstance → InService latency, N instances one after another (p50, p90, max);
 *  2. N instances created at once: time until the last is InService;
 *  3. memory (RSS) per running idle instance: its Jupyter server and every process of its cgroup.
 * Run with bench/notebooks/run.sh (as root for the isolation Sagebrush applies by default).
 */
public final class NotebookStartBench {
    static SageMakerClient sm;

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        String rootAccess = args.length > 1 ? args[1] : "Disabled";
        Path dir = Files.createTempDirectory("sagebrush-bench");
        try (Sagebrush server = Sagebrush.start(Config.defaults(dir).withPort(0).withCompileWorkers(0))) {
            sm = SageMakerClient.builder().endpointOverride(URI.create(server.endpoint())).region(Region.US_EAST_1)
                    .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
                    .httpClientBuilder(Apache5HttpClient.builder()).build();
            warmUp(rootAccess);

            List<Double> sequential = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                String name = "seq-" + i;
                long t0 = System.nanoTime();
                create(name, rootAccess);
                awaitInService(name);
                sequential.add((System.nanoTime() - t0) / 1e9);
            }
            long rssKb = 0;
            for (int i = 0; i < n; i++) rssKb += rssOf("seq-" + i);
            System.out.printf("sequential: n=%d RootAccess=%s p50=%.2fs p90=%.2fs max=%.2fs%n", n, rootAccess,
                    pct(sequential, 50), pct(sequential, 90), Collections.max(sequential));
            System.out.printf("memory per idle running instance (RSS of its processes): %.1f MB%n", rssKb / 1024.0 / n);
            for (int i = 0; i < n; i++) stopAndDelete("seq-" + i);

            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) create("par-" + i, rootAccess);
            for (int i = 0; i < n; i++) awaitInService("par-" + i);
            System.out.printf("%d created at once: all InService after %.2fs%n", n, (System.nanoTime() - t0) / 1e9);
            for (int i = 0; i < n; i++) stopAndDelete("par-" + i);
        } finally {
            new ProcessBuilder("rm", "-rf", dir.toString()).start().waitFor();
        }
    }

    static void warmUp(String rootAccess) throws Exception {
        create("warm-up", rootAccess); // first-start costs (class loading, page cache) are not what users see twice
        awaitInService("warm-up");
        stopAndDelete("warm-up");
    }

    static void create(String name, String rootAccess) {
        sm.createNotebookInstance(r -> r.notebookInstanceName(name).instanceType("ml.t3.medium")
                .roleArn("arn:aws:iam::000000000000:role/Bench").rootAccess(rootAccess));
    }

    static void awaitInService(String name) throws InterruptedException {
        while (true) {
            String s = sm.describeNotebookInstance(r -> r.notebookInstanceName(name)).notebookInstanceStatusAsString();
            if (s.equals("InService")) return;
            if (s.equals("Failed")) throw new IllegalStateException(name + " failed");
            Thread.sleep(20);
        }
    }

    static void stopAndDelete(String name) throws InterruptedException {
        sm.stopNotebookInstance(r -> r.notebookInstanceName(name));
        while (!sm.describeNotebookInstance(r -> r.notebookInstanceName(name)).notebookInstanceStatusAsString().equals("Stopped")) {
            Thread.sleep(20);
        }
        sm.deleteNotebookInstance(r -> r.notebookInstanceName(name));
    }

    /** RSS in kB of the instance's Jupyter server and its descendants. */
    static long rssOf(String name) {
        return ProcessHandle.allProcesses()
                // The instance's sandbox (bwrap binds its volume); its helper pid 1 is a descendant and counted once.
                .filter(p -> p.info().commandLine().orElse("").contains("bwrap --")
                        && p.info().commandLine().orElse("").contains("/" + name + "/SageMaker ")
                        && p.parent().map(q -> !q.info().commandLine().orElse("").contains("bwrap --")).orElse(true))
                .flatMap(p -> java.util.stream.Stream.concat(java.util.stream.Stream.of(p), p.descendants()))
                .mapToLong(p -> {
                    try {
                        for (String l : Files.readAllLines(Path.of("/proc", Long.toString(p.pid()), "status"))) {
                            if (l.startsWith("VmRSS:")) return Long.parseLong(l.replaceAll("\\D", ""));
                        }
                    } catch (Exception ignored) {
                        // exited meanwhile
                    }
                    return 0;
                }).sum();
    }

    static double pct(List<Double> xs, int p) {
        List<Double> s = new ArrayList<>(xs);
        Collections.sort(s);
        return s.get(Math.min(s.size() - 1, (int) Math.ceil(p / 100.0 * s.size()) - 1));
    }
}
