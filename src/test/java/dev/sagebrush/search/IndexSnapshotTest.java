package dev.sagebrush.search;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sagebrush.protocol.JsonCodec;
import dev.sagebrush.protocol.RequestContext;
import dev.sagebrush.store.ChangeFollower;
import dev.sagebrush.store.ResourceKey;
import dev.sagebrush.store.SqliteResourceStore;
import dev.sagebrush.training.TrainingJobs;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.sagemaker.model.CreateTrainingJobRequest;
import software.amazon.awssdk.services.sagemaker.model.SearchRequest;
import software.amazon.awssdk.services.sagemaker.model.StopTrainingJobRequest;

/**
 * The Search index snapshot on a real SQLite store: a restart reads it back and then follows the feed to the same
 * answers as a load from the store, with writes made while the server was down; a snapshot of another database, an
 * older one after a restore, or a damaged file is refused and the index is loaded from the store.
 */
class IndexSnapshotTest {
    private static final byte[] KEY = TestJobs.KEY;
    private final JsonCodec codec = new JsonCodec();

    @Test
    void aRestartReadsTheSnapshotAndCatchesUpToTheSameAnswers(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("search.snapshot");
        try (SqliteResourceStore store = new SqliteResourceStore(dir.resolve("db.sqlite"))) {
            TrainingJobs jobs = new TrainingJobs(store, codec, () -> { });
            for (int i = 0; i < 40; i++) create(jobs, "job-" + i, i);
            try (Searches first = new Searches(store, codec, KEY, file);
                 ChangeFollower f = new ChangeFollower(store, first.loadedAt(), Duration.ofMillis(50))) {
                assertThat(first.loadedFromSnapshot()).isFalse();
                first.follow(f);
                f.start();
                for (int i = 40; i < 50; i++) create(jobs, "job-" + i, i);
                jobs.stop(ctx(), StopTrainingJobRequest.builder().trainingJobName("job-3").build());
                store.putTags(ctx().arn(TrainingJobs.KIND, "job-4"), Map.of("team", "late"));
                f.catchUp();
            } // closing writes the snapshot
            assertThat(file).exists();
            // while "down": more writes the snapshot has not seen
            create(jobs, "job-50", 50);
            jobs.stop(ctx(), StopTrainingJobRequest.builder().trainingJobName("job-5").build());
            ResourceKey gone = new ResourceKey("000000000000", "us-east-1", TrainingJobs.KIND, "job-6");
            store.delete(gone, store.get(gone).orElseThrow().version());

            try (Searches again = new Searches(store, codec, KEY, file);
                 ChangeFollower f = new ChangeFollower(store, again.loadedAt(), Duration.ofMillis(50));
                 Searches fresh = new Searches(store, codec, KEY, null)) {
                assertThat(again.loadedFromSnapshot()).isTrue();
                again.follow(f);
                f.catchUp();
                for (SearchRequest r : requests()) {
                    assertThat(new String(again.searchWire(ctx(), r).json(), StandardCharsets.UTF_8))
                            .isEqualTo(new String(fresh.searchWire(ctx(), r).json(), StandardCharsets.UTF_8));
                }
                assertThat(new String(again.searchWire(ctx(), requests().get(0)).json(), StandardCharsets.UTF_8))
                        .contains("\"Value\":50,").doesNotContain("job-6\"");
            }
        }
    }

