package dev.sagebrush.jobs;

import dev.sagebrush.store.Claim;
import dev.sagebrush.store.ClaimLostException;
import dev.sagebrush.store.ResourceKey;
import dev.sagebrush.store.ResourceStore;
import dev.sagebrush.store.StoredResource;
import java.util.Collection;
import java.util.Optional;
import java.util.function.UnaryOperator;

/** The compare-and-set loop every controller writes with: read, check the status, change, write if nobody wrote since. */
public final class Transitions {
    private Transitions() {}

    /**
     * Applies {@code change} to the resource if its status is still one of {@code from}, retrying when another writer
     * got in between. Empty when the resource is gone or in another status. Under a {@code fence} (may be null), a
     * {@link ClaimLostException} once another node has claimed the resource.
     */
    public static Optional<StoredResource> apply(ResourceStore store, ResourceKey key, Claim fence,
                                                 Collection<String> from, UnaryOperator<StoredResource> change) {
        while (true) {
            Optional<StoredResource> current = store.get(key);
            if (current.isEmpty() || !from.contains(current.get().status())) return Optional.empty();
            StoredResource next = change.apply(current.get());
            Optional<StoredResource> written = fence == null ? store.update(next) : store.update(next, fence);
            if (written.isPresent()) return written;
        }
    }
}
