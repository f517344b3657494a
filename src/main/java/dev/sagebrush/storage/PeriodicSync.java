package dev.sagebrush.storage;

import java.time.Duration;

/**
 * A daemon thread that runs {@code sync} every {@code interval} until closed: how the stores that append to files
 * (CloudWatch logs and metrics) group their writes, one fsync per file per interval however many lines or points
 * arrived in it.
 */
public final class PeriodicSync implements AutoCloseable {
    private final Thread thread;
    private volatile boolean closed;

    public PeriodicSync(String threadName, Duration interval, Runnable sync) {
        this.thread = new Thread(() -> {
            while (!closed) {
                try {
                    Thread.sleep(interval.toMillis());
                } catch (InterruptedException e) {
                    return;
                }
                sync.run();
            }
        }, threadName);
        thread.setDaemon(true);
        thread.start();
    }

    /** Stops the thread; the owner syncs and closes its files itself. */
    @Override
    public void close() {
        closed = true;
        thread.interrupt();
    }
}
