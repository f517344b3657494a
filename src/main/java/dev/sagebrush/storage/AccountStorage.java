package dev.sagebrush.storage;

import java.util.regex.Pattern;

/**
 * The object storage the server uses on an account's behalf: what a compilation or training job reads and writes goes
 * through {@link #forAccount}, so a job reaches exactly the buckets its account reaches with its own keys
 * ({@link BucketOwners}); another account's bucket is {@link AccessDeniedException}. This is the only way the server's
 * features get object storage.
 */
public final class AccountStorage implements AutoCloseable {
    private static final Pattern ACCOUNT = Pattern.compile("\\d{12}");

    private final S3ObjectStorage service;
    private final BucketOwners owners;

    AccountStorage(S3ObjectStorage service, BucketOwners owners) {
        this.service = service;
        this.owners = owners;
    }

    /** Storage as account {@code accountId} (12 digits) sees it. */
    public ObjectStorage forAccount(String accountId) {
        if (accountId == null || !ACCOUNT.matcher(accountId).matches()) {
            throw new IllegalArgumentException("not a 12-digit account id: " + accountId);
        }
        return new OwnerCheckedStorage(service, owners, accountId);
    }

    /** Storage as the account of a resource sees it, from the resource's ARN ({@code arn:aws:sagemaker:r:ACCOUNT:...}). */
    public ObjectStorage forResource(String arn) {
        String[] parts = arn == null ? new String[0] : arn.split(":", 6);
        if (parts.length < 6 || !"arn".equals(parts[0])) {
            throw new IllegalArgumentException("not an ARN: " + arn);
        }
        return forAccount(parts[4]);
    }

    @Override
    public void close() {
        service.close();
    }
}
