package dev.sagebrush.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.sagemaker.SageMakerClient;
import software.amazon.awssdk.services.sagemaker.model.SearchRecord;
import software.amazon.awssdk.services.sagemaker.model.SearchResponse;

/**
 * The Search index's snapshot across restarts of a server process: written on a clean stop only; after a
 * {@code kill -9} the next start reads the last clean stop's snapshot (older than the store), checks it against the
 * change feed and applies every change made since, so Search answers exactly what the store holds. Without any
 * snapshot (a kill -9 before the first clean stop) the index is loaded from the store.
 */
class SearchSnapshotRestartIT {
    private static final List<String> API_ONLY = List.of("--compile-workers", "0", "--training-workers", "0",
            "--no-notebook-runtime");

    @TempDir Path dir;

    @Test
    void afterKill9TheServerStartsFromTheLastCleanSnapshotAndTheFeed() throws Exception {
        Path data = dir.resolve("data");
        Path snapshot = data.resolve("search").resolve("training-jobs.snapshot");
        Path log = dir.resolve("node.log");
        Map<String, String> expected = new HashMap<>();

        // 1. A first start, 12 jobs, then kill -9 before any clean stop: no snapshot exists.
        try (NodeProcess node = new NodeProcess("n", data, log, API_ONLY, Map.of()).start().awaitReady()) {
            create(node.sagemaker(), "a", 12, expected);
            node.kill9();
        }
        assertThat(snapshot).doesNotExist();

        // 2. Restart: loaded from the store; a clean stop writes the snapshot.
        try (NodeProcess node = new NodeProcess("n", data, log, API_ONLY, Map.of()).start().awaitReady()) {
            assertThat(searchAll(node.sagemaker())).isEqualTo(expected);
            create(node.sagemaker(), "b", 8, expected);
        } // SIGTERM: a clean stop
        assertThat(snapshot).exists();
        FileTime written = Files.getLastModifiedTime(snapshot);
        byte[] cleanSnapshot = Files.readAllBytes(snapshot);
        assertThat(Files.readString(log)).contains("Search index snapshot written");

        // 3. Start from that snapshot; change the store (new jobs, stopped jobs); kill -9: the snapshot is not rewritten.
        try (NodeProcess node = new NodeProcess("n", data, log, API_ONLY, Map.of()).start().awaitReady()) {
            assertThat(searchAll(node.sagemaker())).isEqualTo(expected);
            create(node.sagemaker(), "c", 10, expected);
            for (int i = 0; i < 4; i++) {
                String name = "a-" + i;
                node.sagemaker().stopTrainingJob(r -> r.trainingJobName(name));
                expected.put(name, "Stopping");
            }
            node.kill9();
        }
        assertThat(Files.getLastModifiedTime(snapshot)).isEqualTo(written);
        assertThat(Files.readAllBytes(snapshot)).isEqualTo(cleanSnapshot);

        // 4. Restart after the kill: the old snapshot checks out against the feed, the 14 changes since are applied.
        int before = countMatches(Files.readString(log), "loaded from the snapshot");
        try (NodeProcess node = new NodeProcess("n", data, log, API_ONLY, Map.of()).start().awaitReady()) {
            assertThat(countMatches(Files.readString(log), "loaded from the snapshot")).isEqualTo(before + 1);
            Map<String, String> found = searchAll(node.sagemaker());
            assertThat(found.keySet()).isEqualTo(expected.keySet());
            found.forEach((name, status) -> {
                if (expected.get(name).equals("Stopping")) {
                    assertThat(status).as(name).isIn("Stopping", "Stopped");
                } else {
                    assertThat(status).as(name).isEqualTo(expected.get(name));
                }
            });
        }
    }

    private static void create(SageMakerClient sm, String prefix, int n, Map<String, String> expected) {
        for (int i = 0; i < n; i++) {
            String name = prefix + "-" + i;
            sm.createTrainingJob(TrainingFixture.job(name, "ok").build());
            expected.put(name, "InProgress");
        }
    }

    /** Every training job Search returns (following NextToken), name to status. */
    private static Map<String, String> searchAll(SageMakerClient sm) {
        Map<String, String> out = new HashMap<>();
        String token = null;
        do {
            String t = token;
            SearchResponse page = sm.search(s -> s.resource("TrainingJob").maxResults(100).nextToken(t));
            for (SearchRecord r : page.results()) {
                out.put(r.trainingJob().trainingJobName(), r.trainingJob().trainingJobStatusAsString());
            }
            token = page.nextToken();
        } while (token != null);
        return out;
    }

    private static int countMatches(String text, String what) {
        int n = 0;
        for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + 1)) n++;
        return n;
    }
}
