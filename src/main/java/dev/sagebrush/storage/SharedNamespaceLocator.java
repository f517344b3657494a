package dev.sagebrush.storage;

import java.util.Optional;
import java.util.function.Function;
import org.gaul.s3proxy.AccessGrant;
import org.gaul.s3proxy.BlobStoreLocator;
import org.gaul.s3proxy.blobstore.BlobStore;

/**
 * s3proxy's hook for multi-identity authentication. For every signed request s3proxy calls
 * {@link #locateBlobStore(String, String, String)} with the request's access key id; we answer with the secret to
 * verify the signature against and the blob store to serve from, or null, which s3proxy turns into
 * 403 InvalidAccessKeyId. A wrong secret is then s3proxy's own 403 SignatureDoesNotMatch. Temporary access keys are
 * answered with the secret {@link SessionTokenGate} left after checking their session token (briefly; see there).
 *
 * <p>Every identity gets the same blob store: the embedded S3 is one namespace for the whole server, like one
 * S3 "partition" shared by all accounts. Per-account isolation would need bucket policies we do not model.
 */
final class SharedNamespaceLocator implements BlobStoreLocator {
    private final S3Credentials service;
    private final Function<String, Optional<String>> accountSecrets;
    private final Function<String, Optional<String>> temporarySecrets;
    private final BlobStore blobStore;

    SharedNamespaceLocator(S3Credentials service, Function<String, Optional<String>> accountSecrets,
                           Function<String, Optional<String>> temporarySecrets, BlobStore blobStore) {
        this.service = service;
        this.accountSecrets = accountSecrets;
        this.temporarySecrets = temporarySecrets;
        this.blobStore = blobStore;
    }

    @Override
    public AccessGrant locateBlobStore(String identity, String container, String blob) {
        if (identity == null) {
            return null; // anonymous access is never granted
        }
        if (identity.equals(service.accessKeyId())) {
            return new AccessGrant(service.secretAccessKey(), blobStore);
        }
        // Looked up per request, so keys added or revoked while the server runs take effect at once.
        Optional<String> secret = accountSecrets.apply(identity);
        if (secret == null || secret.isEmpty()) secret = temporarySecrets.apply(identity);
        return secret.isEmpty() ? null : new AccessGrant(secret.get(), blobStore);
    }
}
