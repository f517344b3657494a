package dev.sagebrush.store;

import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Rows read by key, kept in memory for the reads that follow, and served from memory only while they are provably
 * current: the cache follows the store's change feed (it is a {@link ChangeFollower} subscriber) and answers from
 * memory only when it has applied every change up to the store's head, so a read that starts after a write returned
 * always sees that write. Otherwise (the follower is behind, the key is not cached) the store is read, as without it.
 *
 * <p>Only for a store whose {@link ResourceStore#headSeq()} is known in memory and covers every write to it: SQLite,
 * which only this process writes, and whose head moves before a write call returns. Behind several nodes (PostgreSQL)
 * the head is a query and another node's writes reach this one only through the feed, so there nothing here could be
 * proven fresh without reading the store: do not use it there.
 *
 * <p>Why a row is never stale when served: a write's change {@code s} is committed (and the head is {@code >= s})
 * before the write returns. {@link #fresh} serves a row only when every change up to the head it reads has been
 * applied, i.e. its key's entry removed. A row can be put back after that only by {@link #offer}, which refuses a row
 * read from a head older than any change already applied: a read that raced a write cannot reinstate what the
 * write replaced. Offers and invalidations are serialized by one lock; hits take no lock.
 */
public final class ReadCache implements Consumer<List<Change>> {
    private final ResourceStore store;
    private final int maxEntries;
    private final ConcurrentHashMap<ResourceKey, StoredResource> rows = new ConcurrentHashMap<>();
    /** Every change up to this feed number has been applied (its key removed); -1 until {@link #follow}. */
    private volatile long applied = -1;
    /** The highest feed number applied so far; guarded by {@code this}. Until {@link #follow}, no row is kept. */
    private long invalidatedUpTo = Long.MAX_VALUE;

    /** @param maxEntries rows kept at most (one arbitrary row makes room for a new one beyond that) */
    public ReadCache(ResourceStore store, int maxEntries) {
        this.store = store;
        this.maxEntries = maxEntries;
    }

    /**
     * Subscribes to {@code follower} (before it starts): from then on every change after its cursor reaches this
     * cache. Until then the cache keeps nothing and every read goes to the store.
     */
    public ReadCache follow(ChangeFollower follower) {
        follower.subscribe(this);
        synchronized (this) {
            long from = follower.cursor();
            invalidatedUpTo = from;
            applied = from;
        }
        return this;
    }

    /** The row if it is in memory and provably current; null when only the store can tell. Never blocks. */
    public StoredResource fresh(ResourceKey key) {
        if (store.headSeq() > applied) return null; // a write committed that this cache has not applied yet
        return rows.get(key);
    }

    /** {@link ResourceStore#get}: from memory when provably current, else from the store (and kept for next time). */
    public Optional<StoredResource> get(ResourceKey key) {
        long head = store.headSeq(); // before the read: the row read is at least as new as this
        if (head <= applied) {
            StoredResource cached = rows.get(key);
            if (cached != null) return Optional.of(cached);
        }
        Optional<StoredResource> row = store.get(key);
        row.ifPresent(r -> offer(r, head));
        return row;
    }

    /** Keeps {@code row}, read from the store after its head was {@code readAfter}, unless a newer change came in. */
    synchronized void offer(StoredResource row, long readAfter) {
        if (invalidatedUpTo > readAfter) return; // a change applied since may be newer than this row
        if (rows.size() >= maxEntries && !rows.containsKey(row.key())) {
            Iterator<ResourceKey> any = rows.keySet().iterator();
            if (any.hasNext()) rows.remove(any.next());
        }
        rows.put(row.key(), row);
    }

    /** Applies a batch of the change feed, in order: every changed key is dropped. */
    @Override
    public void accept(List<Change> batch) {
        if (batch.isEmpty()) return;
        long last;
        synchronized (this) {
            for (Change c : batch) {
                rows.remove(c.key());
                invalidatedUpTo = Math.max(invalidatedUpTo, c.seq());
            }
            last = invalidatedUpTo;
        }
        applied = last;
    }

    /** How many rows are in memory (for tests and metrics). */
    public int size() {
        return rows.size();
    }
}
