package dev.sagebrush;

import dev.sagebrush.logs.FileLogIngester;
import dev.sagebrush.logs.SageMakerLogStreams;
import dev.sagebrush.notebook.NotebookInstances;
import dev.sagebrush.notebook.runtime.InstanceKey;
import dev.sagebrush.store.ResourceStore;
import dev.sagebrush.store.StoredResource;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The log files the notebook runtime writes for each instance, and the CloudWatch streams SageMaker names for them
 * in {@code /aws/sagemaker/NotebookInstances}: {@code <name>/jupyter.log}, {@code <name>/LifecycleConfigOnCreate},
 * {@code <name>/LifecycleConfigOnStart}. The {@link FileLogIngester} copies them as they grow.
 */
final class NotebookLogFiles implements Supplier<List<FileLogIngester.Source>> {
    private static final List<String> STATUSES = List.of("Pending", "InService", "Stopping", "Stopped", "Failed",
            "Updating", "Deleting");
    private static final String[][] FILES = {
            {"jupyter.log", "jupyter.log"},
            {"LifecycleConfigOnCreate.log", "LifecycleConfigOnCreate"},
            {"LifecycleConfigOnStart.log", "LifecycleConfigOnStart"}};

    private final ResourceStore store;
    private final Function<InstanceKey, Path> logDirectory;

    NotebookLogFiles(ResourceStore store, Function<InstanceKey, Path> logDirectory) {
        this.store = store;
        this.logDirectory = logDirectory;
    }

    @Override
    public List<FileLogIngester.Source> get() {
        List<FileLogIngester.Source> out = new ArrayList<>();
        for (StoredResource row : store.findByStatus(NotebookInstances.KIND, STATUSES)) {
            String name = row.key().name();
            Path dir;
            try {
                dir = logDirectory.apply(new InstanceKey(row.key().account(), row.key().region(), name));
            } catch (IllegalArgumentException e) {
                continue; // not a key the runtime could have run
            }
            for (String[] f : FILES) {
                out.add(new FileLogIngester.Source(row.key().account(), row.key().region(),
                        SageMakerLogStreams.NOTEBOOK_INSTANCES, name + "/" + f[1], dir.resolve(f[0])));
            }
        }
        return out;
    }
}
