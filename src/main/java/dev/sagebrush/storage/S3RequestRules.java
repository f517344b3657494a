package dev.sagebrush.storage;

import io.undertow.server.HttpServerExchange;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * Requests the front door answers itself, with S3's error, because s3proxy's filesystem store would fail on them with
 * a 500: bucket names S3 does not allow, object keys longer than S3 allows or than a file name can be, and multipart
 * calls without an object key (in the request's path and in an {@code x-amz-copy-source}).
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
