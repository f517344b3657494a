package dev.sagebrush.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sagemaker.SageMakerClient;

/**
 * The access log is written in batches by a background thread (issue 11): a clean stop (SIGTERM) must still write the
 * line of every request answered before it, the last ones included.
 */
class AccessLogShutdownIT {
    @Test
    void aCleanStopWritesTheLineOfEveryAnsweredRequest(@TempDir Path dir) throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path stdout = dir.resolve("stdout.log");
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path cpFile = Path.of("target", "runtime-classpath.txt");
        String classpath = Files.exists(cpFile)
                ? Path.of("target", "classes").toAbsolutePath() + File.pathSeparator + Files.readString(cpFile).trim()
                : System.getProperty("java.class.path");
        Process server = new ProcessBuilder(javaBin, "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", classpath, "dev.sagebrush.cli.Main", "server", "--port", String.valueOf(port),
                "--data-dir", dir.resolve("data").toString(), "--compile-workers", "0")
                .redirectError(dir.resolve("stderr.log").toFile())
                .redirectOutput(stdout.toFile())
                .start();
        try (SageMakerClient sm = SageMakerClient.builder()
                .endpointOverride(URI.create("http://127.0.0.1:" + port))
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
                .httpClientBuilder(Apache5HttpClient.builder())
                .overrideConfiguration(o -> o.apiCallTimeout(Duration.ofSeconds(15)).retryStrategy(b -> b.maxAttempts(1)))
                .build()) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (true) {
                assertThat(server.isAlive()).as("server running: " + Files.readString(dir.resolve("stderr.log"))).isTrue();
                try {
                    sm.listTrainingJobs(r -> r.maxResults(1));
                    break;
                } catch (SdkException e) {
                    if (System.nanoTime() > deadline) throw e;
                    Thread.sleep(200);
                }
            }
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                ids.add(sm.listTrainingJobs(r -> r.maxResults(1)).responseMetadata().requestId());
            }
            server.destroy(); // SIGTERM right after the last answer: its line may still be pending
            assertThat(server.waitFor(60, TimeUnit.SECONDS)).isTrue();
            String log = Files.readString(stdout);
            for (String id : ids) {
                assertThat(log).contains("\"request_id\":\"" + id + "\"");
            }
            assertThat(log.lines().filter(l -> l.startsWith("{\"time\"")).allMatch(l -> l.endsWith("}"))).isTrue();
        } finally {
            server.destroyForcibly();
        }
    }
}
