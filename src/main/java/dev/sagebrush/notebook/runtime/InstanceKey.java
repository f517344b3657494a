package dev.sagebrush.notebook.runtime;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Which notebook instance, as AWS scopes names: per account and region. Everything the runtime keeps per instance
 * (directories, the Unix user, the volume, the route, the origin) is keyed by this, so two accounts that pick the same
 * name get two instances that share nothing.
 *
 * <p>Checked here again although the API validated it, because every part becomes a path segment and a DNS label:
 * a region such as {@code ..} or {@code us-east-1:222222222222} must never reach a file name.
 */
public record InstanceKey(String account, String region, String name) {
    private static final Pattern ACCOUNT = Pattern.compile("\\d{12}");
    private static final Pattern REGION = Pattern.compile("[a-z]{2}(-[a-z]+)+-\\d{1,2}");
    private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}");

    public InstanceKey {
        if (account == null || !ACCOUNT.matcher(account).matches()) throw new IllegalArgumentException("bad account id");
        if (region == null || !REGION.matcher(region).matches()) throw new IllegalArgumentException("bad region: " + region);
        if (name == null || !NAME.matcher(name).matches()) throw new IllegalArgumentException("bad notebook instance name");
    }

    /**
     * The name as a DNS label and directory name: SageMaker names are unique per account and region ignoring case
     * (the ARN holds the lower-cased name), so lower-casing loses nothing.
     */
    public String label() {
        return name.toLowerCase(Locale.ROOT);
    }

    @Override
    public String toString() {
        return account + "/" + region + "/" + name;
    }
}
