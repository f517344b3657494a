package dev.sagebrush.storage;

import java.io.IOException;
import java.io.InputStream;
import java.io.PushbackInputStream;
import java.io.UncheckedIOException;
import java.nio.file.FileSystemException;
import java.util.function.Supplier;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.s3proxy.blobstore.ForwardingBlobStore;
import org.gaul.s3proxy.blobstore.domain.MultipartUpload;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadResponse;
import software.amazon.awssdk.services.s3.model.CopyObjectRequest;
import software.amazon.awssdk.services.s3.model.CopyObjectResponse;
import software.amazon.awssdk.services.s3.model.DeleteObjectRequest;
import software.amazon.awssdk.services.s3.model.DeleteObjectResponse;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.UploadPartRequest;
import software.amazon.awssdk.services.s3.model.UploadPartResponse;

/**
 * S3's answers where s3proxy's filesystem store failed with a 500 (found by the hostile-input fuzzer): a part uploaded
 * to an upload that does not exist is S3's 404 NoSuchUpload, content for a key ending in '/' (which the store keeps
 * as a directory) is refused as an InvalidArgument instead of failing half-way, and a write that loses a race with
 * another request on the same files is S3's 409 OperationAborted.
 */
final class FilesystemStoreGuards extends ForwardingBlobStore {
    FilesystemStoreGuards(BlobStore delegate) {
        super(delegate);
    }

    @Override
    public PutObjectResponse putBlob(PutObjectRequest request, InputStream content) {
        return guarded(() -> putChecked(request, content));
    }

    private PutObjectResponse putChecked(PutObjectRequest request, InputStream content) {
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
    public CopyObjectResponse copyBlob(CopyObjectRequest request) {
        return guarded(() -> super.copyBlob(request));
    }

    @Override
    public DeleteObjectResponse removeBlob(DeleteObjectRequest request) {
        return guarded(() -> super.removeBlob(request));
    }

    @Override
    public CompleteMultipartUploadResponse completeMultipartUpload(MultipartUpload upload,
                                                                   CompleteMultipartUploadRequest request) {
        return guarded(() -> super.completeMultipartUpload(upload, request));
    }

    @Override
    public UploadPartResponse uploadMultipartPart(MultipartUpload upload, UploadPartRequest request, InputStream content) {
        return guarded(() -> uploadChecked(upload, request, content));
    }

    private UploadPartResponse uploadChecked(MultipartUpload upload, UploadPartRequest request, InputStream content) {
        boolean exists = listMultipartUploads(upload.containerName()).stream()
                .anyMatch(u -> upload.id().equals(u.uploadId()) && upload.blobName().equals(u.key()));
        if (!exists) {
            throw error(404, "NoSuchUpload", "The specified upload does not exist. The upload ID may be invalid, or the "
                    + "upload may have been aborted or completed.");
        }
        return super.uploadMultipartPart(upload, request, content);
    }

    /**
     * The filesystem store is not safe against concurrent writers of one key or its parent directories: a file
     * renamed, created or removed under it by another request surfaces as a FileSystemException, which s3proxy
     * answered with a 500. S3's answer to conflicting concurrent operations is 409 OperationAborted (retryable).
     */
    private static <T> T guarded(Supplier<T> op) {
        try {
            return op.get();
        } catch (S3Exception e) {
            throw e;
        } catch (RuntimeException e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof FileSystemException) {
                    throw error(409, "OperationAborted", "A conflicting conditional operation is currently in progress "
                            + "against this resource. Please try again.");
                }
            }
            throw e;
        }
    }

    static S3Exception error(int status, String code, String message) {
        return (S3Exception) S3Exception.builder().statusCode(status).message(message)
                .awsErrorDetails(AwsErrorDetails.builder().errorCode(code).errorMessage(message).build()).build();
    }
}
