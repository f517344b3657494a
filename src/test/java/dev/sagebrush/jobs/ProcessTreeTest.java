package dev.sagebrush.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The one kill-tree policy, on real processes: nothing a child started survives it. */
class ProcessTreeTest {

    /** A shell that starts two background sleeps (grandchildren of the JVM) and waits for them. */
    static Process shellWithChildren() throws Exception {
        Process p = new ProcessBuilder("/bin/sh", "-c", "sleep 300 & sleep 300 & wait").start();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (p.descendants().count() < 2 && System.nanoTime() < deadline) Thread.sleep(10);
        assertThat(p.descendants().count()).isEqualTo(2);
        return p;
    }

    static void assertAllGone(List<ProcessHandle> tree) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (tree.stream().anyMatch(ProcessHandle::isAlive) && System.nanoTime() < deadline) Thread.sleep(10);
        assertThat(tree).noneMatch(ProcessHandle::isAlive);
    }

    @Test
    void aTimeoutKillsTheWholeTree() throws Exception {
        Process p = shellWithChildren();
        List<ProcessHandle> tree = ProcessTree.members(p.toHandle()).stream().toList();
        assertThat(ProcessTree.awaitOrKill(p, Duration.ofMillis(100))).isFalse();
        assertAllGone(tree);
    }

    @Test
    void anInterruptedWaitKillsTheTreeBeforeItReturns() throws Exception {
        Process p = shellWithChildren();
        List<ProcessHandle> tree = ProcessTree.members(p.toHandle()).stream().toList();
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread waiter = new Thread(() -> {
            try {
                ProcessTree.awaitOrKill(p, Duration.ofMinutes(5));
            } catch (Throwable t) {
                thrown.set(t);
            }
        });
        waiter.start();
        Thread.sleep(100);
        waiter.interrupt(); // what a server shutdown does to a worker running `git clone`
        waiter.join(10_000);
        assertThat(thrown.get()).isInstanceOf(InterruptedException.class);
        assertAllGone(tree);
    }

    @Test
    void stopSendsSigtermFirstAndLetsTheProcessExitWithinTheGrace() throws Exception {
        Process p = new ProcessBuilder("/bin/sh", "-c", "trap 'exit 7' TERM; sleep 300 & wait").start();
        Thread.sleep(200); // the trap is set
        long t0 = System.nanoTime();
        ProcessTree.stop(p.toHandle(), Duration.ofSeconds(10));
        assertThat(p.waitFor()).as("exited by its TERM trap, not SIGKILL").isEqualTo(7);
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void stopKillsWhatIgnoresSigtermOnceTheGraceEnds() throws Exception {
        Process p = new ProcessBuilder("/bin/sh", "-c", "trap '' TERM; sleep 300 & wait").start();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (p.descendants().count() < 1 && System.nanoTime() < deadline) Thread.sleep(10); // the trap is set
        List<ProcessHandle> tree = ProcessTree.members(p.toHandle()).stream().toList();
        long t0 = System.nanoTime();
        ProcessTree.stop(p.toHandle(), Duration.ofMillis(300));
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("SIGKILL only once the grace has passed")
                .isGreaterThanOrEqualTo(Duration.ofMillis(300));
        assertThat(p.isAlive()).isFalse();
        assertAllGone(tree);
    }

    @Test
    void awaitOrKillReportsAProcessThatExitedByItself() throws Exception {
        Process p = new ProcessBuilder("/bin/true").start();
        assertThat(ProcessTree.awaitOrKill(p, Duration.ofSeconds(10))).isTrue();
    }
}
