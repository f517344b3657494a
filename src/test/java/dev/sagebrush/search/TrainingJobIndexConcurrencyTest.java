package dev.sagebrush.search;

import static dev.sagebrush.search.TestJobs.job;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sagemaker.model.SearchRequest;

/** Readers running while one writer adds, replaces and removes jobs: no errors, and stable jobs are always found. */
class TrainingJobIndexConcurrencyTest {
    @Test
    void readersSeeEveryStableJobWhileAWriterChurns() throws Exception {
        TrainingJobIndex index = new TrainingJobIndex(TestJobs.KEY);
        for (int i = 0; i < 200; i++) {
            index.put(job("stable-" + i).tag("kind", "stable").build());
        }
        AtomicBoolean stop = new AtomicBoolean();
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            Future<?> writer = pool.submit(() -> {
                for (int round = 0; round < 300; round++) {
                    for (int i = 0; i < 20; i++) {
                        index.put(job("churn-" + i).tag("kind", "churn").lastModified(round).build());
                    }
                    for (int i = 0; i < 20; i += 2) {
                        index.remove(TestJobs.ARN_PREFIX + "churn-" + i);
                    }
                    index.put(job("stable-" + (round % 200)).tag("kind", "stable").build()); // replace in place
                }
                stop.set(true);
            });
            SearchRequest stable = TestJobs.request(TestJobs.and(TestJobs.filter("Tags.kind", "Equals", "stable")))
                    .toBuilder().maxResults(5).build();
            List<Future<Integer>> readers = List.of(pool.submit(() -> read(index, stable, stop)),
                    pool.submit(() -> read(index, stable, stop)));
            writer.get(60, TimeUnit.SECONDS);
            for (Future<Integer> r : readers) {
                assertThat(r.get(60, TimeUnit.SECONDS)).isPositive();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static int read(TrainingJobIndex index, SearchRequest request, AtomicBoolean stop) {
        int searches = 0;
        while (!stop.get() || searches == 0) {
            assertThat(index.search(request).totalHits()).isEqualTo(200);
            searches++;
        }
        return searches;
    }
}
