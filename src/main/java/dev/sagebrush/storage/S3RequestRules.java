package dev.sagebrush.storage;

import io.undertow.server.HttpServerExchange;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Requests the front door answers itself, with S3's error, because s3proxy's filesystem store would fail on them with
 * a 500: bucket names S3 does not allow, object keys longer than S3 allows or than a file name can be, and multipart
 * calls without an object key.
 * Found by the hostile-input fuzzer (bench/fuzz).
 */
final class S3RequestRules {
    /** S3's own limit on a key, in UTF-8 bytes. */
    static final int MAX_KEY_BYTES = 1024;
    /** The filesystem store keeps each '/'-separated part of a key as a file or directory name. */
    static final int MAX_SEGMENT_BYTES = 255;

    /** S3's bucket naming rules (3-63 of a-z 0-9 . -, alphanumeric at both ends, no ".."). */
    private static final Pattern BUCKET = Pattern.compile("(?!.*\\.\\.)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");

    /** An S3 error to answer instead of proxying. */
    record Refusal(int status, String code, String message) {}

    private S3RequestRules() {}

    static Refusal check(HttpServerExchange exchange) {
        String path = exchange.getRequestPath(); // decoded: /bucket/key
        int slash = path.indexOf('/', 1);
        String key = slash < 0 ? "" : path.substring(slash + 1);
        String bucket = slash < 0 ? path.substring(1) : path.substring(1, slash);
        if (!bucket.isEmpty() && !BUCKET.matcher(bucket).matches()) {
            return new Refusal(400, "InvalidBucketName", "The specified bucket is not valid.");
        }
        Map<String, ?> query = exchange.getQueryParameters();
        if (key.isEmpty() && exchange.getRequestMethod().equalToString("POST")
                && (query.containsKey("uploads") || query.containsKey("uploadId"))) {
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
