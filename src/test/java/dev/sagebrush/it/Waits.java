package dev.sagebrush.it;

import java.time.Duration;
import java.time.Instant;
import java.util.function.Predicate;
import java.util.function.Supplier;

/** Polls like a client waiting on a job, with a deadline so a broken server fails the test instead of hanging it. */
public final class Waits {
    private Waits() {}

    public static <T> T until(Supplier<T> poll, Predicate<T> done) throws InterruptedException {
        return until(poll, done, Duration.ofSeconds(60));
    }

    public static <T> T until(Supplier<T> poll, Predicate<T> done, Duration timeout) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        T last = poll.get();
        while (!done.test(last)) {
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("Timed out after " + timeout + "; last seen: " + last);
            }
            Thread.sleep(100);
            last = poll.get();
        }
        return last;
    }
}
