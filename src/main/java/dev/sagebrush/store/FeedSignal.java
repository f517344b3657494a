package dev.sagebrush.store;

import java.time.Duration;

/**
 * A wake-up for feed followers: each signal bumps a generation, and a waiter that noted the generation before it read
 * the feed returns as soon as it moves, so a signal between the read and the wait is never lost.
 */
final class FeedSignal {
    private long generation;

    synchronized long generation() {
        return generation;
    }

    synchronized void signal() {
        generation++;
        notifyAll();
    }

    synchronized void await(long seen, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (generation == seen) {
            long left = deadline - System.nanoTime();
            if (left <= 0) return;
            wait(Math.max(1, left / 1_000_000));
        }
    }
}
