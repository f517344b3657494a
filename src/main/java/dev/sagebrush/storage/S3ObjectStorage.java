package dev.sagebrush.storage;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketAlreadyOwnedByYouException;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * {@link ObjectStorage} over the AWS SDK v2 {@link S3Client}: the embedded s3proxy by default, any S3-compatible
 * endpoint otherwise. Path-style addressing because self-hosted endpoints have no wildcard DNS for bucket hosts.
 *
 * <p>Uploads are single PutObject calls streamed from the file, so objects are limited to S3's 5 GiB single-part
 * maximum (s3proxy's default too); multipart can come behind the same interface if artifacts ever get that big.
 */
public final class S3ObjectStorage implements ObjectStorage, AutoCloseable {
    private static final int S3_MAX_PAGE = 1000;

    /** Made on first use: building an SDK client loads ~1,000 classes, which a server start need not wait for. */
    private final java.util.function.Supplier<S3Client> client;
    private volatile S3Client s3;
    private final boolean ownsClient;
    private final int pageSize;

    /** Wraps a client the caller keeps owning (and closes). */
    public S3ObjectStorage(S3Client s3) {
        this(s3, false, S3_MAX_PAGE);
    }

    /** Small pages let tests prove that {@link #list} follows continuation tokens without writing 1,000 objects. */
    S3ObjectStorage(S3Client s3, boolean ownsClient, int pageSize) {
        Objects.requireNonNull(s3, "s3");
        this.client = () -> s3;
        this.s3 = s3;
        this.ownsClient = ownsClient;
        this.pageSize = pageSize;
    }

    private S3ObjectStorage(java.util.function.Supplier<S3Client> client) {
        this.client = client;
        this.ownsClient = true;
        this.pageSize = S3_MAX_PAGE;
    }

    /** A storage with its own client for {@code endpoint}, made on first use; {@link #close()} closes it. */
    public static S3ObjectStorage connect(URI endpoint, S3Credentials credentials) {
        return new S3ObjectStorage(() -> newClient(endpoint, credentials));
    }

    private S3Client s3() {
        S3Client c = s3;
        if (c == null) {
            synchronized (this) {
                c = s3;
                if (c == null) s3 = c = client.get();
            }
        }
        return c;
    }

    /** The client configuration Sagebrush uses for any S3-compatible endpoint (apache5 transport, us-east-1). */
    public static S3Client newClient(URI endpoint, S3Credentials credentials) {
        return S3Client.builder()
                .endpointOverride(endpoint)
                .forcePathStyle(true)
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(credentials.accessKeyId(), credentials.secretAccessKey())))
                .httpClientBuilder(Apache5HttpClient.builder())
                .build();
    }

    @Override
    public void download(S3Uri src, Path dest) {
        Path target = dest.toAbsolutePath();
        Path tmp = null;
        try {
            Files.createDirectories(target.getParent());
            // A sibling temp file and a rename: readers of dest never see a half-written object.
            tmp = Files.createTempFile(target.getParent(), "." + target.getFileName(), ".part");
            try (InputStream in = s3().getObject(b -> b.bucket(src.bucket()).key(src.key()))) {
                Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            }
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            tmp = null;
        } catch (IOException e) {
            throw new UncheckedIOException("Downloading " + src + " to " + dest + " failed: " + e.getMessage(), e);
        } catch (S3Exception e) {
            throw translate(e, src, "GetObject");
        } finally {
            deleteQuietly(tmp);
        }
    }

    @Override
    public void upload(Path src, S3Uri dest) {
        dest.requireWritable();
        if (!Files.isRegularFile(src)) {
            throw new UncheckedIOException(new IOException("Upload source " + src + " is not a regular file"));
        }
        try {
            s3().putObject(b -> b.bucket(dest.bucket()).key(dest.key()), RequestBody.fromFile(src));
        } catch (S3Exception e) {
            throw translate(e, dest, "PutObject");
        }
    }

    @Override
    public boolean exists(S3Uri uri) {
        return head(uri).isPresent();
    }

    @Override
    public Optional<ObjectInfo> head(S3Uri uri) {
        try {
            HeadObjectResponse r = s3().headObject(b -> b.bucket(uri.bucket()).key(uri.key()));
            return Optional.of(new ObjectInfo(uri, r.contentLength(), r.lastModified(), unquote(r.eTag())));
        } catch (S3Exception e) {
            // HEAD responses have no body, so a missing bucket and a missing key are both a bare 404.
            if (e.statusCode() == 404) {
                return Optional.empty();
            }
            throw translate(e, uri, "HeadObject");
        }
    }

    @Override
    public List<ObjectInfo> list(S3Uri prefix) {
        List<ObjectInfo> out = new ArrayList<>();
        try {
            // The paginator follows continuation tokens until the listing is complete.
            for (S3Object o : s3().listObjectsV2Paginator(b -> b.bucket(prefix.bucket()).prefix(prefix.key()).maxKeys(pageSize))
                    .contents()) {
                out.add(new ObjectInfo(S3Uri.of(prefix.bucket(), o.key()), o.size(), o.lastModified(), unquote(o.eTag())));
            }
        } catch (S3Exception e) {
            throw translate(e, prefix, "ListObjectsV2");
        }
        return out;
    }

    @Override
    public void delete(S3Uri uri) {
        try {
            s3().deleteObject(b -> b.bucket(uri.bucket()).key(uri.key()));
        } catch (S3Exception e) {
            throw translate(e, uri, "DeleteObject");
        }
    }

    @Override
    public void createBucketIfMissing(String bucket) {
        try {
            s3().headBucket(b -> b.bucket(bucket));
            return;
        } catch (S3Exception e) {
            if (e.statusCode() != 404) {
                throw translate(e, S3Uri.of(bucket, ""), "HeadBucket");
            }
        }
        try {
            s3().createBucket(b -> b.bucket(bucket));
        } catch (BucketAlreadyOwnedByYouException raced) {
            // Someone created it between our HEAD and CREATE: that is the state we wanted.
        } catch (S3Exception e) {
            throw translate(e, S3Uri.of(bucket, ""), "CreateBucket");
        }
    }

    @Override
    public void close() {
        S3Client c;
        synchronized (this) {
            c = s3;
        }
        if (ownsClient && c != null) c.close();
    }

    static StorageException translate(S3Exception e, S3Uri uri, String operation) {
        String code = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
        if (e instanceof NoSuchBucketException || "NoSuchBucket".equals(code)) {
            return new BucketNotFoundException(uri.bucket(), uri.key().isEmpty() ? null : uri.key());
        }
        if (e instanceof NoSuchKeyException || "NoSuchKey".equals(code)) {
            return new ObjectNotFoundException(uri.bucket(), uri.key());
        }
        return new StorageException(operation + " " + uri + " failed: " + e.getMessage(), e);
    }

    private static String unquote(String eTag) {
        return eTag != null && eTag.length() >= 2 && eTag.startsWith("\"") && eTag.endsWith("\"")
                ? eTag.substring(1, eTag.length() - 1) : eTag;
    }

    private static void deleteQuietly(Path p) {
        if (p != null) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException ignored) {
                // best effort: the temp file is hidden and named .part
            }
        }
    }
}
