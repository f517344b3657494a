package dev.sagebrush.auth;

import java.util.regex.Pattern;

/**
 * What a region name may look like: the union of the {@code regionRegex} of every AWS partition in the SDKs' endpoint
 * metadata (aws, aws-cn, aws-us-gov, aws-iso, aws-iso-b, aws-iso-e, aws-iso-f), e.g. {@code us-east-1},
 * {@code cn-north-1}, {@code us-gov-west-1}, {@code us-isob-east-1}. The region comes from the client's signing scope
 * and ends up in directory names and ARNs, so nothing else ({@code ..}, {@code us-east-1:222222222222}, slashes)
 * may pass. AWS answers a request scoped to a region that does not exist with InvalidSignatureException
 * "Credential should be scoped to a valid region."
 */
public final class Regions {
    private static final Pattern REGION = Pattern.compile(
            "(?:us|eu|ap|sa|ca|me|af|il|mx|cn)-[a-z]+-\\d{1,2}"
                    + "|us-(?:gov|iso|isob|isof)-[a-z]+-\\d{1,2}"
                    + "|eu-isoe-[a-z]+-\\d{1,2}");

    private Regions() {}

    /** Names already matched: the pattern runs once per distinct region, not once per request. */
    private static final java.util.Set<String> VALID = java.util.concurrent.ConcurrentHashMap.newKeySet();

    public static boolean isValid(String region) {
        if (region == null || region.length() > 32) return false;
        if (VALID.contains(region)) return true;
        boolean valid = REGION.matcher(region).matches();
        if (valid && VALID.size() < 1024) VALID.add(region); // bounded: there are a few dozen real regions
        return valid;
    }
}
