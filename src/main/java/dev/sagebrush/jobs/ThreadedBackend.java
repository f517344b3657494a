package dev.sagebrush.jobs;

import dev.sagebrush.store.ResourceKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Backend} over blocking code (a training runner, a compiler pipeline, a Jupyter start): each piece of work
 * runs to its end on a thread of this backend, while reconcilers only submit, observe and cancel it. Whenever the work
 * reports something or ends, {@code changed} is told its key, so the reconciler looks at it at once instead of at its
 * next requeue.
 */
public final class ThreadedBackend<S, E, O> implements Backend<S, E, O> {
    private static final Logger log = LoggerFactory.getLogger(ThreadedBackend.class);
    /** The cancel reason of the work still running when the backend closes. */
    public static final String SHUTDOWN = "shutdown";

    /** The blocking work: runs until done, reports progress, and honours the cancellation by ending quickly. */
    @FunctionalInterface
    public interface BlockingWork<S, E, O> {
        O run(ResourceKey key, S spec, Consumer<E> report, Cancellation cancellation) throws Exception;
    }

    /**
     * @param slots             how many pieces of work may run at once (0: none, an API-only node; negative: no
     *                          limit, for work that mostly waits)
     * @param interruptOnCancel whether cancelling also interrupts the thread (work blocked in a wait for a child
     *                          process returns at once; work that must clean up on its own says false)
     * @param shutdownGrace     how long {@link #close} waits for cancelled work to end
     */
    public record Options(String name, int slots, boolean interruptOnCancel, Duration shutdownGrace) {}

    private final class Run {
        final Cancellation cancellation = new Cancellation();
        final ConcurrentLinkedQueue<E> events = new ConcurrentLinkedQueue<>();
        volatile Execution.State state = Execution.State.RESERVED;
        volatile O outcome;
        volatile Throwable failure;

        Execution<O> snapshot() {
            return new Execution<>(state, outcome, failure, cancellation.reason());
        }
    }

    private final Options options;
    private final BlockingWork<S, E, O> work;
    private final Consumer<ResourceKey> changed;
    private final ConcurrentHashMap<ResourceKey, Run> runs = new ConcurrentHashMap<>();
    private final ExecutorService threads;

    public ThreadedBackend(Options options, BlockingWork<S, E, O> work, Consumer<ResourceKey> changed) {
        this.options = options;
        this.work = work;
        this.changed = changed;
        this.threads = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, options.name() + "-worker");
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public synchronized boolean reserve(ResourceKey key) {
        if (runs.containsKey(key)) return true;
        if (options.slots() >= 0 && runs.size() >= options.slots()) return false;
        runs.put(key, new Run());
        return true;
    }

    @Override
    public void submit(ResourceKey key, S spec) {
        Run run = runs.get(key);
        if (run == null || run.state != Execution.State.RESERVED) {
            throw new IllegalStateException(key.name() + " holds no free slot of " + options.name());
        }
        run.state = Execution.State.RUNNING;
        threads.execute(() -> execute(key, spec, run));
    }

    private void execute(ResourceKey key, S spec, Run run) {
        Thread worker = Thread.currentThread();
        try (AutoCloseable interrupt = options.interruptOnCancel() ? run.cancellation.onCancel(worker::interrupt) : () -> { }) {
            O o = work.run(key, spec, e -> {
                run.events.add(e);
                changed.accept(key);
            }, run.cancellation);
            run.outcome = o;
            run.state = Execution.State.SUCCEEDED;
        } catch (Exception | Error e) {
            run.failure = e;
            run.state = Execution.State.FAILED;
        } finally {
            Thread.interrupted(); // a cancel's interrupt must not leak into the next work on this thread
            try {
                changed.accept(key);
            } catch (RuntimeException e) {
                log.warn("{}: could not report the end of {}", options.name(), key.name(), e);
            }
        }
    }

    @Override
    public Optional<Execution<O>> observe(ResourceKey key) {
        Run run = runs.get(key);
        return run == null ? Optional.empty() : Optional.of(run.snapshot());
    }

    @Override
    public List<E> takeEvents(ResourceKey key) {
        Run run = runs.get(key);
        List<E> out = new ArrayList<>();
        if (run == null) return out;
        for (E e; (e = run.events.poll()) != null; ) out.add(e);
        return out;
    }

    @Override
    public void cancel(ResourceKey key, String reason) {
        Run run = runs.get(key);
        if (run != null) run.cancellation.cancel(reason);
    }

    @Override
    public synchronized boolean forget(ResourceKey key) {
        Run run = runs.get(key);
        if (run == null) return true;
        if (run.state == Execution.State.RUNNING) return false;
        runs.remove(key);
        return true;
    }

    @Override
    public synchronized int free() {
        return options.slots() < 0 ? Integer.MAX_VALUE : Math.max(0, options.slots() - runs.size());
    }

    /** How many pieces of work hold a slot (running, or ended and not yet recorded). */
    public int size() {
        return runs.size();
    }

    @Override
    public void close() {
        runs.values().forEach(r -> r.cancellation.cancel(SHUTDOWN));
        threads.shutdown();
        try {
            if (!threads.awaitTermination(options.shutdownGrace().toMillis(), TimeUnit.MILLISECONDS)) {
                threads.shutdownNow();
                threads.awaitTermination(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
