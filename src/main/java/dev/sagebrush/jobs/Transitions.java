package dev.sagebrush.jobs;

import dev.sagebrush.store.Claim;
import dev.sagebrush.store.ClaimLostException;
import dev.sagebrush.store.ResourceKey;
import dev.sagebrush.store.ResourceStore;
import dev.sagebrush.store.StoredResource;
import java.util.Collection;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The compare-and-set loop every controller writes with: read, check the status, change, write if nobody wrote since. */
public final class Transitions {
    private static final Logger log = LoggerFactory.getLogger(Transitions.class);

    private Transitions() {}

    /**
     * Applies {@code change} to the resource if its status is still one of {@code from}, retrying when another writer
     * got in between. Empty when the resource is gone or in another status. Under a {@code fence} (may be null), a
     * {@link ClaimLostException} once another node has claimed the resource.
     */
    /**
     * {@link #apply} under the claim this node holds on the resource; nothing, and empty, without one: a controller
     * writes only what it holds (a claim lost while its work was ending leaves the result to the new holder).
     */
    public static Optional<StoredResource> underClaim(ResourceStore store, HeldClaims claims, ResourceKey key,
                                                      Collection<String> from, UnaryOperator<StoredResource> change) {
        Claim claim = claims.current(key);
        if (claim == null) {
            log.warn("{} {}: this node no longer holds its claim; not writing", key.kind(), key.name());
            return Optional.empty();
        }
        return apply(store, key, claim, from, change);
    }

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
