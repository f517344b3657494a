package dev.sagebrush.jobs;

import dev.sagebrush.store.Change;
import java.util.List;

/** A controller of one kind, running on its {@link Reconciliation}: how requests and the change feed reach it. */
public interface Controller extends AutoCloseable {

    Reconciliation reconciliation();

    /** A request changed something: look now rather than at the next resync. */
    default void wake() {
        reconciliation().wake();
    }

    /** The change feed's subscriber: a write of this kind on any node queues the resource it changed. */
    default void onChanges(List<Change> changes) {
        reconciliation().onChanges(changes);
    }

    @Override
    void close();
}
