package dev.sagebrush.storage;

import java.io.IOException;
import java.io.InputStream;
import java.io.PushbackInputStream;
import java.io.UncheckedIOException;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.s3proxy.blobstore.ForwardingBlobStore;
import org.gaul.s3proxy.blobstore.domain.MultipartUpload;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.UploadPartRequest;
import software.amazon.awssdk.services.s3.model.UploadPartResponse;

/**
 * S3's answers where s3proxy's filesystem store failed with a 500 (found by the hostile-input fuzzer): a part uploaded
 * to an upload that does not exist is S3's 404 NoSuchUpload, and content for a key ending in '/' (which the store
 * keeps as a directory) is refused as an InvalidArgument instead of failing half-way.
 */
final class FilesystemStoreGuards extends ForwardingBlobStore {
    FilesystemStoreGuards(BlobStore delegate) {
        super(delegate);
    }

    @Override
    public PutObjectResponse putBlob(PutObjectRequest request, InputStream content) {
        if (request.key() != null && request.key().endsWith("/")) {
            PushbackInputStream in = new PushbackInputStream(content, 1);
            try {
                int first = in.read();
                if (first >= 0) {
                    throw error(400, "InvalidArgument", "The embedded S3 keeps a key ending in '/' as a directory: "
                            + "such an object must be empty");
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return super.putBlob(request, in);
        }
        return super.putBlob(request, content);
    }

    @Override
    public UploadPartResponse uploadMultipartPart(MultipartUpload upload, UploadPartRequest request, InputStream content) {
        boolean exists = listMultipartUploads(upload.containerName()).stream()
                .anyMatch(u -> upload.id().equals(u.uploadId()) && upload.blobName().equals(u.key()));
        if (!exists) {
            throw error(404, "NoSuchUpload", "The specified upload does not exist. The upload ID may be invalid, or the "
                    + "upload may have been aborted or completed.");
        }
        return super.uploadMultipartPart(upload, request, content);
    }

    static S3Exception error(int status, String code, String message) {
        return (S3Exception) S3Exception.builder().statusCode(status).message(message)
                .awsErrorDetails(AwsErrorDetails.builder().errorCode(code).errorMessage(message).build()).build();
    }
}
