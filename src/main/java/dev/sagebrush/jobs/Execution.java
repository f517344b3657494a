package dev.sagebrush.jobs;

/**
 * A snapshot of one piece of work in a {@link Backend}.
 *
 * @param outcome      what the work returned, once {@link State#SUCCEEDED}
 * @param failure      what it threw, once {@link State#FAILED}
 * @param cancelReason why it was asked to end early, or null
 */
public record Execution<O>(State state, O outcome, Throwable failure, String cancelReason) {
    public enum State { RESERVED, RUNNING, SUCCEEDED, FAILED }

    public boolean ended() {
        return state == State.SUCCEEDED || state == State.FAILED;
    }

    public boolean cancelled() {
        return cancelReason != null;
    }
}
