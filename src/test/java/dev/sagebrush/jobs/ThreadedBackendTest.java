package dev.sagebrush.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sagebrush.it.Waits;
import dev.sagebrush.store.ResourceKey;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The adapter that lets reconcilers submit, observe and cancel blocking work without waiting on it. */
class ThreadedBackendTest {
    static final ResourceKey A = new ResourceKey("000000000000", "us-east-1", "Thing", "a");
    static final ResourceKey B = new ResourceKey("000000000000", "us-east-1", "Thing", "b");
    final Set<ResourceKey> changed = ConcurrentHashMap.newKeySet();
    ThreadedBackend<String, String, String> backend;

    ThreadedBackend<String, String, String> backend(int slots, ThreadedBackend.BlockingWork<String, String, String> work) {
        backend = new ThreadedBackend<>(new ThreadedBackend.Options("test", slots, true, Duration.ofSeconds(5)), work,
                changed::add);
        return backend;
    }

    @AfterEach
    void close() {
        if (backend != null) backend.close();
    }

    Execution<String> awaitEnd(ResourceKey key) throws Exception {
        return Waits.until(() -> backend.observe(key).orElseThrow(), Execution::ended, Duration.ofSeconds(10));
    }

    @Test
    void slotsLimitHowManyKeysRunAtOnce() throws Exception {
        backend(1, (k, s, r, c) -> s);
        assertThat(backend.reserve(A)).isTrue();
        assertThat(backend.reserve(A)).as("a key holding a slot keeps it").isTrue();
        assertThat(backend.reserve(B)).isFalse();
        assertThat(backend.free()).isZero();
        assertThat(backend.forget(A)).isTrue();
        assertThat(backend.reserve(B)).isTrue();
    }

    @Test
    void zeroSlotsRunNothing() throws Exception {
        backend(0, (k, s, r, c) -> s);
        assertThat(backend.reserve(A)).isFalse();
    }

    @Test
    void submittedWorkRunsReportsAndEndsWithItsOutcome() throws Exception {
        backend(2, (k, s, r, c) -> {
            r.accept("downloading");
            r.accept("training");
            return s + "-done";
        });
        backend.reserve(A);
        backend.submit(A, "job");
        Execution<String> end = awaitEnd(A);
        assertThat(end.state()).isEqualTo(Execution.State.SUCCEEDED);
        assertThat(end.outcome()).isEqualTo("job-done");
        assertThat(backend.takeEvents(A)).containsExactly("downloading", "training");
        assertThat(backend.takeEvents(A)).isEmpty();
        assertThat(changed).containsExactly(A);
    }

    @Test
    void cancelEndsBlockedWorkAndKeepsTheReason() throws Exception {
        backend(1, (k, s, r, c) -> {
            Thread.sleep(60_000);
            return s;
        });
        backend.reserve(A);
        backend.submit(A, "job");
        assertThat(backend.observe(A).orElseThrow().state()).isEqualTo(Execution.State.RUNNING);
        assertThat(backend.forget(A)).as("running work keeps its slot").isFalse();
        backend.cancel(A, "stop");
        Execution<String> end = awaitEnd(A);
        assertThat(end.state()).isEqualTo(Execution.State.FAILED);
        assertThat(end.failure()).isInstanceOf(InterruptedException.class);
        assertThat(end.cancelReason()).isEqualTo("stop");
        assertThat(backend.forget(A)).isTrue();
        assertThat(backend.observe(A)).isEmpty();
    }

    @Test
    void closeCancelsRunningWorkForShutdown() throws Exception {
        List<String> reasons = new java.util.concurrent.CopyOnWriteArrayList<>();
        backend(1, (k, s, r, c) -> {
            try {
                Thread.sleep(60_000);
            } finally {
                reasons.add(c.reason());
            }
            return s;
        });
        backend.reserve(A);
        backend.submit(A, "job");
        Thread.sleep(50);
        backend.close();
        assertThat(reasons).containsExactly("shutdown");
    }
}
