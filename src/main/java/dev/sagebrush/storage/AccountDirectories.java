package dev.sagebrush.storage;

import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * The directory of one account's data in one region, {@code <root>/<account>/<region>}, for the stores that keep it
 * in files (CloudWatch logs, CloudWatch metrics).
 */
public final class AccountDirectories {
    private static final Pattern ACCOUNT = Pattern.compile("[0-9]{12}");
    private static final Pattern REGION = Pattern.compile("[a-z0-9-]{1,32}");

    private AccountDirectories() {}

    /** @param store what the directory is for, named in the error ("log store") */
    public static Path of(Path root, String account, String region, String store) {
        // The account is 12 digits and the region what SigV4 verified against the scope; still, never let a name escape.
        if (!ACCOUNT.matcher(account).matches() || !REGION.matcher(region).matches()) {
            throw new IllegalArgumentException("invalid account or region for the " + store);
        }
        return root.resolve(account).resolve(region);
    }
}
