package dev.sagebrush.storage;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.HeaderValues;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Requests the front door answers itself, with S3's error, because s3proxy's filesystem store would fail on them with
 * a 500: bucket names S3 does not allow, object keys longer than S3 allows or than a file name can be, and multipart
 * calls without an object key (in the request's path and in an {@code x-amz-copy-source}).
 * Found by the hostile-input fuzzer (bench/fuzz).
 *
 * <p>And the {@code x-amz-*} headers s3proxy does not implement, answered as s3proxy answers them (501
 * NotImplemented) so that no feature a client asks for is silently ignored. s3proxy's own check of them is off
 * because its list lacks {@code x-amz-security-token}, the header of temporary credentials (checked by
 * {@link SessionTokenGate}).
 */
final class S3RequestRules {
    /** S3's own limit on a key, in UTF-8 bytes. */
    static final int MAX_KEY_BYTES = 1024;
    /** The filesystem store keeps each '/'-separated part of a key as a file or directory name. */
    static final int MAX_SEGMENT_BYTES = 255;

    /** S3's bucket naming rules (3-63 of a-z 0-9 . -, alphanumeric at both ends, no ".."). */
    private static final Pattern BUCKET = Pattern.compile("(?!.*\\.\\.)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");

    /** s3proxy 4.1.0's S3ProxyHandler.SUPPORTED_X_AMZ_HEADERS, and the session token. */
    static final Set<String> SUPPORTED_X_AMZ_HEADERS = Set.of("x-amz-acl", "x-amz-api-version",
            "x-amz-bucket-object-lock-enabled", "x-amz-checksum-algorithm", "x-amz-checksum-crc32",
            "x-amz-checksum-crc32c", "x-amz-checksum-crc64nvme", "x-amz-checksum-mode", "x-amz-checksum-sha1",
            "x-amz-checksum-sha256", "x-amz-checksum-type", "x-amz-content-sha256", "x-amz-copy-source",
            "x-amz-copy-source-if-match", "x-amz-copy-source-if-modified-since", "x-amz-copy-source-if-none-match",
            "x-amz-copy-source-if-unmodified-since", "x-amz-copy-source-range",
            "x-amz-copy-source-server-side-encryption-customer-algorithm",
            "x-amz-copy-source-server-side-encryption-customer-key",
            "x-amz-copy-source-server-side-encryption-customer-key-md5", "x-amz-date", "x-amz-decoded-content-length",
            "x-amz-if-match-last-modified-time", "x-amz-if-match-size", "x-amz-metadata-directive", "x-amz-mfa",
            "x-amz-object-attributes", "x-amz-sdk-checksum-algorithm", "x-amz-server-side-encryption",
            "x-amz-server-side-encryption-aws-kms-key-id", "x-amz-server-side-encryption-bucket-key-enabled",
            "x-amz-server-side-encryption-context", "x-amz-server-side-encryption-customer-algorithm",
            "x-amz-server-side-encryption-customer-key", "x-amz-server-side-encryption-customer-key-md5",
            "x-amz-storage-class", "x-amz-trailer", "x-amz-te", "x-amz-user-agent",
            "x-amz-security-token");

    /** An S3 error to answer instead of proxying. */
    record Refusal(int status, String code, String message) {}

    private S3RequestRules() {}

    /** S3's naming rules for a bucket; a name that passes is also a safe single file name. */
    static boolean isValidBucketName(String bucket) {
        return bucket != null && BUCKET.matcher(bucket).matches();
    }

    static Refusal check(HttpServerExchange exchange) {
        Refusal header = checkHeaders(exchange);
        if (header != null) return header;
        Refusal target = checkPath(exchange, exchange.getRequestPath()); // decoded: /bucket/key
        if (target != null) return target;
        // CopyObject / UploadPartCopy name a second object: the same rules hold for it.
        String source = exchange.getRequestHeaders().getFirst("x-amz-copy-source");
        if (source != null) {
            int q = source.indexOf('?'); // ?versionId=...
            String decoded;
            try {
                decoded = URLDecoder.decode(q < 0 ? source : source.substring(0, q), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                return new Refusal(400, "InvalidArgument", "Invalid copy source encoding");
            }
            Refusal copy = checkPath(null, decoded.startsWith("/") ? decoded : "/" + decoded);
            if (copy != null) return copy;
        }
        return null;
    }

    private static Refusal checkHeaders(HttpServerExchange exchange) {
        for (HeaderValues h : exchange.getRequestHeaders()) {
            String name = h.getHeaderName().toString().toLowerCase(Locale.ROOT);
            if (name.startsWith("x-amz-") && !name.startsWith("x-amz-meta-") && !SUPPORTED_X_AMZ_HEADERS.contains(name)) {
                return new Refusal(501, "NotImplemented", "A header you provided implies functionality that is not "
                        + "implemented.");
            }
        }
        return null;
    }

    private static Refusal checkPath(HttpServerExchange exchange, String path) {
        int slash = path.indexOf('/', 1);
        String key = slash < 0 ? "" : path.substring(slash + 1);
        String bucket = slash < 0 ? path.substring(1) : path.substring(1, slash);
        if (!bucket.isEmpty() && !BUCKET.matcher(bucket).matches()) {
            return new Refusal(400, "InvalidBucketName", "The specified bucket is not valid.");
        }
        if (exchange != null && key.isEmpty() && exchange.getRequestMethod().equalToString("POST")
                && (exchange.getQueryParameters().containsKey("uploads")
                    || exchange.getQueryParameters().containsKey("uploadId"))) {
            return new Refusal(400, "InvalidRequest", "A multipart upload needs an object key: POST /bucket/key?uploads");
        }
        if (key.getBytes(StandardCharsets.UTF_8).length > MAX_KEY_BYTES) {
            return new Refusal(400, "KeyTooLongError", "Your key is too long");
        }
        for (String segment : key.split("/")) {
            if (segment.getBytes(StandardCharsets.UTF_8).length > MAX_SEGMENT_BYTES) {
                return new Refusal(400, "KeyTooLongError", "Your key is too long: the embedded S3 stores each "
                        + "'/'-separated part of a key as a file name, at most " + MAX_SEGMENT_BYTES + " bytes");
            }
        }
        return null;
    }
}
