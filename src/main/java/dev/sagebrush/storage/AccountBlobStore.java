package dev.sagebrush.storage;

import java.io.InputStream;
import java.util.List;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.s3proxy.blobstore.ForwardingBlobStore;
import org.gaul.s3proxy.blobstore.domain.MultipartUpload;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.services.s3.model.BucketCannedACL;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadResponse;
import software.amazon.awssdk.services.s3.model.CopyObjectRequest;
import software.amazon.awssdk.services.s3.model.CopyObjectResponse;
import software.amazon.awssdk.services.s3.model.CreateBucketRequest;
import software.amazon.awssdk.services.s3.model.CreateBucketResponse;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.DeleteBucketEncryptionRequest;
import software.amazon.awssdk.services.s3.model.DeleteBucketEncryptionResponse;
import software.amazon.awssdk.services.s3.model.DeleteObjectRequest;
import software.amazon.awssdk.services.s3.model.DeleteObjectResponse;
import software.amazon.awssdk.services.s3.model.DeleteObjectsRequest;
import software.amazon.awssdk.services.s3.model.DeleteObjectsResponse;
import software.amazon.awssdk.services.s3.model.GetBucketAclRequest;
import software.amazon.awssdk.services.s3.model.GetBucketAclResponse;
import software.amazon.awssdk.services.s3.model.GetBucketEncryptionRequest;
import software.amazon.awssdk.services.s3.model.GetBucketEncryptionResponse;
import software.amazon.awssdk.services.s3.model.GetBucketVersioningRequest;
import software.amazon.awssdk.services.s3.model.GetBucketVersioningResponse;
import software.amazon.awssdk.services.s3.model.GetObjectAclRequest;
import software.amazon.awssdk.services.s3.model.GetObjectAclResponse;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadBucketRequest;
import software.amazon.awssdk.services.s3.model.HeadBucketResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectRequest;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListBucketsResponse;
import software.amazon.awssdk.services.s3.model.ListObjectVersionsRequest;
import software.amazon.awssdk.services.s3.model.ListObjectVersionsResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsRequest;
import software.amazon.awssdk.services.s3.model.ListObjectsResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.ObjectCannedACL;
import software.amazon.awssdk.services.s3.model.Part;
import software.amazon.awssdk.services.s3.model.PutBucketEncryptionRequest;
import software.amazon.awssdk.services.s3.model.PutBucketEncryptionResponse;
import software.amazon.awssdk.services.s3.model.PutBucketVersioningRequest;
import software.amazon.awssdk.services.s3.model.PutBucketVersioningResponse;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.UploadPartCopyRequest;
import software.amazon.awssdk.services.s3.model.UploadPartCopyResponse;
import software.amazon.awssdk.services.s3.model.UploadPartRequest;
import software.amazon.awssdk.services.s3.model.UploadPartResponse;

/**
 * The embedded S3's blob store as one account sees it through s3proxy, after s3proxy verified the request's
 * signature: only the account's own buckets ({@link BucketOwners}). Every operation that names a bucket (both, for
 * CopyObject and UploadPartCopy) is checked before the store sees it; another account's bucket is S3's
 * 403 AccessDenied, a missing one 404 NoSuchBucket; ListBuckets lists the account's buckets alone; CreateBucket of a
 * name another account holds is 409 BucketAlreadyExists. s3proxy's own loopback port goes through the same locator,
 * so it is no way around this.
 *
 * <p>Every method of {@link BlobStore} that names a bucket is overridden here, the defaults that ForwardingBlobStore
 * does not forward included (they go to the delegate after the check); a method a later s3proxy adds to BlobStore
 * must be added too.
 */
final class AccountBlobStore extends ForwardingBlobStore {
    static final String BUCKET_ALREADY_EXISTS = "The requested bucket name is not available. The bucket namespace is "
            + "shared by all users of the system. Please select a different name and try again.";

    private final BucketOwners owners;
    private final String account;

    AccountBlobStore(BlobStore delegate, BucketOwners owners, String account) {
        super(delegate);
        this.owners = owners;
        this.account = account;
    }

    /** Throws S3's answer unless the account owns {@code bucket}. */
    private void check(String bucket) {
        switch (owners.access(account, bucket)) {
            case OWNER -> { }
            case DENIED -> throw accessDenied();
            case NO_SUCH_BUCKET -> throw FilesystemStoreGuards.error(404, "NoSuchBucket",
                    "The specified bucket does not exist");
        }
    }

    static S3Exception accessDenied() {
        return FilesystemStoreGuards.error(403, "AccessDenied", "Access Denied");
    }

    @Override
    public ListBucketsResponse list() {
        ListBucketsResponse all = super.list();
        return all.toBuilder().buckets(all.buckets().stream()
                .filter(b -> owners.owner(b.name()).filter(account::equals).isPresent()).toList()).build();
    }

    @Override
    public CreateBucketResponse createContainer(CreateBucketRequest request) {
        if (!S3RequestRules.isValidBucketName(request.bucket())) {
            throw FilesystemStoreGuards.error(400, "InvalidBucketName", "The specified bucket is not valid.");
        }
        return owners.create(account, request.bucket(), () -> super.createContainer(request))
                .orElseThrow(() -> FilesystemStoreGuards.error(409, "BucketAlreadyExists", BUCKET_ALREADY_EXISTS));
    }

    @Override
    public void deleteBucket(String container) {
        check(container);
        owners.delete(container, () -> super.deleteBucket(container));
    }

    @Override
    public void deleteContainer(String container) {
        check(container);
        owners.delete(container, () -> super.deleteContainer(container));
    }

    @Override
    public HeadBucketResponse headBucket(HeadBucketRequest request) {
        check(request.bucket());
        return super.headBucket(request);
    }

