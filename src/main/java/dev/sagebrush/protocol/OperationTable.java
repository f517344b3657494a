package dev.sagebrush.protocol;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** Every operation this server answers, by name. Built once by the composition root from the feature APIs. */
public final class OperationTable {
    private final Map<String, Operation<?>> byName = new LinkedHashMap<>();

    public OperationTable add(Operation<?> operation) {
        if (byName.put(operation.name(), operation) != null) {
            throw new IllegalArgumentException("operation listed twice: " + operation.name());
        }
        return this;
    }

    public Optional<Operation<?>> find(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    public Collection<Operation<?>> all() {
        return byName.values();
    }
}
