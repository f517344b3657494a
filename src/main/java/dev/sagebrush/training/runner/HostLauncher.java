package dev.sagebrush.training.runner;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import software.amazon.awssdk.services.sagemaker.model.DescribeTrainingJobResponse;

/**
 * Starts the hosts of a prepared training job: the only step of a run that differs between backends (a sandboxed
 * process, {@link SandboxLauncher}; a container per host, {@code training.container}). Everything before (config files,
 * channels, code) and after (failure reason, upload) is the runner's, the same for every backend.
 */
public interface HostLauncher {

    /**
     * Starts every host of {@code request}. The returned launch owns them and whatever they need (uids, a network):
     * closing it kills what is left and frees the rest.
     *
     * @throws TrainingFailure when the job's own request cannot start (the reason is the job's FailureReason)
     */
    Launch launch(Request request) throws IOException, TrainingFailure;

    /**
     * @param hosts       one prepared host per instance, {@code algo-1} first
     * @param arguments   the workload's arguments: ContainerArguments, or {@code train}
     * @param resources   what each instance gets on this host
     * @param lines       per host name, the consumer of each output line
     */
    record Request(DescribeTrainingJobResponse job, List<Host> hosts, List<String> arguments,
                   InstanceResources resources, Map<String, Consumer<String>> lines) {

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
