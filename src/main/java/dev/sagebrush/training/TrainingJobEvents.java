package dev.sagebrush.training;

import dev.sagebrush.store.StoredResource;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place training job writes are announced: the API, the controller and the tags API call it, and any number
 * of listeners (the Search index) subscribe. A failing listener is logged and does not fail the write, which has
 * already committed.
 */
public final class TrainingJobEvents implements TrainingJobListener {
    private static final Logger log = LoggerFactory.getLogger(TrainingJobEvents.class);
    private final List<TrainingJobListener> listeners = new CopyOnWriteArrayList<>();

    public void add(TrainingJobListener listener) {
        listeners.add(listener);
    }

    @Override
    public void changed(StoredResource row) {
        for (TrainingJobListener l : listeners) {
            try {
                l.changed(row);
            } catch (RuntimeException e) {
                log.error("Training job listener failed on {}", row.arn(), e);
            }
        }
    }

    @Override
    public void removed(String arn) {
        for (TrainingJobListener l : listeners) {
            try {
                l.removed(arn);
            } catch (RuntimeException e) {
                log.error("Training job listener failed on removal of {}", arn, e);
            }
        }
    }
}
