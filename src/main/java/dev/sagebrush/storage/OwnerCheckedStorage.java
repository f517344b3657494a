package dev.sagebrush.storage;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * {@link ObjectStorage} for one account, made by {@link AccountStorage}: every call is checked with
 * {@link BucketOwners#access} before the server's own (all-reaching) storage performs it.
 */
final class OwnerCheckedStorage implements ObjectStorage {
    private final ObjectStorage service;
    private final BucketOwners owners;
    private final String account;

    OwnerCheckedStorage(ObjectStorage service, BucketOwners owners, String account) {
        this.service = service;
        this.owners = owners;
        this.account = account;
    }

    /** Returns when the account owns the bucket; throws AccessDenied or NoSuchBucket otherwise, as S3 answers. */
    private void check(S3Uri uri, String operation) {
        switch (owners.access(account, uri.bucket())) {
            case OWNER -> { }
            case DENIED -> throw new AccessDeniedException(uri, operation);
            case NO_SUCH_BUCKET -> throw new BucketNotFoundException(uri.bucket(), uri.key().isEmpty() ? null : uri.key());
        }
    }

    @Override
    public void download(S3Uri src, Path dest) {
        check(src, "GetObject");
        service.download(src, dest);
    }

    @Override
    public void upload(Path src, S3Uri dest) {
        check(dest, "PutObject");
        service.upload(src, dest);
    }

    @Override
    public boolean exists(S3Uri uri) {
        return head(uri).isPresent();
    }

    @Override
    public Optional<ObjectInfo> head(S3Uri uri) {
        try {
            check(uri, "HeadObject");
        } catch (BucketNotFoundException e) {
            return Optional.empty(); // as the interface says for a missing bucket
        }
        return service.head(uri);
    }

    @Override
    public List<ObjectInfo> list(S3Uri prefix) {
        check(prefix, "ListObjectsV2");
        return service.list(prefix);
    }

    @Override
    public void delete(S3Uri uri) {
        check(uri, "DeleteObject");
        service.delete(uri);
    }

    @Override
    public void createBucketIfMissing(String bucket) {
        boolean created = owners.create(account, bucket, () -> {
            service.createBucketIfMissing(bucket);
            return true;
        }).isPresent();
        if (!created) {
            throw new StorageException("CreateBucket " + bucket + " failed: BucketAlreadyExists: "
                    + AccountBlobStore.BUCKET_ALREADY_EXISTS, null);
        }
    }
}
