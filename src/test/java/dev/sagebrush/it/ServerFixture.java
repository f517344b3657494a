package dev.sagebrush.it;

import dev.sagebrush.Sagebrush;
import dev.sagebrush.config.Config;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.function.UnaryOperator;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.retry.RetryMode;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sagemaker.SageMakerClient;

/** A real Sagebrush on an ephemeral port with a temporary data directory, and real AWS SDK clients for it. */
public final class ServerFixture implements AutoCloseable {
    public final Path dataDir;
    public final Sagebrush server;
    public final URI endpoint;

    private ServerFixture(Path dataDir, Sagebrush server) {
        this.dataDir = dataDir;
        this.server = server;
        this.endpoint = URI.create(server.endpoint());
    }

    public static ServerFixture start() {
        return start(c -> c);
    }

    public static ServerFixture start(UnaryOperator<Config> customize) {
        try {
            Path dir = Files.createTempDirectory("sagebrush-it");
            return new ServerFixture(dir, Sagebrush.start(customize.apply(Config.defaults(dir).withPort(0))));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public SageMakerClient sagemaker() {
        return sagemaker("test", "test", Region.US_EAST_1);
    }

    public SageMakerClient sagemaker(String accessKey, String secret, Region region) {
        return SageMakerClient.builder()
                .endpointOverride(endpoint)
                .region(region)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKey, secret)))
                .httpClientBuilder(Apache5HttpClient.builder())
                .overrideConfiguration(o -> o.retryStrategy(RetryMode.STANDARD).retryStrategy(b -> b.maxAttempts(1)))
                .build();
    }

    public S3Client s3() {
        return s3("test", "test");
    }

    /** An S3 client with another account's key: each account reaches only its own buckets. */
    public S3Client s3(String accessKey, String secret) {
        return S3Client.builder()
                .endpointOverride(endpoint)
                .region(Region.US_EAST_1)
                .forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKey, secret)))
                .httpClientBuilder(Apache5HttpClient.builder())
                .build();
    }

    @Override
    public void close() {
        server.close();
        try (var walk = Files.walk(dataDir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temp dir left behind is harmless
        }
    }
}
