package dev.sagebrush.storage;

import java.util.Objects;

/** An S3 access key pair. {@link #toString()} never prints the secret. */
public record S3Credentials(String accessKeyId, String secretAccessKey) {
    public S3Credentials {
        Objects.requireNonNull(accessKeyId, "accessKeyId");
        Objects.requireNonNull(secretAccessKey, "secretAccessKey");
    }

    @Override
    public String toString() {
        return "S3Credentials[accessKeyId=" + accessKeyId + ", secretAccessKey=***]";
    }
}
