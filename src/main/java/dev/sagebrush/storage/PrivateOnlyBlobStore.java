package dev.sagebrush.storage;

import java.io.InputStream;
import java.util.Set;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.s3proxy.blobstore.ForwardingBlobStore;
import org.gaul.s3proxy.blobstore.domain.MultipartUpload;
import software.amazon.awssdk.services.s3.model.BucketCannedACL;
import software.amazon.awssdk.services.s3.model.CopyObjectRequest;
import software.amazon.awssdk.services.s3.model.CopyObjectResponse;
import software.amazon.awssdk.services.s3.model.CreateBucketRequest;
import software.amazon.awssdk.services.s3.model.CreateBucketResponse;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.ObjectCannedACL;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;

/**
 * The embedded S3's blob store as s3proxy sees it: every bucket and object is private, whatever a client asks.
 *
 * <p>s3proxy serves anonymous requests (no credentials at all) for buckets and objects whose ACL is public-read or
 * public-read-write, and its filesystem store turns such an ACL into world-readable or world-writable permissions on
 * disk, which would open a bucket to every local user and to anyone without a key. Here a public ACL (canned public-read, public-read-write or authenticated-read, or XML grants to AllUsers
 * or AuthenticatedUsers, which s3proxy maps to those) is refused with S3's answer when Block Public Access is on:
 * 403 AccessDenied. And the access s3proxy reads back is always private, so even a bucket made public on disk before
 * this check existed is never served anonymously.
 */
final class PrivateOnlyBlobStore extends ForwardingBlobStore {
    private static final Set<String> PUBLIC = Set.of("public-read", "public-read-write", "authenticated-read");

    PrivateOnlyBlobStore(BlobStore delegate) {
        super(delegate);
    }

    @Override
    public CreateBucketResponse createContainer(CreateBucketRequest request) {
        refusePublic(request.aclAsString());
        return super.createContainer(request);
    }

    @Override
    public BucketCannedACL getContainerAccess(String container) {
        return BucketCannedACL.PRIVATE;
    }

    @Override
    public void setContainerAccess(String container, BucketCannedACL access) {
        refusePublic(access == null ? null : access.toString());
        super.setContainerAccess(container, access);
    }

    @Override
    public PutObjectResponse putBlob(PutObjectRequest request, InputStream content) {
        refusePublic(request.aclAsString());
        return super.putBlob(request, content);
    }

    @Override
    public CopyObjectResponse copyBlob(CopyObjectRequest request) {
        refusePublic(request.aclAsString());
        return super.copyBlob(request);
    }

    @Override
    public MultipartUpload initiateMultipartUpload(CreateMultipartUploadRequest request) {
        refusePublic(request.aclAsString());
        return super.initiateMultipartUpload(request);
    }

    @Override
    public ObjectCannedACL getBlobAccess(String container, String name) {
        return ObjectCannedACL.PRIVATE;
    }

    @Override
    public ObjectCannedACL getBlobAccess(String container, String name, String versionId) {
        return ObjectCannedACL.PRIVATE;
    }

    @Override
    public void setBlobAccess(String container, String name, ObjectCannedACL access) {
        refusePublic(access == null ? null : access.toString());
        super.setBlobAccess(container, name, access);
    }

    @Override
    public void setBlobAccess(String container, String name, ObjectCannedACL access, String versionId) {
        refusePublic(access == null ? null : access.toString());
        super.setBlobAccess(container, name, access, versionId);
    }

    static boolean isPublic(String cannedAcl) {
        return cannedAcl != null && PUBLIC.contains(cannedAcl.trim().toLowerCase(java.util.Locale.ROOT));
    }

    private static void refusePublic(String cannedAcl) {
        if (isPublic(cannedAcl)) {
            throw FilesystemStoreGuards.error(403, "AccessDenied", "Access Denied");
        }
    }
}
