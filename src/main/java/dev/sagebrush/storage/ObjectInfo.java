package dev.sagebrush.storage;

import java.time.Instant;

/** What HeadObject / ListObjectsV2 tell about one object. {@code eTag} is S3's, without the surrounding quotes. */
public record ObjectInfo(S3Uri uri, long size, Instant lastModified, String eTag) {
}
