package dev.sagebrush.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sagebrush.it.Waits;
import dev.sagebrush.store.Change;
import dev.sagebrush.store.ResourceKey;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The runtime around the queue: steps of one key never overlap; requeue-after, backoff, resync and the feed. */
class ReconciliationTest {
    static final Duration SLOW_RESYNC = Duration.ofMinutes(10);
    Reconciliation runtime;

    static ResourceKey key(String name) {
        return new ResourceKey("000000000000", "us-east-1", "Thing", name);
    }

    Reconciliation start(Reconciler reconciler, Supplier<Collection<ResourceKey>> resync, int workers) {
        runtime = new Reconciliation("Thing", reconciler, resync,
                new Reconciliation.Settings(workers, SLOW_RESYNC, Duration.ofMillis(20), Duration.ofSeconds(1))).start();
        return runtime;
    }

    @AfterEach
    void close() {
        if (runtime != null) runtime.close();
    }

    static void await(Supplier<Boolean> condition) throws Exception {
        Waits.until(() -> condition.get(), ok -> ok, Duration.ofSeconds(10));
    }

    @Test
    void stepsOfOneKeyNeverOverlapAndAChangeDuringAStepIsLookedAtAfterIt() throws Exception {
        Map<ResourceKey, AtomicInteger> inStep = new ConcurrentHashMap<>();
        AtomicInteger overlaps = new AtomicInteger();
        AtomicInteger steps = new AtomicInteger();
        start(k -> {
            if (inStep.computeIfAbsent(k, x -> new AtomicInteger()).incrementAndGet() > 1) overlaps.incrementAndGet();
            Thread.sleep(20);
            inStep.get(k).decrementAndGet();
            steps.incrementAndGet();
            return Reconciler.Result.done();
        }, List::of, 4);
        for (int i = 0; i < 50; i++) {
            runtime.enqueue(key("a"));
            Thread.sleep(2);
        }
        await(() -> steps.get() >= 2);
        Thread.sleep(100);
        assertThat(overlaps.get()).isZero();
        assertThat(steps.get()).as("50 adds over ~100 ms collapse into a few steps").isBetween(2, 10);
    }

    @Test
    void aRequeueAfterBringsTheKeyBackUntilTheStepIsDone() throws Exception {
        AtomicInteger steps = new AtomicInteger();
        start(k -> steps.incrementAndGet() < 4 ? Reconciler.Result.after(Duration.ofMillis(30)) : Reconciler.Result.done(),
                List::of, 1);
        runtime.enqueue(key("a"));
        await(() -> steps.get() == 4);
        Thread.sleep(150);
        assertThat(steps.get()).isEqualTo(4);
    }

    @Test
    void aFailingStepIsRetriedWithGrowingDelays() throws Exception {
        List<Long> attempts = new CopyOnWriteArrayList<>();
        start(k -> {
            attempts.add(System.nanoTime());
            if (attempts.size() < 4) throw new IllegalStateException("database unavailable");
            return Reconciler.Result.done();
        }, List::of, 1);
        runtime.enqueue(key("a"));
        await(() -> attempts.size() == 4);
        long first = attempts.get(1) - attempts.get(0);
        long third = attempts.get(3) - attempts.get(2);
        assertThat(Duration.ofNanos(first)).isGreaterThanOrEqualTo(Duration.ofMillis(20));
        assertThat(Duration.ofNanos(third)).isGreaterThanOrEqualTo(Duration.ofMillis(80)); // 20, 40, 80 ms
    }

    @Test
    void aResyncQueuesWhatTheKindListsAtStartAndOnWake() throws Exception {
        Set<String> seen = ConcurrentHashMap.newKeySet();
        AtomicInteger resyncs = new AtomicInteger();
        start(k -> {
            seen.add(k.name() + "@" + resyncs.get());
            return Reconciler.Result.done();
        }, () -> {
            resyncs.incrementAndGet();
            return List.of(key("a"), key("b"));
        }, 2);
        await(() -> seen.containsAll(Set.of("a@1", "b@1")));
        runtime.wake();
        await(() -> seen.containsAll(Set.of("a@2", "b@2")));
    }

    @Test
    void theFeedQueuesChangedKeysOfItsKindOnly() throws Exception {
        Set<String> seen = ConcurrentHashMap.newKeySet();
        start(k -> {
            seen.add(k.name());
            return Reconciler.Result.done();
        }, List::of, 1);
        ResourceKey other = new ResourceKey("000000000000", "us-east-1", "Other", "x");
        runtime.onChanges(List.of(new Change(1, key("a"), "arn:a", null), new Change(2, other, "arn:x", null),
                new Change(3, key("b"), "arn:b", null)));
        await(() -> seen.equals(Set.of("a", "b")));
    }
}
