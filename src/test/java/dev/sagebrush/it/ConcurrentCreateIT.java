package dev.sagebrush.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.retry.RetryMode;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sagemaker.SageMakerClient;
import software.amazon.awssdk.services.sagemaker.model.CompilationJobStatus;
import software.amazon.awssdk.services.sagemaker.model.CompilationJobSummary;
import software.amazon.awssdk.services.sagemaker.model.DescribeCompilationJobResponse;
import software.amazon.awssdk.services.sagemaker.model.ResourceInUseException;
import software.amazon.awssdk.services.sagemaker.model.ResourceNotFoundException;
import software.amazon.awssdk.services.sagemaker.model.SageMakerException;

/**
 * Races through the real SDK, many threads released at once by a barrier: the same name created concurrently has
 * exactly one winner and every other caller gets ResourceInUse; concurrent Stop and Delete of one job leave it in one
 * consistent state (never a 500, never half-deleted, never a job that lists but does not describe).
 */
class ConcurrentCreateIT {
    static final int THREADS = 16;
    static final int ROUNDS = 8;
    static ServerFixture fixture;
    static SageMakerClient sm;
    static ExecutorService pool;

    @BeforeAll
    static void start() {
        fixture = ServerFixture.start(c -> c.withCompileWorkers(0));
        sm = SageMakerClient.builder()
                .endpointOverride(fixture.endpoint)
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
                .httpClientBuilder(Apache5HttpClient.builder().maxConnections(THREADS * 2))
                .overrideConfiguration(o -> o.retryStrategy(RetryMode.STANDARD).retryStrategy(b -> b.maxAttempts(1)))
                .build();
        pool = Executors.newFixedThreadPool(THREADS);
    }

    @AfterAll
    static void stop() throws InterruptedException {
        pool.shutdownNow();
        pool.awaitTermination(10, TimeUnit.SECONDS);
        sm.close();
        fixture.close();
    }

    enum Outcome { OK, IN_USE, NOT_FOUND, VALIDATION }

    /** Runs every call at once (released together by a barrier) and classifies each answer; anything else fails. */
    static List<Outcome> race(List<Callable<Object>> calls) throws Exception {
        CyclicBarrier barrier = new CyclicBarrier(calls.size());
        List<Future<Outcome>> futures = new ArrayList<>();
        for (Callable<Object> call : calls) {
            futures.add(pool.submit(() -> {
                barrier.await(10, TimeUnit.SECONDS);
                try {
                    call.call();
                    return Outcome.OK;
                } catch (ResourceInUseException e) {
                    return Outcome.IN_USE;
                } catch (ResourceNotFoundException e) {
                    return Outcome.NOT_FOUND;
                } catch (SageMakerException e) {
                    if (e.statusCode() == 400 && "ValidationException".equals(e.awsErrorDetails().errorCode())) {
                        return Outcome.VALIDATION;
                    }
                    throw e; // a 500, or any other error, is a bug
                }
            }));
        }
        List<Outcome> out = new ArrayList<>();
        for (Future<Outcome> f : futures) out.add(f.get(60, TimeUnit.SECONDS));
        return out;
    }

    static long count(List<Outcome> outcomes, Outcome o) {
        return outcomes.stream().filter(o::equals).count();
    }

