package dev.sagebrush.jobs;

import dev.sagebrush.jobs.Reconciler.Result;
import dev.sagebrush.store.ResourceKey;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The steps that controllers running jobs on a {@link ThreadedBackend} under this node's claim have in common
 * (compilation and training): take a slot and the claim before a run, give both back when a step finds nothing to
 * run or the run ended, keep a live run's claim alive (a lost claim, a stop or a delete cancels the run), and end a run
 * that passed its deadline. What a run does and how its end is recorded stay with each controller.
 */
public final class ClaimedRuns<S, E, O> {
    private static final Logger log = LoggerFactory.getLogger(ClaimedRuns.class);
    /** The cancel reason of a run whose claim another node took over: its end is that node's to record. */
    public static final String CLAIM_LOST = "claim-lost";

    private final String noun;
    private final String running;
    private final String stopping;
    private final HeldClaims claims;
    private final ThreadedBackend<S, E, O> backend;
    private final Reconciliation reconciliation;

    /**
     * @param noun     what the kind is called in logs ("training job")
     * @param running  the stored status of a job whose run goes on; any other status ends the run
     * @param stopping the stored status of a job asked to stop (its run is cancelled with the reason "stop")
     */
    public ClaimedRuns(String noun, String running, String stopping, HeldClaims claims,
                       ThreadedBackend<S, E, O> backend, Reconciliation reconciliation) {
        this.noun = noun;
        this.running = running;
        this.stopping = stopping;
        this.claims = claims;
        this.backend = backend;
        this.reconciliation = reconciliation;
    }

    /** The claim for a run whose slot was just reserved; false, and the slot given back, when another node holds it. */
    public boolean claimReserved(ResourceKey key) {
        if (claims.acquire(key).isPresent()) return true;
        backend.forget(key);
        return false;
    }

    /** Gives back the claim and the slot: the step found nothing to run after all. */
    public void abandon(ResourceKey key) {
        claims.release(key);
        backend.forget(key);
    }

    /** A run that was reserved but never submitted (a step failed in between): start over at once. */
    public Result retryReserved(ResourceKey key) {
        abandon(key);
        return Result.after(Duration.ZERO);
    }

    /**
     * Whether the end of a run is this node's to record: not when this node cancelled it for a lost claim or for its
     * own shutdown (the job stays as it is for whoever runs it next), nor once the claim is gone.
     */
    public boolean recordsEnd(ResourceKey key, Execution<O> run) {
        return claims.holds(key) && !CLAIM_LOST.equals(run.cancelReason())
                && !ThreadedBackend.SHUTDOWN.equals(run.cancelReason());
    }

    /** After an ended run: slot and claim given back, and the next waiting job started at once. */
    public Result ended(ResourceKey key) {
        backend.forget(key);
        claims.release(key);
        reconciliation.wake();
        return Result.done();
    }

    /**
     * Whether a live run goes on, given its job's stored status (null: deleted): the claim is renewed. A job that is
     * no longer running (stopped, deleted) or whose claim is lost has its run cancelled (its end queues the job
     * again), and false.
     */
    public boolean keepAlive(ResourceKey key, String status) {
        if (!running.equals(status)) {
            backend.cancel(key, stopping.equals(status) ? "stop" : "deleted");
            return false;
        }
        if (!claims.holds(key)) return false; // lost before: the run is cancelled, its end queues the job
        if (!claims.renew(key)) {
            log.warn("Lost the claim on {} {}: another node took it over; stopping the work here", noun, key.name());
            backend.cancel(key, CLAIM_LOST);
            return false;
        }
        return true;
    }

    /** Cancels the run (reason "timeout") once {@code deadline} has passed; else when to look at it next. */
    public Result untilDeadline(ResourceKey key, Instant deadline, Instant now, Duration poll) {
        if (now.isAfter(deadline)) {
            backend.cancel(key, "timeout");
            return Result.done();
        }
        return Result.after(poll).orSooner(Duration.between(now, deadline));
    }
}
