package dev.sagebrush.storage;

/**
 * S3's 403 AccessDenied for an object or bucket the account does not own, as the server met it working on that
 * account's behalf. The message is the one a boto3 client prints for it, which is also how SageMaker passes an S3
 * error on in a job's FailureReason.
 */
public class AccessDeniedException extends StorageException {
    private final S3Uri uri;

    public AccessDeniedException(S3Uri uri, String operation) {
        super("An error occurred (AccessDenied) when calling the " + operation + " operation: Access Denied", null);
        this.uri = uri;
    }

    /** The location asked for (its key is empty for an operation on the bucket). */
    public S3Uri uri() {
        return uri;
    }
}