    @Test
    void sameNameCreatedConcurrentlyHasExactlyOneWinner() throws Exception {
        for (int round = 0; round < ROUNDS; round++) {
            String name = "same-name-" + round;
            List<Callable<Object>> calls = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                // Each caller asks for a different role, so the stored job shows which caller won, and that it won whole.
                String role = "arn:aws:iam::000000000000:role/Caller" + t;
                calls.add(() -> sm.createCompilationJob(CompilationJobApiIT.job(name).roleArn(role).build()));
            }
            List<Outcome> outcomes = race(calls);
            assertThat(count(outcomes, Outcome.OK)).as("successes for " + name + ": " + outcomes).isEqualTo(1);
            assertThat(count(outcomes, Outcome.IN_USE)).as("ResourceInUse for " + name).isEqualTo(THREADS - 1);
            int winner = outcomes.indexOf(Outcome.OK);
            DescribeCompilationJobResponse d = sm.describeCompilationJob(r -> r.compilationJobName(name));
            assertThat(d.roleArn()).isEqualTo("arn:aws:iam::000000000000:role/Caller" + winner);
            assertThat(d.compilationJobStatus()).isEqualTo(CompilationJobStatus.STARTING);
        }
        assertThat(sm.listCompilationJobsPaginator(r -> r.nameContains("same-name-")).compilationJobSummaries()
                .stream().map(CompilationJobSummary::compilationJobName))
                .hasSize(ROUNDS).doesNotHaveDuplicates();
    }

    @Test
    void concurrentStopsThenConcurrentDeletesLeaveOneConsistentState() throws Exception {
        for (int round = 0; round < ROUNDS; round++) {
            String name = "stop-delete-" + round;
            sm.createCompilationJob(CompilationJobApiIT.job(name).build());

            List<Callable<Object>> stops = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) stops.add(() -> sm.stopCompilationJob(r -> r.compilationJobName(name)));
            List<Outcome> stopped = race(stops);
            // A Stop either lands (STARTING/STOPPING) or finds the controller already finished it (STOPPED: refused).
            assertThat(stopped).as("stop outcomes").allMatch(o -> o == Outcome.OK || o == Outcome.VALIDATION).contains(Outcome.OK);
            Waits.until(() -> sm.describeCompilationJob(r -> r.compilationJobName(name)),
                    d -> d.compilationJobStatus() == CompilationJobStatus.STOPPED);

            List<Callable<Object>> deletes = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) deletes.add(() -> sm.deleteCompilationJob(r -> r.compilationJobName(name)));
            List<Outcome> deleted = race(deletes);
            assertThat(count(deleted, Outcome.OK)).as("delete outcomes " + deleted).isEqualTo(1);
            assertThat(count(deleted, Outcome.NOT_FOUND)).isEqualTo(THREADS - 1);
            assertThatThrownBy(() -> sm.describeCompilationJob(r -> r.compilationJobName(name)))
                    .isInstanceOf(ResourceNotFoundException.class);

            // The name is free again, and the new job carries nothing of the old one.
            sm.createCompilationJob(CompilationJobApiIT.job(name).roleArn("arn:aws:iam::000000000000:role/Again").build());
            DescribeCompilationJobResponse again = sm.describeCompilationJob(r -> r.compilationJobName(name));
            assertThat(again.compilationJobStatus()).isEqualTo(CompilationJobStatus.STARTING);
            assertThat(again.roleArn()).isEqualTo("arn:aws:iam::000000000000:role/Again");
            assertThat(again.compilationEndTime()).isNull();
        }
    }

    @Test
    void stopAndDeleteRacingOnOneJobNeverCorruptIt() throws Exception {
        for (int round = 0; round < ROUNDS; round++) {
            String name = "mixed-" + round;
            sm.createCompilationJob(CompilationJobApiIT.job(name).build());
            List<Callable<Object>> calls = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                calls.add(t % 2 == 0
                        ? () -> { sm.stopCompilationJob(r -> r.compilationJobName(name)); return null; }
                        : () -> { sm.deleteCompilationJob(r -> r.compilationJobName(name)); return null; });
            }
            List<Outcome> outcomes = race(calls);
            List<Outcome> deletes = new ArrayList<>();
            for (int t = 1; t < THREADS; t += 2) deletes.add(outcomes.get(t));
            assertThat(outcomes).doesNotContain(Outcome.IN_USE);
            assertThat(count(deletes, Outcome.OK)).as("deletes " + deletes).isLessThanOrEqualTo(1);

            boolean listed = sm.listCompilationJobsPaginator(r -> r.nameContains(name)).compilationJobSummaries()
                    .stream().anyMatch(s -> s.compilationJobName().equals(name));
            if (deletes.contains(Outcome.OK)) {
                // Deleted: gone from Describe and from List alike.
                assertThat(listed).isFalse();
                assertThatThrownBy(() -> sm.describeCompilationJob(r -> r.compilationJobName(name)))
                        .isInstanceOf(ResourceNotFoundException.class);
            } else {
                // Not deleted: it was stopped, and it still lists and describes; it ends STOPPED and can be deleted.
                assertThat(listed).isTrue();
                assertThat(sm.describeCompilationJob(r -> r.compilationJobName(name)).compilationJobStatus())
                        .isIn(CompilationJobStatus.STOPPING, CompilationJobStatus.STOPPED);
                Waits.until(() -> sm.describeCompilationJob(r -> r.compilationJobName(name)),
                        d -> d.compilationJobStatus() == CompilationJobStatus.STOPPED);
                sm.deleteCompilationJob(r -> r.compilationJobName(name));
            }
        }
    }
}
