package dev.sagebrush.training.runner;

import dev.sagebrush.jobs.sandbox.UidPool;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import software.amazon.awssdk.services.sagemaker.model.DescribeTrainingJobResponse;

/**
 * Starts the hosts of a prepared training job: the only step of a run that differs between backends (a sandboxed
 * process, {@link SandboxLauncher}; a container per host, {@code training.container}). Everything before (config files,
 * channels, code) and after (failure reason, upload) is the runner's, the same for every backend.
 */
public interface HostLauncher {

    /**
     * Takes, for each of {@code hosts} hosts, what a host needs that this machine has a fixed number of (a sandbox uid;
     * a container's range of 65536 uids), all or nothing: empty when not all are free now. The job then waits in
     * Starting ({@link #waitingFor}) instead of failing, and holds nothing while it waits.
     */
    Optional<Reservation> reserve(int hosts) throws IOException;

    /** Why a job of {@code hosts} hosts waits when {@link #reserve} found too little free: its Starting message. */
    String waitingFor(int hosts);

    /** The most hosts one job can have here (all of the uids or uid ranges); a bigger job could never start. */
    int capacity();

    /** The FailureReason of a job bigger than {@link #capacity()}. */
    String tooBig(int hosts);

    /**
     * Starts every host of {@code request}, with the uids of its reservation (one per host, in order). The returned
     * launch owns the hosts and whatever else they need (a network): closing it kills what is left and frees the rest;
     * the reservation is the caller's to close afterwards.
     *
     * @throws TrainingFailure when the job's own request cannot start (the reason is the job's FailureReason)
     */
    Launch launch(Request request) throws IOException, TrainingFailure;

    /** Host uids (or uid ranges) held for a job's hosts, one per host, until closed. */
    record Reservation(List<UidPool.Lease> leases) implements AutoCloseable {
        public Reservation {
            leases = List.copyOf(leases);
        }

        @Override
        public void close() {
            leases.forEach(UidPool.Lease::close);
        }
    }

    /**
     * @param hosts       one prepared host per instance, {@code algo-1} first
     * @param arguments   the workload's arguments: ContainerArguments, or {@code train}
     * @param resources   what each instance gets on this host
     * @param lines       per host name, the consumer of each output line
     * @param reservation the uids {@link #reserve} took for the hosts
     */
    record Request(DescribeTrainingJobResponse job, List<Host> hosts, List<String> arguments,
                   InstanceResources resources, Map<String, Consumer<String>> lines, Reservation reservation) {

        public boolean networkIsolated() {
            return Boolean.TRUE.equals(job.enableNetworkIsolation());
        }
    }

    /** A host whose {@code /opt/ml} tree is ready: its layout, and the config it was written from. */
    record Host(JobLayout layout, ContainerConfig config) {
        public String name() {
            return layout.host();
        }
    }

    /** The started hosts, in the request's order. */
    interface Launch extends AutoCloseable {
        List<HostProcess> hosts();

        @Override
        void close();
    }
}
