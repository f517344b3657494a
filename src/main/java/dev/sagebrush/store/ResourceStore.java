package dev.sagebrush.store;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The single source of truth for every resource Sagebrush hosts. Every method is one transaction; a method that
 * returns has made its write durable.
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

    /** Every resource of a kind in every account (search indexes load from here at start-up). */
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

    // ------------------------------------------------------------------------------------------------------- leases

    /**
     * Claims the right to work on a resource until {@code until}, if nobody else holds an unexpired lease on it.
     * Controllers on several nodes use this so that no job runs twice.
     */
    boolean tryLease(ResourceKey key, String owner, Instant now, Instant until);

    void releaseLease(ResourceKey key, String owner);

    // --------------------------------------------------------------------------------------------------------- tags

    /** Tags of the resource with this ARN, in insertion order. */
    Map<String, String> tags(String arn);

    /** Adds or overwrites tags, if the resource exists; false otherwise. */
    boolean putTags(String arn, Map<String, String> tags);

    boolean deleteTags(String arn, Collection<String> keys);

    @Override
    void close();
}
