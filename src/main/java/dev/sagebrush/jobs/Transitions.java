package dev.sagebrush.jobs;

import dev.sagebrush.store.Claim;
import dev.sagebrush.store.ClaimLostException;
import dev.sagebrush.store.ResourceKey;
import dev.sagebrush.store.ResourceStore;
import dev.sagebrush.store.StoredResource;
import java.util.Collection;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The compare-and-set loop every change of a stored resource goes through, from an API call or a controller: read the
 * resource, decide from what is stored now, write only if nobody wrote since, and otherwise read and decide again.
 * Requests decide with the error AWS answers when the status does not allow the change ({@link #change},
 * {@link #delete}); controllers move a resource only out of the statuses they expect ({@link #apply}), and write only
 * under their claim on it ({@link #underClaim}).
 */
public final class Transitions {
    private static final Logger log = LoggerFactory.getLogger(Transitions.class);

    private Transitions() {}

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

    /**
     * Applies {@code change} to the resource if its status is still one of {@code from}, retrying when another writer
     * got in between. Empty when the resource is gone or in another status. Under a {@code fence} (may be null), a
     * {@link ClaimLostException} once another node has claimed the resource.
     */
    public static Optional<StoredResource> apply(ResourceStore store, ResourceKey key, Claim fence,
                                                 Collection<String> from, UnaryOperator<StoredResource> change) {
        return write(store, key, fence, null, row -> from.contains(row.status()) ? change.apply(row) : null);
    }

    /**
     * What a request does to a resource. {@code decide} sees the resource as stored now and returns the row to write,
     * or null when the request changes nothing (a second Stop), or throws the error the API answers (the status does
     * not allow the change); it is asked again, about the new row, whenever another writer got in between. Throws
     * {@code missing}'s error when there is no such resource. The row written; empty when {@code decide} wrote none.
     */
    public static Optional<StoredResource> change(ResourceStore store, ResourceKey key,
                                                  Supplier<? extends RuntimeException> missing,
                                                  UnaryOperator<StoredResource> decide) {
        return write(store, key, null, missing, decide);
    }

    /**
     * Deletes the resource if {@code allowed} says so of it as stored now (it may throw the error the API answers
     * instead), asking again whenever another writer got in between. Without the resource: {@code missing}'s error, or
     * false when {@code missing} is null. Whether this call deleted it.
     */
    public static boolean delete(ResourceStore store, ResourceKey key, Supplier<? extends RuntimeException> missing,
                                 Predicate<StoredResource> allowed) {
        while (true) {
            StoredResource current = read(store, key, missing);
            if (current == null || !allowed.test(current)) return false;
            if (store.delete(key, current.version())) return true;
        }
    }

    /** The one loop: {@code decide} returns the next row, or null for none; a gone resource is {@code missing}'s. */
    private static Optional<StoredResource> write(ResourceStore store, ResourceKey key, Claim fence,
                                                  Supplier<? extends RuntimeException> missing,
                                                  UnaryOperator<StoredResource> decide) {
        while (true) {
            StoredResource current = read(store, key, missing);
            StoredResource next = current == null ? null : decide.apply(current);
            if (next == null) return Optional.empty();
            Optional<StoredResource> written = fence == null ? store.update(next) : store.update(next, fence);
            if (written.isPresent()) return written;
        }
    }

    /** The resource as stored now; null when it is gone and {@code missing} is null, else {@code missing}'s error. */
    private static StoredResource read(ResourceStore store, ResourceKey key, Supplier<? extends RuntimeException> missing) {
        Optional<StoredResource> current = store.get(key);
        if (current.isEmpty() && missing != null) throw missing.get();
        return current.orElse(null);
    }
}
