package dev.sagebrush.storage;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The object store as the rest of Sagebrush needs it: whole objects to and from local files. Every method may throw
 * {@link ObjectNotFoundException} / {@link BucketNotFoundException} for a missing object or bucket and
 * {@link StorageException} for anything else; none of them buffers a whole object in memory.
 */
public interface ObjectStorage {
    /** Writes the object to {@code dest} (replacing it); a failed download leaves no partial file at {@code dest}. */
    void download(S3Uri src, Path dest);

    /** Uploads the file; the key must pass {@link S3Uri#requireWritable()}. */
    void upload(Path src, S3Uri dest);

    boolean exists(S3Uri uri);

    /** The object's metadata, or empty when it (or its bucket) does not exist. */
    Optional<ObjectInfo> head(S3Uri uri);

    /** Every object whose key starts with {@code prefix.key()}, across all pages, in key order. */
    List<ObjectInfo> list(S3Uri prefix);

    /** Deletes the object; deleting a missing object succeeds, as in S3. */
    void delete(S3Uri uri);

    void createBucketIfMissing(String bucket);
}
