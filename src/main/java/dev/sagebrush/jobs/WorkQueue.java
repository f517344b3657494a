package dev.sagebrush.jobs;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * The reconciliation runtime's queue of keys to look at, with the guarantees of client-go's workqueue:
 * <ul>
 *   <li><b>de-duplicated</b>: a key waiting to be taken is queued once, however often it is added;</li>
 *   <li><b>one worker per key</b>: a key is never handed out while a worker has it; added meanwhile, it is handed out
 *       again once that worker is {@link #done}, so the change that added it is always looked at;</li>
 *   <li><b>requeue-after</b>: {@link #addAfter} hands a key out at a deadline (the earliest, when scheduled twice), or
 *       earlier if it is added meanwhile;</li>
 *   <li><b>backoff</b>: {@link #addRateLimited} delays a key that keeps failing exponentially, until {@link #forget}.</li>
 * </ul>
 * Time is a monotonic nanosecond ticker (injectable, for tests), never the wall clock: a deadline must not move
 * when the clock is set.
 */
public final class WorkQueue<K> {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final ArrayDeque<K> ready = new ArrayDeque<>();
    /** Keys that must be handed out (again): waiting in {@link #ready}, or being processed and added meanwhile. */
    private final Set<K> dirty = new HashSet<>();
    private final Set<K> processing = new HashSet<>();
    /** The earliest deadline of each delayed key; {@link #delayed} may hold stale entries for it (skipped). */
    private final Map<K, Long> deadlines = new HashMap<>();
    private final PriorityQueue<Delayed<K>> delayed = new PriorityQueue<>();
    private final Backoff backoff;
    private final LongSupplier nanoTime;
    private boolean shutDown;

    private record Delayed<K>(long at, K key) implements Comparable<Delayed<K>> {
        @Override
        public int compareTo(Delayed<K> o) {
            return Long.compare(at, o.at);
        }
    }

    public WorkQueue(Backoff backoff) {
        this(backoff, System::nanoTime);
    }

    public WorkQueue(Backoff backoff, LongSupplier nanoTime) {
        this.backoff = backoff;
        this.nanoTime = nanoTime;
    }

    /** Queues the key now, unless it is already waiting. */
    public void add(K key) {
        lock.lock();
        try {
            addLocked(key);
        } finally {
            lock.unlock();
        }
    }

    private void addLocked(K key) {
        if (shutDown || !dirty.add(key)) return;
        deadlines.remove(key); // due now: an earlier request than any deadline
        if (processing.contains(key)) return; // handed out again by done()
        ready.addLast(key);
        changed.signal();
    }

    /** Queues the key once {@code delay} has passed; a zero or negative delay queues it now. */
    public void addAfter(K key, Duration delay) {
        if (delay.isNegative() || delay.isZero()) {
            add(key);
            return;
        }
        lock.lock();
        try {
            if (shutDown || dirty.contains(key)) return; // already due now (or as soon as its worker is done)
            long at = nanoTime.getAsLong() + delay.toNanos();
            Long existing = deadlines.get(key);
            if (existing != null && existing - at <= 0) return;
            deadlines.put(key, at);
            delayed.add(new Delayed<>(at, key));
            changed.signal();
        } finally {
            lock.unlock();
        }
    }

    /** Queues the key after its next backoff delay: how a failed step is retried without a hot loop. */
    public void addRateLimited(K key) {
        addAfter(key, backoff.next(key));
    }

    /** The key succeeded: its next failure starts the backoff from the beginning again. */
    public void forget(K key) {
        backoff.reset(key);
    }

    /**
     * The next key to work on, waiting for one to become due; null once {@link #shutDown} was called. The caller must
     * call {@link #done} with it when it has finished.
     */
    public K take() throws InterruptedException {
        return next(-1);
    }

    /** {@link #take}, waiting at most {@code timeout}: null when no key became due by then. */
    public K poll(long timeout, TimeUnit unit) throws InterruptedException {
        return next(unit.toNanos(timeout));
    }

    private K next(long timeoutNanos) throws InterruptedException {
        long giveUpAt = System.nanoTime() + timeoutNanos;
        lock.lock();
        try {
            while (true) {
                if (shutDown) return null;
                long untilDue = promoteDue();
                K key = ready.pollFirst();
                if (key != null) {
                    dirty.remove(key);
                    processing.add(key);
                    return key;
                }
                long wait = untilDue;
                if (timeoutNanos >= 0) {
                    long left = giveUpAt - System.nanoTime();
                    if (left <= 0) return null;
                    wait = wait < 0 ? left : Math.min(left, wait);
                }
                if (wait < 0) {
                    changed.await();
                } else {
                    changed.awaitNanos(wait);
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /** Moves every delayed key that is due to the ready queue; returns nanoseconds until the next one (-1: none). */
    private long promoteDue() {
        long now = nanoTime.getAsLong();
        while (!delayed.isEmpty()) {
            Delayed<K> head = delayed.peek();
            Long current = deadlines.get(head.key());
            if (current == null || current != head.at()) { // stale: rescheduled earlier, or added meanwhile
                delayed.poll();
                continue;
            }
            if (head.at() - now > 0) return head.at() - now;
            delayed.poll();
            deadlines.remove(head.key());
            addLocked(head.key());
        }
        return -1;
    }

    /** The worker has finished with the key; if it was added meanwhile, it is queued again. */
    public void done(K key) {
        lock.lock();
        try {
            processing.remove(key);
            if (dirty.contains(key) && !shutDown) {
                ready.addLast(key);
                changed.signal();
            }
        } finally {
            lock.unlock();
        }
    }

    /** How many keys are due now or later (each counted once). */
    public int size() {
        lock.lock();
        try {
            Set<K> all = new HashSet<>(dirty);
            all.addAll(deadlines.keySet());
            return all.size();
        } finally {
            lock.unlock();
        }
    }

    /** Makes every {@link #take} return null, now and from now on. */
    public void shutDown() {
        lock.lock();
        try {
            shutDown = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
