package dev.sagebrush.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.retry.RetryMode;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sagemaker.SageMakerClient;
import software.amazon.awssdk.services.sagemaker.model.CompilationJobStatus;
import software.amazon.awssdk.services.sagemaker.model.CompilationJobSummary;
import software.amazon.awssdk.services.sagemaker.model.DescribeCompilationJobResponse;
import software.amazon.awssdk.services.sagemaker.model.ResourceNotFoundException;

/**
 * Durability of acknowledged writes: the server runs as a child JVM ({@code dev.sagebrush.cli.Main server}), several
 * client threads create compilation jobs through the real SDK, and while creates are in flight the process gets
 * SIGKILL ({@link Process#destroyForcibly()}). After a restart on the same data directory every job whose create
 * answered 200 must be there, intact, and the database must pass SQLite's integrity check. Several kill cycles run in a
 * row on one data directory, so recovery from a killed run is itself killed again.
 */
class DurabilityIT {
    static final int CYCLES = 4;
    static final int CLIENT_THREADS = 8;

    private Path dataDir;
    private Path logDir;
    private Process server;

    @AfterEach
    void cleanUp() throws Exception {
        if (server != null && server.isAlive()) {
            server.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        deleteTree(dataDir);
        deleteTree(logDir);
    }

    @Test
    void everyAcknowledgedCreateSurvivesKillDashNine() throws Exception {
        dataDir = Files.createTempDirectory("sagebrush-durability");
        logDir = Files.createTempDirectory("sagebrush-durability-logs");
        Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        int unacknowledgedAtKill = 0;

        for (int cycle = 0; cycle < CYCLES; cycle++) {
            int port = freePort();
            server = startServer(port, logDir.resolve("server-" + cycle + ".log"));
            try (SageMakerClient sm = client(port)) {
                awaitReady(sm, server, logDir.resolve("server-" + cycle + ".log"));
                verify(sm, acknowledged);

                int killAfter = 150 + ThreadLocalRandom.current().nextInt(150);
                AtomicInteger ackedThisCycle = new AtomicInteger();
                AtomicInteger failedAfterKill = new AtomicInteger();
                AtomicInteger inFlight = new AtomicInteger();
                AtomicReference<Throwable> unexpected = new AtomicReference<>();
                AtomicBoolean killed = new AtomicBoolean();
                ExecutorService clients = Executors.newFixedThreadPool(CLIENT_THREADS);
                List<Future<?>> running = new ArrayList<>();
                int c = cycle;
                for (int t = 0; t < CLIENT_THREADS; t++) {
                    int thread = t;
                    running.add(clients.submit(() -> {
                        for (int i = 0; ; i++) {
                            String name = "dur-" + c + "-" + thread + "-" + i;
                            inFlight.incrementAndGet();
                            try {
                                sm.createCompilationJob(CompilationJobApiIT.job(name).build());
                                acknowledged.add(name); // the create answered 200: from now on it must survive
                                ackedThisCycle.incrementAndGet();
                            } catch (SdkException e) {
                                if (killed.get()) {
                                    failedAfterKill.incrementAndGet();
                                    return;
                                }
                                unexpected.compareAndSet(null, e);
                                return;
                            } finally {
                                inFlight.decrementAndGet();
                            }
                        }
                    }));
                }
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (ackedThisCycle.get() < killAfter && unexpected.get() == null && System.nanoTime() < deadline) {
                    Thread.sleep(2);
                }
                killed.set(true);
                int inFlightAtKill = inFlight.get(); // creates sent and not yet answered (approximately: no lock)
                server.destroyForcibly(); // SIGKILL: no shutdown hook, no close(), no final checkpoint
                assertThat(server.waitFor(10, TimeUnit.SECONDS)).isTrue();
                clients.shutdown();
                assertThat(clients.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
                for (Future<?> f : running) f.get();
                assertThat(unexpected.get()).as("a create failed before the kill").isNull();
                assertThat(ackedThisCycle.get()).isGreaterThanOrEqualTo(killAfter);
                assertThat(inFlightAtKill).as("creates in flight at the kill").isPositive();
                assertThat(failedAfterKill.get()).as("every client saw the kill").isEqualTo(CLIENT_THREADS);
                unacknowledgedAtKill += inFlightAtKill;
            }
            assertThat(integrityCheck()).isEqualTo("ok");
        }

        int port = freePort();
        server = startServer(port, logDir.resolve("server-final.log"));
        try (SageMakerClient sm = client(port)) {
            awaitReady(sm, server, logDir.resolve("server-final.log"));
            verify(sm, acknowledged);
        }
        assertThat(acknowledged.size()).isGreaterThanOrEqualTo(CYCLES * 150);
        System.out.printf("DurabilityIT: %d kill cycles, %d acknowledged creates all present, %d in flight at the kills%n",
                CYCLES, acknowledged.size(), unacknowledgedAtKill);
        server.destroy();
        server.waitFor(10, TimeUnit.SECONDS);
    }

    /** Every acknowledged job describes as created; every listed job (acknowledged or not) describes too. */
    private static void verify(SageMakerClient sm, Set<String> acknowledged) throws Exception {
        Set<String> listed = new HashSet<>();
        for (CompilationJobSummary s : sm.listCompilationJobsPaginator(r -> r.maxResults(100)).compilationJobSummaries()) {
            assertThat(listed.add(s.compilationJobName())).as("listed twice: " + s.compilationJobName()).isTrue();
            assertThat(s.compilationJobStatus()).isEqualTo(CompilationJobStatus.STARTING);
        }
        assertThat(listed).containsAll(acknowledged);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> checks = new ArrayList<>();
            for (String name : listed) {
                checks.add(pool.submit(() -> {
                    DescribeCompilationJobResponse d = sm.describeCompilationJob(r -> r.compilationJobName(name));
                    assertThat(d.compilationJobName()).isEqualTo(name);
                    assertThat(d.compilationJobArn())
                            .isEqualTo("arn:aws:sagemaker:us-east-1:000000000000:compilation-job/" + name);
                    assertThat(d.compilationJobStatus()).isEqualTo(CompilationJobStatus.STARTING);
                    assertThat(d.roleArn()).isEqualTo("arn:aws:iam::000000000000:role/SageMakerRole");
                    assertThat(d.inputConfig().s3Uri()).isEqualTo("s3://models/xgb/model.tar.gz");
                    assertThat(d.outputConfig().s3OutputLocation()).isEqualTo("s3://models/out/");
                    assertThat(d.stoppingCondition().maxRuntimeInSeconds()).isEqualTo(900);
                    return null;
                }));
            }
            for (Future<?> f : checks) f.get();
        } finally {
            pool.shutdownNow();
        }
    }

    /** Opens the database the killed server left behind (running SQLite's WAL recovery) and checks every page. */
    private String integrityCheck() throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dataDir.resolve("sagebrush.db").toAbsolutePath());
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("PRAGMA integrity_check")) {
            StringBuilder out = new StringBuilder();
            while (rs.next()) out.append(out.length() == 0 ? "" : "; ").append(rs.getString(1));
            return out.toString();
        }
    }

    private Process startServer(int port, Path log) throws IOException {
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path cpFile = Path.of("target", "runtime-classpath.txt");
        String classpath = Files.exists(cpFile)
                ? Path.of("target", "classes").toAbsolutePath() + File.pathSeparator + Files.readString(cpFile).trim()
                : System.getProperty("java.class.path");
        return new ProcessBuilder(javaBin, "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", classpath, "dev.sagebrush.cli.Main", "server",
                "--port", String.valueOf(port), "--data-dir", dataDir.toString(), "--compile-workers", "0")
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
    }

    private static void awaitReady(SageMakerClient sm, Process p, Path log) throws Exception {
        // Generous: a JVM starting on a shared 2-core machine under heavy load has been seen to need over 30 s.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (true) {
            if (!p.isAlive()) {
                throw new AssertionError("The server exited with " + p.exitValue() + ":\n" + Files.readString(log));
            }
            try {
                sm.describeCompilationJob(r -> r.compilationJobName("readiness-probe"));
                throw new AssertionError("readiness-probe should not exist");
            } catch (ResourceNotFoundException e) {
                return; // the API answers
            } catch (SdkException e) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("The server did not answer within 120 s:\n" + Files.readString(log), e);
                }
                Thread.sleep(100);
            }
        }
    }

    private static SageMakerClient client(int port) {
        return SageMakerClient.builder()
                .endpointOverride(URI.create("http://127.0.0.1:" + port))
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
                .httpClientBuilder(Apache5HttpClient.builder().maxConnections(CLIENT_THREADS * 2))
                .overrideConfiguration(o -> o.retryStrategy(RetryMode.STANDARD).retryStrategy(b -> b.maxAttempts(1))
                        .apiCallTimeout(Duration.ofSeconds(15)))
                .build();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (dir == null || !Files.exists(dir)) return;
        try (var walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
