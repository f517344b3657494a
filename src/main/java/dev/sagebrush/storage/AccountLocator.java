package dev.sagebrush.storage;

import dev.sagebrush.auth.Account;
import java.util.Optional;
import java.util.function.Function;
import org.gaul.s3proxy.AccessGrant;
import org.gaul.s3proxy.BlobStoreLocator;
import org.gaul.s3proxy.blobstore.BlobStore;

/**
 * s3proxy's hook for multi-identity authentication. For every signed request (on the front door and on s3proxy's
 * own loopback port alike) s3proxy calls {@link #locateBlobStore(String, String, String)} with the request's access
 * key id; we answer with the secret to verify the signature against and the blob store to serve from, or null, which
 * s3proxy turns into 403 InvalidAccessKeyId. A wrong secret is then s3proxy's own 403 SignatureDoesNotMatch.
 * Temporary access keys are answered with what {@link SessionTokenGate} left after checking their session token
 * (briefly; see there).
 *
 * <p>An account's key gets the store as its account sees it, {@link AccountBlobStore}: its own buckets only. The
 * server's own key (the per-start service key, known to this JVM alone) gets the whole store; the server checks
 * what it does on an account's behalf itself ({@link AccountStorage}).
 */
final class AccountLocator implements BlobStoreLocator {
    private final S3Credentials service;
    private final Function<String, Optional<Account>> accountKeys;
    private final Function<String, Optional<Account>> temporaryKeys;
    private final BlobStore blobStore;
    private final BucketOwners owners;

    AccountLocator(S3Credentials service, Function<String, Optional<Account>> accountKeys,
                   Function<String, Optional<Account>> temporaryKeys, BlobStore blobStore, BucketOwners owners) {
        this.service = service;
        this.accountKeys = accountKeys;
        this.temporaryKeys = temporaryKeys;
        this.blobStore = blobStore;
        this.owners = owners;
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
        Optional<Account> account = accountKeys.apply(identity);
        if (account == null || account.isEmpty()) account = temporaryKeys.apply(identity);
        return account.map(a -> new AccessGrant(a.secretAccessKey(), new AccountBlobStore(blobStore, owners,
                a.accountId()))).orElse(null);
    }
}
