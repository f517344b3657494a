package dev.sagebrush.jobs;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one reconciler, level-triggered: the reconciler looks at the store and moves every resource one step toward its
 * goal, whenever it is woken (a request changed something) and at least every {@code resync} (time-based rules such as
 * timeouts, and anything a wake-up missed). Because each pass reads the whole desired state again, a lost wake-up or a
 * restart costs at most one resync interval, never a stuck resource.
 */
public final class ControllerLoop implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ControllerLoop.class);

    private final Runnable reconcileAll;
    private final Duration resync;
    private final Thread thread;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition woken = lock.newCondition();
    private boolean pending = true;
    private volatile boolean running = true;

    public ControllerLoop(String name, Duration resync, Runnable reconcileAll) {
        this.reconcileAll = reconcileAll;
        this.resync = resync;
        this.thread = new Thread(this::loop, name);
        this.thread.setDaemon(true);
    }

    public ControllerLoop start() {
        thread.start();
        return this;
    }

    public void wake() {
        lock.lock();
        try {
            pending = true;
            woken.signal();
        } finally {
            lock.unlock();
        }
    }

    private void loop() {
        while (running) {
            lock.lock();
            try {
                if (!pending) {
                    woken.await(resync.toMillis(), TimeUnit.MILLISECONDS);
                }
                pending = false;
            } catch (InterruptedException e) {
                return;
            } finally {
                lock.unlock();
            }
            if (!running) return;
            try {
                reconcileAll.run();
            } catch (RuntimeException e) {
                // Keep reconciling: one bad pass must not stop every job. The next pass retries.
                log.error("{}: reconcile pass failed", thread.getName(), e);
            }
        }
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
