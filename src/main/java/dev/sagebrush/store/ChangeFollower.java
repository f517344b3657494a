package dev.sagebrush.store;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the store's change feed on this node and hands every batch of changes, in order, to its subscribers (the
 * Search index, the controllers' wake-ups). A background thread reads whenever the store signals a write (a local
 * commit, or another node's NOTIFY) and at least every {@code poll}; {@link #catchUp()} reads up to the head on the
 * caller's thread, which is how a Search sees every write committed before it started, on any node.
 */
public final class ChangeFollower implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ChangeFollower.class);
    private static final int BATCH = 1000;

    private final ResourceStore store;
    private final Duration poll;
    private final List<Consumer<List<Change>>> subscribers = new CopyOnWriteArrayList<>();
    private final ReentrantLock reading = new ReentrantLock();
    private final Thread thread;
    private volatile long cursor;
    private volatile boolean running = true;

    /** Follows the feed from just after {@code from} (a head read before the subscribers loaded their state). */
    public ChangeFollower(ResourceStore store, long from, Duration poll) {
        this.store = store;
        this.cursor = from;
        this.poll = poll;
        this.thread = new Thread(this::loop, "change-follower");
        this.thread.setDaemon(true);
    }

    /** Adds a subscriber; call before {@link #start()}. A subscriber must be quick and must not throw. */
    public ChangeFollower subscribe(Consumer<List<Change>> subscriber) {
        subscribers.add(subscriber);
        return this;
    }

    public ChangeFollower start() {
        thread.start();
        return this;
    }

    /** The sequence number of the last change handed to the subscribers. */
    public long cursor() {
        return cursor;
    }

    /** Hands every change committed so far to the subscribers before it returns. */
    public void catchUp() {
        if (store.headSeq() <= cursor) return; // the common case: nothing new, and (SQLite) no query at all
        reading.lock();
        try {
            while (true) {
                List<Change> batch = store.changes(cursor, BATCH);
                if (batch.isEmpty()) return;
                for (Consumer<List<Change>> s : subscribers) {
                    try {
                        s.accept(batch);
                    } catch (RuntimeException e) {
                        log.error("A change feed subscriber failed on changes {}..{}", batch.get(0).seq(),
                                batch.get(batch.size() - 1).seq(), e);
                    }
                }
                cursor = batch.get(batch.size() - 1).seq();
                if (batch.size() < BATCH) return;
            }
        } finally {
            reading.unlock();
        }
    }

    private void loop() {
        while (running) {
            try {
                catchUp();
                store.awaitChange(cursor, poll);
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                if (!running) return;
                log.warn("Reading the change feed failed; retrying: {}", e.getMessage());
                try {
                    Thread.sleep(poll.toMillis());
                } catch (InterruptedException ie) {
                    return;
                }
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
