package dev.sagebrush.storage;

/**
 * The object (or, for the {@link BucketNotFoundException} subclass, its bucket) does not exist. One catch clause
 * handles both, which is what callers turning this into a SageMaker ClientError want.
 */
public class ObjectNotFoundException extends StorageException {
    private final String bucket;
    private final String key;

    public ObjectNotFoundException(String bucket, String key) {
        this("Object s3://" + bucket + "/" + key + " does not exist", bucket, key, null);
    }

    protected ObjectNotFoundException(String message, String bucket, String key, Throwable cause) {
        super(message, cause);
        this.bucket = bucket;
        this.key = key;
    }

    public String bucket() { return bucket; }

    /** The key asked for, or null when the operation was on the bucket itself. */
    public String key() { return key; }
}
