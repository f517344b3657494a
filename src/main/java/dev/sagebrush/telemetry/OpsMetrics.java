package dev.sagebrush.telemetry;

import dev.sagebrush.compilation.CompilationJobs;
import dev.sagebrush.notebook.LifecycleConfigs;
import dev.sagebrush.notebook.NotebookInstances;
import dev.sagebrush.store.ResourceStore;
import dev.sagebrush.training.TrainingJobs;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.function.IntSupplier;

/** Which resource kinds operators see in /metrics, and which of their statuses are work still to do. */
public final class OpsMetrics {
    private OpsMetrics() {}

    public static JobGauges jobGauges(ResourceStore store, Telemetry telemetry, Clock clock, IntSupplier jupyterServers) {
        return new JobGauges(store, telemetry.registry(), clock, List.of(
                new JobGauges.Kind(CompilationJobs.KIND, List.of("STARTING", "INPROGRESS", "STOPPING")),
                new JobGauges.Kind(TrainingJobs.KIND, List.of("InProgress", "Stopping")),
                new JobGauges.Kind(NotebookInstances.KIND, List.of("Pending", "Updating", "Stopping", "Deleting")),
                new JobGauges.Kind(LifecycleConfigs.KIND, List.of())))
                .gauge("sagebrush.notebook.jupyter.servers", "Jupyter servers this node runs", jupyterServers)
                .start(Duration.ofSeconds(10));
    }
}
