package dev.sagebrush.it;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.core.client.builder.SdkSyncClientBuilder;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.retry.RetryMode;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudwatch.CloudWatchClient;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sagemaker.SageMakerClient;
import software.amazon.awssdk.services.sagemaker.model.ResourceNotFoundException;

/**
 * One Sagebrush node as its own JVM process ({@code dev.sagebrush.cli.Main server}, what {@code bin/sagebrush server}
 * runs), with its own data directory and log file: what the multi-node tests kill with SIGKILL, pause with SIGSTOP
 * and resume with SIGCONT. The server's arguments are the documented flags; nothing test-only.
 */
final class NodeProcess implements AutoCloseable {
    final String name;
    final Path dataDir;
    final Path log;
    private final List<String> args;
    private final Map<String, String> env;
    private Process process;
    private int port;
    private SageMakerClient sagemaker;
    private S3Client s3;
    private CloudWatchLogsClient logs;
    private CloudWatchClient cloudwatch;

    NodeProcess(String name, Path dataDir, Path log, List<String> args, Map<String, String> env) {
        this.name = name;
        this.dataDir = dataDir;
        this.log = log;
        this.args = List.copyOf(args);
        this.env = Map.copyOf(env);
    }

    /** Starts the process on a free port (the same data directory every time: the same node id). */
    NodeProcess start() throws IOException {
        port = freePort();
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path cpFile = Path.of("target", "runtime-classpath.txt");
        String classpath = Files.exists(cpFile)
                ? Path.of("target", "classes").toAbsolutePath() + File.pathSeparator + Files.readString(cpFile).trim()
                : System.getProperty("java.class.path");
        List<String> cmd = new ArrayList<>(List.of(javaBin, "-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", classpath, "dev.sagebrush.cli.Main", "server", "--port", String.valueOf(port),
                "--data-dir", dataDir.toString()));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().putAll(env);
        process = pb.start();
        closeClients();
        return this;
    }

    /** Waits until the API answers (a JVM starting on a loaded 2-core machine may need tens of seconds). */
    NodeProcess awaitReady() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (true) {
            if (!process.isAlive()) {
                throw new AssertionError(name + " exited with " + process.exitValue() + ":\n" + logText());
            }
            try {
                sagemaker().describeCompilationJob(r -> r.compilationJobName("readiness-probe"));
                throw new AssertionError("readiness-probe should not exist");
            } catch (ResourceNotFoundException e) {
                return this;
            } catch (SdkException e) {
                if (System.nanoTime() > deadline) throw new AssertionError(name + " did not answer:\n" + logText(), e);
                Thread.sleep(200);
            }
        }
    }

    long pid() {
        return process.pid();
    }

    boolean alive() {
        return process != null && process.isAlive();
    }

    URI endpoint() {
        return URI.create("http://127.0.0.1:" + port);
    }

    /** The node id this node claims work under (kept in its data directory). */
    String nodeId() throws IOException {
        return Files.readString(dataDir.resolve("secrets").resolve("node-id")).strip();
    }

    String logText() throws IOException {
        return Files.exists(log) ? Files.readString(log) : "";
    }

    /** Every process this node started that is still running (its sandboxes and what runs in them). */
    List<ProcessHandle> descendants() {
        return process.descendants().filter(ProcessHandle::isAlive).toList();
    }

    void kill9() throws Exception {
        signal("KILL");
        if (!process.waitFor(20, TimeUnit.SECONDS)) throw new AssertionError(name + " survived SIGKILL");
    }

    void pause() throws Exception {
        signal("STOP");
    }

    void resume() throws Exception {
        signal("CONT");
    }

    private void signal(String sig) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + sig, Long.toString(process.pid())).inheritIO().start();
        if (kill.waitFor() != 0) throw new AssertionError("kill -" + sig + " " + process.pid() + " failed");
    }

    synchronized SageMakerClient sagemaker() {
        if (sagemaker == null) {
            sagemaker = toThisNode(SageMakerClient.builder())
                    .overrideConfiguration(o -> o.retryStrategy(RetryMode.STANDARD).retryStrategy(b -> b.maxAttempts(1))
                            .apiCallTimeout(Duration.ofSeconds(30)))
                    .build();
        }
        return sagemaker;
    }

    synchronized S3Client s3() {
        if (s3 == null) s3 = toThisNode(S3Client.builder()).forcePathStyle(true).build();
        return s3;
    }

    synchronized CloudWatchLogsClient logs() {
        if (logs == null) logs = toThisNode(CloudWatchLogsClient.builder()).build();
        return logs;
    }

    synchronized CloudWatchClient cloudwatch() {
        if (cloudwatch == null) cloudwatch = toThisNode(CloudWatchClient.builder()).build();
        return cloudwatch;
    }

    /** A client builder aimed at this node's current port with the test credentials. */
    private <B extends AwsClientBuilder<B, ?> & SdkSyncClientBuilder<B, ?>> B toThisNode(B builder) {
        return builder.endpointOverride(endpoint()).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
                .httpClientBuilder(Apache5HttpClient.builder());
    }

    private synchronized void closeClients() {
        for (AutoCloseable c : new AutoCloseable[] {sagemaker, s3, logs, cloudwatch}) {
            try {
                if (c != null) c.close();
            } catch (Exception ignored) {
                // a client that fails to close holds nothing of the next start's
            }
        }
        sagemaker = null;
        s3 = null;
        logs = null;
        cloudwatch = null;
    }

    /** SIGTERM (a clean stop: its sandboxes and Jupyters are stopped), SIGKILL if it does not exit in 30 s. */
    @Override
    public void close() throws Exception {
        closeClients();
        if (process == null || !process.isAlive()) return;
        signal("CONT"); // a paused node cannot stop
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