    @Override
    public ListObjectsV2Response list(ListObjectsV2Request request) {
        check(request.bucket());
        return super.list(request);
    }

    @Override
    public ListObjectsResponse listV1(ListObjectsRequest request) {
        check(request.bucket());
        return delegate().listV1(request);
    }

    @Override
    public BucketCannedACL getContainerAccess(String container) {
        check(container);
        return super.getContainerAccess(container);
    }

    @Override
    public GetBucketAclResponse getContainerAcl(GetBucketAclRequest request) {
        check(request.bucket());
        return super.getContainerAcl(request);
    }

    @Override
    public void setContainerAccess(String container, BucketCannedACL access) {
        check(container);
        super.setContainerAccess(container, access);
    }

    @Override
    public void clearContainer(ListObjectsV2Request request) {
        check(request.bucket());
        super.clearContainer(request);
    }

    @Override
    public boolean blobExists(String container, String name) {
        check(container);
        return super.blobExists(container, name);
    }

    @Override
    public PutObjectResponse putBlob(PutObjectRequest request, InputStream content) {
        check(request.bucket());
        return super.putBlob(request, content);
    }

    @Override
    public CopyObjectResponse copyBlob(CopyObjectRequest request) {
        check(request.sourceBucket());
        check(request.destinationBucket());
        return super.copyBlob(request);
    }

    @Override
    public HeadObjectResponse blobMetadata(HeadObjectRequest request) {
        check(request.bucket());
        return super.blobMetadata(request);
    }

    @Override
    public HeadObjectResponse blobMetadataIfPresent(HeadObjectRequest request) {
        check(request.bucket());
        return delegate().blobMetadataIfPresent(request);
    }

    @Override
    public ResponseInputStream<GetObjectResponse> getBlob(GetObjectRequest request) {
        check(request.bucket());
        return super.getBlob(request);
    }

    @Override
    public DeleteObjectResponse removeBlob(DeleteObjectRequest request) {
        check(request.bucket());
        return super.removeBlob(request);
    }

    @Override
    public DeleteObjectsResponse removeBlobs(DeleteObjectsRequest request) {
        check(request.bucket()); // the whole request is refused, as S3 does, not each key
        return delegate().removeBlobs(request);
    }

    @Override
    public GetBucketVersioningResponse getBucketVersioning(GetBucketVersioningRequest request) {
        check(request.bucket());
        return super.getBucketVersioning(request);
    }

    @Override
    public PutBucketVersioningResponse putBucketVersioning(PutBucketVersioningRequest request) {
        check(request.bucket());
        return super.putBucketVersioning(request);
    }

    @Override
    public ListObjectVersionsResponse listVersions(ListObjectVersionsRequest request) {
        check(request.bucket());
        return super.listVersions(request);
    }

    @Override
    public GetBucketEncryptionResponse getBucketEncryption(GetBucketEncryptionRequest request) {
        check(request.bucket());
        return super.getBucketEncryption(request);
    }

    @Override
    public PutBucketEncryptionResponse putBucketEncryption(PutBucketEncryptionRequest request) {
        check(request.bucket());
        return super.putBucketEncryption(request);
    }

    @Override
    public DeleteBucketEncryptionResponse deleteBucketEncryption(DeleteBucketEncryptionRequest request) {
        check(request.bucket());
        return super.deleteBucketEncryption(request);
    }

    @Override
    public ObjectCannedACL getBlobAccess(String container, String name) {
        check(container);
        return super.getBlobAccess(container, name);
    }

    @Override
    public ObjectCannedACL getBlobAccess(String container, String name, String versionId) {
        check(container);
        return super.getBlobAccess(container, name, versionId);
    }

    @Override
    public GetObjectAclResponse getBlobAcl(GetObjectAclRequest request) {
        check(request.bucket());
        return super.getBlobAcl(request);
    }

    @Override
    public void setBlobAccess(String container, String name, ObjectCannedACL access) {
        check(container);
        super.setBlobAccess(container, name, access);
    }

    @Override
    public void setBlobAccess(String container, String name, ObjectCannedACL access, String versionId) {
        check(container);
        super.setBlobAccess(container, name, access, versionId);
    }

    @Override
    public MultipartUpload initiateMultipartUpload(CreateMultipartUploadRequest request) {
        check(request.bucket());
        return super.initiateMultipartUpload(request);
    }

    @Override
    public void abortMultipartUpload(MultipartUpload upload) {
        check(upload.containerName());
        super.abortMultipartUpload(upload);
    }

    @Override
    public CompleteMultipartUploadResponse completeMultipartUpload(MultipartUpload upload,
                                                                   CompleteMultipartUploadRequest request) {
        check(upload.containerName());
        return super.completeMultipartUpload(upload, request);
    }

    @Override
    public UploadPartResponse uploadMultipartPart(MultipartUpload upload, UploadPartRequest request,
                                                  InputStream content) {
        check(upload.containerName());
        return super.uploadMultipartPart(upload, request, content);
    }

    @Override
    public boolean supportsCopyMultipartPart() {
        return delegate().supportsCopyMultipartPart();
    }

    @Override
    public UploadPartCopyResponse copyMultipartPart(MultipartUpload upload, UploadPartCopyRequest request) {
        check(upload.containerName());
        check(request.sourceBucket());
        return delegate().copyMultipartPart(upload, request);
    }

    @Override
    public List<Part> listMultipartUpload(MultipartUpload upload) {
        check(upload.containerName());
        return super.listMultipartUpload(upload);
    }

    @Override
    public List<software.amazon.awssdk.services.s3.model.MultipartUpload> listMultipartUploads(String container) {
        check(container);
        return super.listMultipartUploads(container);
    }
}
