package dev.sagebrush.jobs;

import dev.sagebrush.store.Claim;
import dev.sagebrush.store.ResourceKey;
import dev.sagebrush.store.ResourceStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The fenced claims one node holds on the resources of one kind: taken before any work, carried by every write the
 * work makes ({@link #current}), renewed while the work runs, given back when it ends. A renewal that fails means
 * another node took the resource over: the caller must stop the work, and its writes would be refused anyway.
 */
public final class HeldClaims {
    private record Held(Claim claim, Instant renewedAt) {}

    private final ResourceStore store;
    private final String owner;
    private final Clock clock;
    private final Duration lease;
    private final ConcurrentHashMap<ResourceKey, Held> held = new ConcurrentHashMap<>();

    public HeldClaims(ResourceStore store, String owner, Clock clock, Duration lease) {
        this.store = store;
        this.owner = owner;
        this.clock = clock;
        this.lease = lease;
    }

    public Duration lease() {
        return lease;
    }

    /**
     * Claims the resource for this node: a new epoch, even if this node held it before (a restart, or a second start),
     * so every write under an older claim is refused from now on. Empty when another node holds it.
     */
    public Optional<Claim> acquire(ResourceKey key) {
        Instant now = clock.instant();
        Optional<Claim> claim = store.claim(key, owner, now, lease);
        claim.ifPresent(c -> held.put(key, new Held(c, now)));
        return claim;
    }

    /** The claim this node holds on the resource, or null: what its writes carry. */
    public Claim current(ResourceKey key) {
        Held h = held.get(key);
        return h == null ? null : h.claim();
    }

    public boolean holds(ResourceKey key) {
        return held.containsKey(key);
    }

    /** Extends the claim; false (and forgotten) when it was lost or is not held. */
    public boolean renew(ResourceKey key) {
        return renewIfOlderThan(key, Duration.ZERO);
    }

    /**
     * Extends the claim if it was last renewed more than {@code age} ago (a long-lived hold need not write every
     * step); false, and forgotten, once it was lost.
     */
    public boolean renewIfOlderThan(ResourceKey key, Duration age) {
        Held h = held.get(key);
        if (h == null) return false;
        Instant now = clock.instant();
        if (!age.isZero() && !now.isAfter(h.renewedAt().plus(age))) return true;
        Optional<Claim> next = store.renew(h.claim(), now, lease);
        if (next.isEmpty()) {
            held.remove(key, h);
            return false;
        }
        held.replace(key, h, new Held(next.get(), now));
        return true;
    }

    /** Gives the claim back (if still current), so another node may take the resource at once. */
    public void release(ResourceKey key) {
        Held h = held.remove(key);
        if (h != null) store.release(h.claim());
    }

    /** Forgets a claim that is known to be lost, without writing. */
    public void drop(ResourceKey key) {
        held.remove(key);
    }

    public void releaseAll() {
        for (ResourceKey key : List.copyOf(held.keySet())) {
            try {
                release(key);
            } catch (RuntimeException ignored) {
                // the store may be unavailable at shutdown: the lease then expires by itself
            }
        }
    }
}
