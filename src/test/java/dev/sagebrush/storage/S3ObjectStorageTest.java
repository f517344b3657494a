package dev.sagebrush.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link S3ObjectStorage} against the embedded s3proxy, with the per-start service key. */
class S3ObjectStorageTest {
    @TempDir
    static Path dataDir;
    @TempDir
    Path work;
    static EmbeddedS3 s3;
    static S3ObjectStorage storage;

    @BeforeAll
    static void start() {
        QuietLogs.apply();
        s3 = EmbeddedS3.start(dataDir, List.of());
        storage = s3.openServiceStorage();
        storage.createBucketIfMissing("store-test");
    }

    @AfterAll
    static void stop() {
        if (storage != null) storage.close();
        if (s3 != null) s3.close();
    }

    @Test
    void uploadDownloadRoundTripStreamsFiles() throws Exception {
        byte[] data = new byte[3 * 1024 * 1024 + 17];
        new Random(7).nextBytes(data);
        Path src = Files.write(work.resolve("src.bin"), data);
        S3Uri uri = S3Uri.parse("s3://store-test/models/m.bin");
        storage.upload(src, uri);

        Path dest = work.resolve("nested/dir/copy.bin");
        storage.download(uri, dest);
        assertThat(Files.readAllBytes(dest)).isEqualTo(data);
        try (var s = Files.list(dest.getParent())) {
            assertThat(s).containsExactly(dest); // no .part leftovers
        }

        assertThat(storage.exists(uri)).isTrue();
        assertThat(storage.head(uri)).hasValueSatisfying(i -> {
            assertThat(i.size()).isEqualTo(data.length);
            assertThat(i.uri()).isEqualTo(uri);
            assertThat(i.eTag()).doesNotContain("\"").isNotBlank();
            assertThat(i.lastModified()).isNotNull();
        });
    }

    @Test
    void missingObjectAndBucketHaveDedicatedExceptions() {
        assertThatThrownBy(() -> storage.download(S3Uri.parse("s3://store-test/nope"), work.resolve("x")))
                .isExactlyInstanceOf(ObjectNotFoundException.class)
                .hasMessage("Object s3://store-test/nope does not exist")
                .satisfies(e -> assertThat(((ObjectNotFoundException) e).key()).isEqualTo("nope"));
        assertThat(work.resolve("x")).doesNotExist();

        assertThatThrownBy(() -> storage.download(S3Uri.parse("s3://no-such-bucket/k"), work.resolve("x")))
                .isInstanceOf(BucketNotFoundException.class).hasMessage("Bucket 'no-such-bucket' does not exist");
        assertThatThrownBy(() -> storage.list(S3Uri.parse("s3://no-such-bucket/")))
                .isInstanceOf(BucketNotFoundException.class);
        assertThatThrownBy(() -> storage.upload(Files.writeString(work.resolve("f"), "x"), S3Uri.parse("s3://no-such-bucket/k")))
                .isInstanceOf(BucketNotFoundException.class);

        assertThat(storage.head(S3Uri.parse("s3://store-test/nope"))).isEmpty();
        assertThat(storage.exists(S3Uri.parse("s3://no-such-bucket/nope"))).isFalse();
    }

    @Test
    void listReturnsEveryPage() throws Exception {
        storage.createBucketIfMissing("paging");
        Path f = Files.writeString(work.resolve("f"), "x");
        for (int i = 0; i < 7; i++) {
            storage.upload(f, S3Uri.of("paging", "p/" + i));
        }
        storage.upload(f, S3Uri.of("paging", "other/x"));
        try (var raw = S3ObjectStorage.newClient(s3.endpoint(), s3.serviceCredentials())) {
            // Pages of 2 keys: 7 objects take 4 ListObjectsV2 calls, all of which list() must follow.
            var listed = new S3ObjectStorage(raw, false, 2).list(S3Uri.parse("s3://paging/p/"));
            assertThat(listed).extracting(i -> i.uri().toString())
                    .containsExactly("s3://paging/p/0", "s3://paging/p/1", "s3://paging/p/2", "s3://paging/p/3",
                            "s3://paging/p/4", "s3://paging/p/5", "s3://paging/p/6");
            assertThat(listed).allSatisfy(i -> assertThat(i.size()).isEqualTo(1));
            assertThat(raw.listObjectsV2(b -> b.bucket("paging").prefix("p/").maxKeys(2)).isTruncated()).isTrue();
        }
        assertThat(storage.list(S3Uri.parse("s3://paging"))).hasSize(8);
    }

    @Test
    void deleteIsIdempotent() throws Exception {
        S3Uri uri = S3Uri.parse("s3://store-test/del/me");
        storage.upload(Files.writeString(work.resolve("d"), "x"), uri);
        storage.delete(uri);
        assertThat(storage.exists(uri)).isFalse();
        storage.delete(uri);
    }

    @Test
    void createBucketIfMissingIsIdempotent() {
        storage.createBucketIfMissing("twice");
        storage.createBucketIfMissing("twice");
        assertThat(storage.list(S3Uri.parse("s3://twice"))).isEmpty();
    }

    @Test
    void uploadRefusesUnsafeKeys() throws Exception {
        Path f = Files.writeString(work.resolve("u"), "x");
        assertThatThrownBy(() -> storage.upload(f, S3Uri.parse("s3://store-test/a/../../escape")))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
