package dev.sagebrush.jobs;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A cancellation signal for one piece of running work, with a reason. Work registers what must happen on cancel
 * (kill a child process); cancelling runs those at once and makes later checks throw.
 */
public final class Cancellation {
    private final List<Runnable> onCancel = new CopyOnWriteArrayList<>();
    private volatile String reason;

    public void cancel(String why) {
        if (reason != null) return;
        reason = why;
        for (Runnable r : onCancel) {
            try {
                r.run();
            } catch (RuntimeException ignored) {
                // a failed kill must not keep the others from running
            }
        }
    }

    public boolean isCancelled() {
        return reason != null;
    }

    public String reason() {
        return reason;
    }

    /** Registers an action to run on cancel; runs it now if already cancelled. Returns a handle to unregister. */
    public AutoCloseable onCancel(Runnable action) {
        onCancel.add(action);
        if (reason != null) action.run();
        return () -> onCancel.remove(action);
    }

    /** Throws {@link CancelledException} if cancelled: work calls this between steps. */
    public void check() {
        if (reason != null) throw new CancelledException(reason);
    }

    public static final class CancelledException extends RuntimeException {
        public CancelledException(String reason) {
            super(reason, null, false, false);
        }
    }
}
