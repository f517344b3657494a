package dev.sagebrush.training;

import dev.sagebrush.store.StoredResource;

/**
 * Told after every write of a training job's row or tags, so a derived view (the Search index) can stay in step with
 * the store. Called on the writing thread after the write committed; implementations must be quick and must not
 * throw. A listener that needs the search record derives it with {@link TrainingJobDocuments#searchRecord}.
 */
public interface TrainingJobListener {
    /** The job's row (document, status) or its tags changed; {@code row} is the row as now stored. */
    void changed(StoredResource row);

    /** The job no longer exists. */
    void removed(String arn);
}
