package dev.sagebrush.store;

import java.time.Instant;

/**
 * One row of the store: the resource's Describe document in its awsJson wire form, plus the columns that lists,
 * sorts and controllers need, and the version that compare-and-set updates check.
 */
public record StoredResource(ResourceKey key, String arn, String status, Instant createdAt, Instant modifiedAt,
                             long version, byte[] document) {

    /** The same resource with a new document and status, modified at {@code when}; the version is the store's job. */
    public StoredResource withDocument(String newStatus, Instant when, byte[] newDocument) {
        return new StoredResource(key, arn, newStatus, createdAt, when, version, newDocument);
    }
}
