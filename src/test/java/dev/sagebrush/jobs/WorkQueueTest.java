package dev.sagebrush.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The queue's guarantees, on a ticker the test moves: de-duplication, one worker per key, requeue-after, backoff. */
class WorkQueueTest {
    final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    final WorkQueue<String> queue = new WorkQueue<>(new Backoff(Duration.ofMillis(10), Duration.ofMillis(80)), nanos::get);

    String now() throws InterruptedException {
        return queue.poll(0, TimeUnit.MILLISECONDS);
    }

    void advance(Duration d) {
        nanos.addAndGet(d.toNanos());
    }

    @Test
    void aKeyAddedManyTimesIsHandedOutOnceInOrderOfFirstAdd() throws Exception {
        queue.add("a");
        queue.add("b");
        queue.add("a");
        queue.add("a");
        assertThat(queue.size()).isEqualTo(2);
        assertThat(now()).isEqualTo("a");
        assertThat(now()).isEqualTo("b");
        assertThat(now()).isNull();
    }

    @Test
    void aKeyIsNeverHandedOutTwiceAtOnceAndComesBackWhenAddedMeanwhile() throws Exception {
        queue.add("a");
        assertThat(now()).isEqualTo("a");
        queue.add("a"); // a change while a worker has it
        queue.add("a");
        assertThat(now()).as("not to a second worker while the first has it").isNull();
        queue.done("a");
        assertThat(now()).isEqualTo("a");
        queue.done("a");
        assertThat(now()).as("added twice meanwhile, handed out once").isNull();
    }

    @Test
    void aKeyDoneWithoutBeingAddedAgainDoesNotComeBack() throws Exception {
        queue.add("a");
        assertThat(now()).isEqualTo("a");
        queue.done("a");
        assertThat(now()).isNull();
        assertThat(queue.size()).isZero();
    }

    @Test
    void requeueAfterHandsTheKeyOutAtItsDeadline() throws Exception {
        queue.addAfter("a", Duration.ofSeconds(5));
        assertThat(now()).isNull();
        advance(Duration.ofMillis(4999));
        assertThat(now()).isNull();
        advance(Duration.ofMillis(1));
        assertThat(now()).isEqualTo("a");
    }

    @Test
    void theEarliestOfTwoDeadlinesWins() throws Exception {
        queue.addAfter("a", Duration.ofSeconds(10));
        queue.addAfter("a", Duration.ofSeconds(2));
        queue.addAfter("a", Duration.ofSeconds(7));
        advance(Duration.ofSeconds(2));
        assertThat(now()).isEqualTo("a");
        queue.done("a");
        advance(Duration.ofSeconds(10));
        assertThat(now()).as("the later deadlines were folded into the earliest").isNull();
    }

    @Test
    void anAddBeforeTheDeadlineHandsTheKeyOutNowAndOnlyOnce() throws Exception {
        queue.addAfter("a", Duration.ofSeconds(5));
        queue.add("a");
        assertThat(now()).isEqualTo("a");
        queue.done("a");
        advance(Duration.ofSeconds(6));
        assertThat(now()).isNull();
    }

    @Test
    void aRequeueAfterFromTheWorkerHoldingTheKeyWaitsForItsDeadline() throws Exception {
        queue.add("a");
        assertThat(now()).isEqualTo("a");
        queue.addAfter("a", Duration.ofSeconds(1));
        queue.done("a");
        assertThat(now()).isNull();
        advance(Duration.ofSeconds(1));
        assertThat(now()).isEqualTo("a");
    }

    @Test
    void failuresBackOffExponentiallyUpToTheMaximumAndForgetResets() throws Exception {
        long[] expectedMillis = {10, 20, 40, 80, 80};
        for (long ms : expectedMillis) {
            queue.addRateLimited("a");
            advance(Duration.ofMillis(ms - 1));
            assertThat(now()).as("not before " + ms + " ms").isNull();
            advance(Duration.ofMillis(1));
            assertThat(now()).isEqualTo("a");
            queue.done("a");
        }
        queue.forget("a");
        queue.addRateLimited("a");
        advance(Duration.ofMillis(10));
        assertThat(now()).isEqualTo("a");
    }

    @Test
    void oneKeysFailuresDoNotDelayAnother() throws Exception {
        for (int i = 0; i < 3; i++) {
            queue.addRateLimited("bad");
            advance(Duration.ofMillis(80));
            assertThat(now()).isEqualTo("bad");
            queue.done("bad");
        }
        queue.addRateLimited("bad"); // its 4th failure: 80 ms
        queue.addRateLimited("good"); // its 1st: 10 ms
        advance(Duration.ofMillis(10));
        assertThat(now()).isEqualTo("good");
    }

    @Test
    void takeWaitsForADelayedKeyInRealTime() throws Exception {
        WorkQueue<String> real = new WorkQueue<>(new Backoff(Duration.ofMillis(10), Duration.ofSeconds(1)));
        long start = System.nanoTime();
        real.addAfter("a", Duration.ofMillis(100));
        assertThat(real.take()).isEqualTo("a");
        assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(100));
    }

    @Test
    void shutDownReleasesTakers() throws Exception {
        Thread taker = new Thread(() -> {
            try {
                assertThat(queue.take()).isNull();
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        });
        taker.start();
        queue.shutDown();
        taker.join(5000);
        assertThat(taker.isAlive()).isFalse();
        queue.add("a");
        assertThat(now()).isNull();
    }
}
