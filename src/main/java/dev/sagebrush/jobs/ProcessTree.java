package dev.sagebrush.jobs;

import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The one policy by which Sagebrush ends a child process and everything it started, whoever started it (a compiler,
 * a host command such as {@code git clone}, Jupyter, a sandbox): SIGTERM, a grace period for the process to exit, then
 * SIGKILL to every process of the tree that is still alive, as {@code docker stop -t} does. The tree is read
 * <i>before</i> anything is signalled and again before the SIGKILL: once a parent has exited its children are
 * re-parented and no longer its descendants, and a kill that only looked afterwards would leave them running.
 * A caller that is interrupted while it waits kills the tree before it returns: no child outlives the wait that owned
 * it (a server shutdown interrupts its workers).
 */
public final class ProcessTree {
    /** How long a kill waits for the root to be reaped. */
    private static final Duration REAP = Duration.ofSeconds(5);

    private ProcessTree() {}

    /**
     * Waits up to {@code timeout} for the process to exit; kills its tree if it has not. Interrupted, kills the tree
     * and rethrows. True when the process exited by itself.
     */
    public static boolean awaitOrKill(Process process, Duration timeout) throws InterruptedException {
        try {
            if (process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) return true;
        } catch (InterruptedException e) {
            kill(process.toHandle());
            throw e;
        }
        kill(process.toHandle());
        return false;
    }

    /** SIGTERM to every process of the tree, SIGKILL to what is left after {@code grace}; returns once all are gone. */
    public static void stop(ProcessHandle root, Duration grace) {
        stop(root, grace, h -> true);
    }

    /**
     * {@link #stop(ProcessHandle, Duration)}, sending the SIGTERM only to the processes {@code politely} selects (Jupyter
     * shuts its own kernels down on SIGTERM; a kernel signalled first would be lost mid-write).
     */
    public static void stop(ProcessHandle root, Duration grace, Predicate<ProcessHandle> politely) {
        Set<ProcessHandle> tree = members(root);
        if (!grace.isZero()) {
            tree.stream().filter(politely).forEach(ProcessHandle::destroy);
            try {
                root.onExit().get(grace.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt(); // kill at once below, and let the caller see the interrupt
            } catch (Exception e) {
                // the grace period ended: kill below
            }
        }
        tree.addAll(members(root));
        killAll(tree, root);
    }

    /** SIGKILL to every process of the tree, descendants first; returns once the root is gone (bounded). */
    public static void kill(ProcessHandle root) {
        stop(root, Duration.ZERO);
    }

    /** SIGKILL to each of {@code processes} (a sandbox's members, found by other means too). */
    public static void killAll(Set<ProcessHandle> processes, ProcessHandle root) {
        processes.stream().filter(h -> !h.equals(root)).forEach(ProcessHandle::destroyForcibly);
        root.destroyForcibly();
        boolean interrupted = Thread.interrupted(); // reaping must finish even for an interrupted caller
        try {
            root.onExit().get(REAP.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            // a process in uninterruptible sleep: it dies when it wakes
        } finally {
            if (interrupted) Thread.currentThread().interrupt();
        }
    }

    /** The root and its descendants as they are now. */
    public static Set<ProcessHandle> members(ProcessHandle root) {
        Set<ProcessHandle> all = new LinkedHashSet<>();
        all.add(root);
        root.descendants().forEach(all::add);
        return all;
    }
}
