package dev.sagebrush.store;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The single source of truth for every resource Sagebrush hosts, and the event source: every write of a resource
 * (create, update, delete, tag change) takes the next sequence number of the change feed in the same transaction, and
 * {@link #changes} reads that feed, so every node sees every node's writes in one order. Every method is one
 * transaction; a method that returns has made its write durable.
 */
public interface ResourceStore extends AutoCloseable {

    /** Inserts a new resource with its tags; false (and nothing written) when the key or ARN already exists. */
    boolean create(StoredResource resource, Map<String, String> tags);

    Optional<StoredResource> get(ResourceKey key);

    Optional<StoredResource> getByArn(String arn);

    /**
     * Replaces the document if the stored version is still {@code resource.version()}; returns the stored row (with
     * its new version) or empty when someone else changed or deleted it first.
     */
    Optional<StoredResource> update(StoredResource resource);

    /**
     * {@link #update(StoredResource)} by the holder of a claim: refused with {@link ClaimLostException} when the claim
     * is no longer current (another owner claimed the resource since), so work that lost its claim cannot write.
     */
    Optional<StoredResource> update(StoredResource resource, Claim fence);

    /** Deletes the resource and its tags if its version is still {@code expectedVersion}. */
    boolean delete(ResourceKey key, long expectedVersion);

    /** One page, plus whether more rows follow. */
    Page list(ListQuery query);

    record Page(List<StoredResource> rows, boolean more) {}

    /** Resources of a kind in any of the statuses, in every account: what controllers reconcile. */
    List<StoredResource> findByStatus(String kind, Collection<String> statuses);

    /** The oldest {@code limit} resources of a kind in any of the statuses (oldest first): work to pick up next. */
    List<StoredResource> findByStatus(String kind, Collection<String> statuses, int limit);

    /**
     * The oldest {@code limit} resources of a kind in any of the statuses that {@code owner} could lease now: no
     * lease, an expired one, or its own. What a controller with free workers picks up next, without reading the
     * work other nodes hold.
     */
    List<StoredResource> findClaimable(String kind, Collection<String> statuses, String owner, Instant now, int limit);

    /** Every resource of a kind in every account. */
    List<StoredResource> findAll(String kind);

    /**
     * How many resources of each kind are in each status, over every account: totals for operators' metrics, never
     * shown to an account. Stores that can count in place override this; the default reads every row.
     */
    default Map<String, Map<String, Long>> countByKindAndStatus(Collection<String> kinds) {
        Map<String, Map<String, Long>> counts = new java.util.TreeMap<>();
        for (String kind : kinds) {
            Map<String, Long> byStatus = new java.util.TreeMap<>();
            for (StoredResource r : findAll(kind)) byStatus.merge(String.valueOf(r.status()), 1L, Long::sum);
            counts.put(kind, byStatus);
        }
        return counts;
    }

    /**
     * Every resource of a kind in every account, handed to {@code each} in batches of up to {@code batch} as one
     * query streams them: how an index loads every resource at start-up without holding them all in memory at once.
     */
    void scan(String kind, int batch, java.util.function.Consumer<List<StoredResource>> each);

    // ------------------------------------------------------------------------------------------------- change feed

    /** The sequence number of the latest committed write: every change up to it is visible to {@link #changes}. */
    long headSeq();

    /**
     * Up to {@code limit} changes with a sequence number above {@code after}, in sequence order. No change is ever
     * skipped: a change with a smaller number is visible no later than one with a larger number.
     */
    List<Change> changes(long after, int limit);

    /**
     * Every resource of a kind that has an entry in the change feed, by ARN, with the sequence number of its latest
     * change, negated for a deletion: what a view of the store persisted at some feed position (the Search index's
     * snapshot) is checked against before it is trusted. One query over the feed's compacted table.
     */
    Map<String, Long> feedPositions(String kind);

    /**
     * Waits until a write after {@code after} may have committed (on this node, or on another node sharing the
     * database), or until the timeout. Only a hint to read {@link #changes} again: it may return early or late.
     */
    void awaitChange(long after, Duration timeout) throws InterruptedException;

    // ------------------------------------------------------------------------------------------------------ claims

    /**
     * Claims the right to work on a resource for {@code ttl}, if no other owner holds an unexpired claim on it. A
     * successful claim always starts a new epoch, even when {@code owner} held the resource before (a restarted node
     * taking its work back): writes made under any earlier claim are refused from now on. Empty when another owner
     * holds it, or the resource does not exist.
     */
    Optional<Claim> claim(ResourceKey key, String owner, Instant now, Duration ttl);

    /** Extends a claim that is still current; empty when it was lost (the work holding it must stop). */
    Optional<Claim> renew(Claim claim, Instant now, Duration ttl);

    /** Gives a claim up, if it is still current; a lost claim is left as the new owner holds it. */
    void release(Claim claim);

    /** The claim recorded on a resource now, expired or not: which node works on it (or last did, until it releases). */
    Optional<Claim> currentClaim(ResourceKey key);

    // ------------------------------------------------------------------------------------------------------ nodes

    /**
     * Records (or updates) the address at which the other nodes sharing this store reach node {@code nodeId}: where a
     * node forwards a request that only another node can serve (a notebook instance's Jupyter runs on one node).
     */
    void announceNode(String nodeId, String address, Instant now);

    /** The address node {@code nodeId} last announced; empty for a node that never did. */
    Optional<String> nodeAddress(String nodeId);

    // --------------------------------------------------------------------------------------------------------- tags

    /** Tags of the resource with this ARN, in insertion order. */
    Map<String, String> tags(String arn);

    /** Tags of each of these resources, in insertion order (resources without tags are absent); few queries. */
    Map<String, Map<String, String>> tags(Collection<String> arns);

    /** Adds or overwrites tags, if the resource exists; false otherwise. */
    boolean putTags(String arn, Map<String, String> tags);

    boolean deleteTags(String arn, Collection<String> keys);

    // --------------------------------------------------------------------------------------------------------- keys

    /**
     * The server key named {@code name} that every node sharing this store uses (page tokens, sessions): the stored
     * one, or {@code candidate} if this call is the first to store one. Every node that asks gets the same bytes.
     */
    byte[] sharedKey(String name, byte[] candidate);

    @Override
    void close();
}