    @Test
    void aSnapshotThatDisagreesWithTheStoreIsNotUsed(@TempDir Path dir) throws Exception {
        Path snapshotOfA = dir.resolve("a.snapshot");
        try (SqliteResourceStore a = new SqliteResourceStore(dir.resolve("a.sqlite"))) {
            TrainingJobs jobs = new TrainingJobs(a, codec, () -> { });
            for (int i = 0; i < 5; i++) create(jobs, "a-" + i, i);
            new Searches(a, codec, KEY, snapshotOfA).close();
        }
        // another database with as many writes: the same head, other jobs
        assertThat(loadsFromSnapshot(dir, "b.sqlite", 5, Files.readAllBytes(snapshotOfA))).isFalse();
        // a database behind the snapshot (as after restoring an older backup)
        assertThat(loadsFromSnapshot(dir, "c.sqlite", 1, Files.readAllBytes(snapshotOfA))).isFalse();
        // a damaged file
        byte[] damaged = Files.readAllBytes(snapshotOfA);
        damaged[damaged.length / 2] ^= 1;
        assertThat(loadsFromSnapshot(dir, "a.sqlite", 0, damaged)).isFalse();
        assertThat(loadsFromSnapshot(dir, "a.sqlite", 0, Arrays.copyOf(damaged, 100))).isFalse();
        // and the intact one is used
        assertThat(loadsFromSnapshot(dir, "a.sqlite", 0, Files.readAllBytes(snapshotOfA))).isTrue();
    }

    /** Creates {@code jobs} jobs in the database, then loads its index with a copy of {@code snapshot}. */
    private boolean loadsFromSnapshot(Path dir, String db, int jobs, byte[] snapshot) throws Exception {
        Path copy = Files.write(dir.resolve("copy.snapshot"), snapshot);
        try (SqliteResourceStore store = new SqliteResourceStore(dir.resolve(db))) {
            TrainingJobs api = new TrainingJobs(store, codec, () -> { });
            for (int i = 0; i < jobs; i++) create(api, db + "-" + i, i);
            try (Searches s = new Searches(store, codec, KEY, copy)) {
                assertThat(s.search(ctx(), requests().get(0)).totalHits().value()).isEqualTo(store.feedPositions(
                        TrainingJobs.KIND).size());
                return s.loadedFromSnapshot();
            }
        }
    }

    private static List<SearchRequest> requests() {
        List<SearchRequest> out = new ArrayList<>();
        out.add(SearchRequest.builder().resource("TrainingJob").maxResults(100).build());
        out.add(TestJobs.request(TestJobs.and(TestJobs.filter("Tags.team", "Equals", "late"))));
        out.add(TestJobs.request(TestJobs.and(TestJobs.filter("TrainingJobStatus", "Equals", "Stopping")))
                .toBuilder().sortBy("TrainingJobName").sortOrder("Ascending").build());
        out.add(TestJobs.request(TestJobs.and(TestJobs.filter("InputDataConfig.DataSource.S3DataSource.S3Uri",
                "Contains", "/7/"))).toBuilder().maxResults(3).build());
        out.add(TestJobs.request(TestJobs.and(TestJobs.filter("HyperParameters.eta", "GreaterThan", "0.2"))));
        return out;
    }

    private void create(TrainingJobs jobs, String name, int i) {
        String body = "{\"TrainingJobName\":\"" + name + "\",\"RoleArn\":\"arn:aws:iam::000000000000:role/R\","
                + "\"AlgorithmSpecification\":{\"TrainingImage\":\"img:1\",\"TrainingInputMode\":\"File\"},"
                + "\"HyperParameters\":{\"eta\":\"0." + (i % 5) + "\"},\"InputDataConfig\":[{\"ChannelName\":\"train\","
                + "\"DataSource\":{\"S3DataSource\":{\"S3DataType\":\"S3Prefix\",\"S3Uri\":\"s3://d/" + (i % 10)
                + "/\"}}}],\"OutputDataConfig\":{\"S3OutputPath\":\"s3://out/\"},\"ResourceConfig\":{\"InstanceType\":"
                + "\"ml.m5.large\",\"InstanceCount\":1,\"VolumeSizeInGB\":10},\"StoppingCondition\":"
                + "{\"MaxRuntimeInSeconds\":3600},\"Tags\":[{\"Key\":\"team\",\"Value\":\"t" + (i % 3) + "\"}]}";
        jobs.create(ctx(), codec.decode(body.getBytes(StandardCharsets.UTF_8), CreateTrainingJobRequest.builder()));
    }

    private static RequestContext ctx() {
        return new RequestContext("000000000000", "us-east-1", "test", "r", Instant.now());
    }
}
