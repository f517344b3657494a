package dev.sagebrush.training.runner;

import dev.sagebrush.jobs.Cancellation;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import software.amazon.awssdk.services.sagemaker.model.DescribeTrainingJobResponse;
import software.amazon.awssdk.services.sagemaker.model.SecondaryStatus;

/**
 * A job's wait for host capacity before it prepares anything: the uids (for containers, uid ranges) its hosts need,
 * all at once. While too few are free (other jobs' containers hold them; several servers share one host's pool) the
 * job stays in Starting with a status message that says why, as a SageMaker job waits for instances, rather than
 * failing; {@code MaxPendingTimeInSeconds} bounds the wait as it bounds SageMaker's.
 */
final class HostReservations {
    static final Duration POLL = Duration.ofMillis(500);

    private HostReservations() {}

    /**
     * Returns the reservation once the hosts' uids are free.
     *
     * @throws TrainingFailure when the job waited past its MaxPendingTimeInSeconds
     * @throws Cancellation.CancelledException when the job was stopped (or the server stops) meanwhile
     */
    static HostLauncher.Reservation await(DescribeTrainingJobResponse job, HostLauncher launcher, int hosts,
                                          TrainingRunner.Progress progress, Cancellation cancellation, Clock clock)
            throws IOException, TrainingFailure, InterruptedException {
        if (hosts > launcher.capacity()) throw new TrainingFailure(launcher.tooBig(hosts));
        boolean waited = false;
        while (true) {
            cancellation.check();
            Optional<HostLauncher.Reservation> r = launcher.reserve(hosts);
            if (r.isPresent()) {
                if (waited) progress.status(SecondaryStatus.STARTING, "Preparing the instances for training");
                return r.get();
            }
            Integer maxPending = job.stoppingCondition() == null ? null
                    : job.stoppingCondition().maxPendingTimeInSeconds();
            Instant now = clock.instant();
            if (maxPending != null && job.creationTime() != null
                    && now.isAfter(job.creationTime().plusSeconds(maxPending))) {
                throw new TrainingFailure("CapacityError: The job waited longer than MaxPendingTimeInSeconds ("
                        + maxPending + " s) for host capacity. " + launcher.waitingFor(hosts));
            }
            if (!waited) {
                progress.status(SecondaryStatus.STARTING, launcher.waitingFor(hosts));
                waited = true;
            }
            Thread.sleep(POLL.toMillis());
        }
    }
}
