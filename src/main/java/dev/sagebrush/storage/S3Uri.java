package dev.sagebrush.storage;

import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An S3 location as SageMaker accepts it in its S3Uri fields: {@code s3://bucket/key} or an https URL.
 *
 * <p>Parsing is deliberately as lenient as SageMaker's own constraint ({@code ^(https|s3)://([^/]+)/?(.*)$}): a
 * stricter parser would reject requests that SageMaker accepts and fails later with a ClientError. The key may be
 * empty (a bucket-wide prefix). Two https shapes are understood: virtual-hosted AWS URLs
 * ({@code https://bucket.s3.us-east-1.amazonaws.com/key}) take the bucket from the host; every other host is
 * path-style ({@code https://host/bucket/key}), which is how a self-hosted endpoint is addressed.
 *
 * <p>Keys are S3 keys, not paths: {@code ..} is a legal key segment. It only becomes dangerous where a key is written
 * or mapped onto a file system, so {@link #requireWritable()} is the check callers use before writing.
 */
public record S3Uri(String bucket, String key) {
    private static final Pattern SAGEMAKER_S3_URI = Pattern.compile("^(https|s3)://([^/]+)/?(.*)$", Pattern.DOTALL);
    private static final Pattern VIRTUAL_HOSTED =
            Pattern.compile("^(.+)\\.s3(?:[.-][a-z0-9-]+)*\\.amazonaws\\.com(?:\\.cn)?(?::\\d+)?$");

    public S3Uri {
        Objects.requireNonNull(bucket, "bucket");
        Objects.requireNonNull(key, "key");
        if (bucket.isEmpty() || bucket.contains("/")) {
            throw new IllegalArgumentException("Invalid S3 bucket name '" + bucket + "'");
        }
        // NUL never names a real object and truncates paths in native code; refuse it everywhere.
        if (bucket.indexOf('\0') >= 0 || key.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("S3 URI contains a NUL character");
        }
    }

    public static S3Uri of(String bucket, String key) {
        return new S3Uri(bucket, key);
    }

    /** Parses {@code s3://bucket/key} or {@code https://host/bucket/key}; throws IllegalArgumentException otherwise. */
    public static S3Uri parse(String uri) {
        Objects.requireNonNull(uri, "uri");
        Matcher m = SAGEMAKER_S3_URI.matcher(uri);
        if (!m.matches()) {
            throw new IllegalArgumentException("Invalid S3 URI '" + uri + "': expected s3://bucket/key or https://host/bucket/key");
        }
        String scheme = m.group(1), host = m.group(2), rest = m.group(3);
        if (scheme.equals("s3")) {
            return new S3Uri(host, rest);
        }
        Matcher vh = VIRTUAL_HOSTED.matcher(host);
        if (vh.matches()) {
            return new S3Uri(vh.group(1), rest);
        }
        int slash = rest.indexOf('/');
        String bucket = slash < 0 ? rest : rest.substring(0, slash);
        if (bucket.isEmpty()) {
            throw new IllegalArgumentException("Invalid S3 URI '" + uri + "': no bucket in the path of an https URL");
        }
        return new S3Uri(bucket, slash < 0 ? "" : rest.substring(slash + 1));
    }

    /** This location with {@code child} appended after exactly one '/'; {@code s3://b/a/} and {@code s3://b/a} agree. */
    public S3Uri resolve(String child) {
        Objects.requireNonNull(child, "child");
        if (child.startsWith("/")) {
            throw new IllegalArgumentException("Child key '" + child + "' must be relative");
        }
        if (child.isEmpty()) {
            return this;
        }
        String joined = key.isEmpty() || key.endsWith("/") ? key + child : key + "/" + child;
        return new S3Uri(bucket, joined);
    }

    /** The key as a prefix (ending in '/' unless empty), for listing "directory" contents. */
    public S3Uri asPrefix() {
        return key.isEmpty() || key.endsWith("/") ? this : new S3Uri(bucket, key + "/");
    }

    /**
     * Returns this URI if its key is safe to write to, otherwise throws IllegalArgumentException. Unsafe: an empty
     * key, or a {@code .} / {@code ..} segment, which a file-system-backed store (ours is one) or a later download
     * into a directory could resolve outside where the caller meant.
     */
    public S3Uri requireWritable() {
        if (key.isEmpty()) {
            throw new IllegalArgumentException("S3 URI " + this + " has no object key to write to");
        }
        for (String segment : key.split("/", -1)) {
            if (segment.equals("..") || segment.equals(".")) {
                throw new IllegalArgumentException("S3 key '" + key + "' contains a '" + segment + "' segment");
            }
        }
        return this;
    }

    @Override
    public String toString() {
        return "s3://" + bucket + "/" + key;
    }
}
