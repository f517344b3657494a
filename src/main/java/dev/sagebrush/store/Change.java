package dev.sagebrush.store;

/**
 * One entry of the store's change feed: the resource with this ARN was created, updated, re-tagged or deleted, and
 * {@code seq} orders that write among all writes. The feed keeps only the latest entry per ARN (a compacted log):
 * a follower learns the resource's current state, never the states in between, which is all a derived view (the Search
 * index) or a level-triggered controller needs.
 *
 * @param row the resource as stored when the feed was read, or null when it is deleted
 */
public record Change(long seq, ResourceKey key, String arn, StoredResource row) {
    public boolean deleted() {
        return row == null;
    }
}
