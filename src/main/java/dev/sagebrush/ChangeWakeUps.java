package dev.sagebrush;

import dev.sagebrush.store.Change;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/** A change feed subscriber that wakes each controller once per batch holding a change of its kind. */
final class ChangeWakeUps {
    private ChangeWakeUps() {}

    static Consumer<List<Change>> of(Map<String, Runnable> wakeByKind) {
        return batch -> {
            Set<String> kinds = new HashSet<>();
            for (Change c : batch) kinds.add(c.key().kind());
            for (String kind : kinds) {
                Runnable wake = wakeByKind.get(kind);
                if (wake != null) wake.run();
            }
        };
    }
}
