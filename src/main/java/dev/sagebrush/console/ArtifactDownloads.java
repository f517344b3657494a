package dev.sagebrush.console;

import dev.sagebrush.auth.Account;
import dev.sagebrush.errors.AwsException;
import dev.sagebrush.protocol.RequestContext;
import dev.sagebrush.storage.S3Uri;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.regex.Pattern;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * A job's output artifact, for the signed-in account: the job is looked up with the same Describe the API answers
 * (so another account's job is simply not found), and the browser is sent to a 5-minute presigned S3 URL for the
 * artifact, signed with the session's own access key. The bytes come from the public S3 API like any client's
 * download; the console only does the signing the browser cannot do without the secret key.
 */
final class ArtifactDownloads {
    private static final Pattern JOB_NAME = Pattern.compile("[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}");
    static final Duration VALIDITY = Duration.ofMinutes(5);

    /** By job kind ({@code compilation}, {@code training}): the S3 URI of the job's artifact, once it has one. */
    private final Map<String, BiFunction<RequestContext, String, Optional<String>>> locators;

    ArtifactDownloads(Map<String, BiFunction<RequestContext, String, Optional<String>>> locators) {
        this.locators = Map.copyOf(locators);
    }

    private static String fileName(String key) {
        String last = key.substring(key.lastIndexOf('/') + 1);
        return last.replaceAll("[^A-Za-z0-9._-]", "_");
    }

    /** The presigned URL of the artifact; an AwsException saying why when there is none. */
    URI presign(RequestContext ctx, Account account, String kind, String name, String endpoint) {
        var locator = kind == null ? null : locators.get(kind);
        if (locator == null || name == null || !JOB_NAME.matcher(name).matches()) {
            throw AwsException.validation("Give kind (" + String.join(", ", locators.keySet()) + ") and a job name.");
        }
        String uri = locator.apply(ctx, name).orElseThrow(() -> AwsException.validation(
                "Job " + name + " has no model artifact (yet)."));
        S3Uri s3 = S3Uri.parse(uri);
        try (S3Presigner presigner = S3Presigner.builder()
                .endpointOverride(URI.create(endpoint))
                .region(Region.of(ctx.region()))
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(account.accessKeyId(), account.secretAccessKey())))
                .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(true).build())
                .build()) {
            return URI.create(presigner.presignGetObject(p -> p.signatureDuration(VALIDITY)
                    .getObjectRequest(g -> g.bucket(s3.bucket()).key(s3.key())
                            .responseContentDisposition("attachment; filename=\"" + fileName(s3.key()) + "\""))).url().toString());
        }
    }
}
