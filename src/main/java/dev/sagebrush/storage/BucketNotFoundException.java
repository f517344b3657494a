package dev.sagebrush.storage;

/** The bucket named in a request does not exist (S3's NoSuchBucket). */
public class BucketNotFoundException extends ObjectNotFoundException {
    public BucketNotFoundException(String bucket, String key) {
        super("Bucket '" + bucket + "' does not exist", bucket, key, null);
    }
}
