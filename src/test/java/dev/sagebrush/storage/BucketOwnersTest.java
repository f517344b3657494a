package dev.sagebrush.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sagebrush.storage.BucketOwners.Access;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The ownership rule and its records on disk, with the bucket directories made as the filesystem store makes them. */
class BucketOwnersTest {
    static final String A = "111111111111";
    static final String B = "222222222222";

    @TempDir
    Path dataDir;
    Path buckets;
    Path ownersDir;
    BucketOwners owners;

    @BeforeEach
    void setUp() throws Exception {
        buckets = Files.createDirectories(dataDir.resolve("s3"));
        ownersDir = dataDir.resolve("s3-owners");
        owners = new BucketOwners(buckets, ownersDir);
    }

    /** CreateBucket as the store does it: a directory. */
    private Optional<String> create(String account, String bucket) {
        return owners.create(account, bucket, () -> {
            try {
                Files.createDirectory(buckets.resolve(bucket));
                return "created";
            } catch (java.nio.file.FileAlreadyExistsException e) {
                return "BucketAlreadyOwnedByYou";
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    @Test
    void theCreatorOwnsTheBucketAndNobodyElseReachesIt() throws Exception {
        assertThat(create(A, "models")).contains("created");
        assertThat(owners.access(A, "models")).isEqualTo(Access.OWNER);
        assertThat(owners.access(B, "models")).isEqualTo(Access.DENIED);
        assertThat(owners.access(B, "nothing-here")).isEqualTo(Access.NO_SUCH_BUCKET);
        assertThat(create(B, "models")).isEmpty(); // BucketAlreadyExists: the creator never ran
        assertThat(create(A, "models")).contains("BucketAlreadyOwnedByYou");
        assertThat(ownersDir.resolve("models")).hasContent(A);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(ownersDir))).isEqualTo("rwx------");
    }

    @Test
    void anOwnerLeftByACrashBeforeTheBucketExistedGrantsNothingAndIsReplaced() throws Exception {
        // kill -9 after the owner was recorded and before the store made the bucket: the owner file alone.
        Files.writeString(ownersDir.resolve("half-made"), A + "\n");
        assertThat(owners.access(B, "half-made")).isEqualTo(Access.NO_SUCH_BUCKET);
        assertThat(create(B, "half-made")).contains("created");
        assertThat(owners.owner("half-made")).contains(B);
        assertThat(owners.access(A, "half-made")).isEqualTo(Access.DENIED);
    }

    @Test
    void aFailedCreateLeavesNoOwnerBehind() {
        assertThatThrownBy(() -> owners.create(A, "refused", () -> {
            throw new IllegalStateException("the store said no");
        })).hasMessage("the store said no");
        assertThat(owners.owner("refused")).isEmpty();
        assertThat(ownersDir.resolve("refused")).doesNotExist();
    }

    @Test
    void deletingForgetsTheOwnerOnlyOnceTheBucketIsGone() throws Exception {
        create(A, "temp");
        assertThatThrownBy(() -> owners.delete("temp", () -> {
            throw new IllegalStateException("BucketNotEmpty");
        })).hasMessage("BucketNotEmpty");
        assertThat(owners.owner("temp")).contains(A);
        owners.delete("temp", () -> buckets.resolve("temp").toFile().delete());
        assertThat(owners.owner("temp")).isEmpty();
        assertThat(create(B, "temp")).contains("created");
        assertThat(owners.access(B, "temp")).isEqualTo(Access.OWNER);
    }

    @Test
    void bucketsFromBeforeOwnershipAreAdoptedOnceByTheOperatorOrTheAccountTheirNameSays() throws Exception {
        for (String b : List.of("legacy", "sagemaker-us-east-1-" + B, "sagemaker-eu-west-1-333333333333", ".hidden")) {
            Files.createDirectory(buckets.resolve(b));
        }
        create(B, "already-owned");
        owners.adoptOrphans(List.of(A, B));
        assertThat(owners.owner("legacy")).contains(A);
        assertThat(owners.owner("sagemaker-us-east-1-" + B)).contains(B);
        // An account without keys here cannot hold it: the operator's account does.
        assertThat(owners.owner("sagemaker-eu-west-1-333333333333")).contains(A);
        assertThat(owners.owner("already-owned")).contains(B);
        assertThat(ownersDir.resolve(".hidden")).doesNotExist();
        // An operator moves one by writing the account id into its file; it holds from the next request on.
        Files.writeString(ownersDir.resolve("legacy"), B + "\n");
        assertThat(owners.access(B, "legacy")).isEqualTo(Access.OWNER);
        owners.adoptOrphans(List.of(A, B));
        assertThat(owners.owner("legacy")).contains(B);
    }

    @Test
    void aMistypedOwnerFileRefusesEveryAccount() throws Exception {
        create(A, "typo");
        Files.writeString(ownersDir.resolve("typo"), "11111111111\n"); // 11 digits
        assertThat(owners.access(A, "typo")).isEqualTo(Access.DENIED);
        assertThat(owners.access(B, "typo")).isEqualTo(Access.DENIED);
        assertThat(create(B, "typo")).isEmpty();
    }

    @Test
    void namesThatAreNotBucketNamesNeverReachTheFileSystem() {
        for (String name : List.of("..", "../s3-owners", "a/b", "", "UPPER", "x")) {
            assertThat(owners.access(A, name)).as(name).isEqualTo(Access.NO_SUCH_BUCKET);
            assertThat(owners.owner(name)).as(name).isEmpty();
            assertThatThrownBy(() -> owners.create(A, name, () -> "created")).as(name)
                    .isInstanceOf(IllegalArgumentException.class);
        }
        assertThat(dataDir.resolve("x")).doesNotExist();
    }
}
