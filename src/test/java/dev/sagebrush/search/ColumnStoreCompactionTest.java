package dev.sagebrush.search;

import static dev.sagebrush.search.TestJobs.job;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sagemaker.model.SearchRequest;

/** Replacing jobs kills and appends slots; once dead slots dominate the store is rebuilt without changing answers. */
class ColumnStoreCompactionTest {
    @Test
    void churnTriggersCompactionAndResultsAndTokensStayCorrect() {
        TrainingJobIndex index = new TrainingJobIndex(TestJobs.KEY);
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < 1500; i++) {
                index.put(job(String.format("job-%04d", i)).lastModified(i).metric("auc", round).build());
            }
        }
        SearchRequest r = TestJobs.request(TestJobs.and(TestJobs.filter("Metrics.auc", "Equals", "2")))
                .toBuilder().maxResults(100).build();
        SearchPage first = index.search(r);
        assertThat(first.totalHits()).isEqualTo(1500);
        // a token taken before further churn (and another compaction) still continues the same order
        for (int i = 0; i < 1500; i++) {
            index.put(job(String.format("job-%04d", i)).lastModified(i).metric("auc", 2).tag("t", "x").build());
        }
        List<String> all = new ArrayList<>(TestJobs.names(first));
        String token = first.nextToken();
        while (token != null) {
            SearchPage p = index.search(r.toBuilder().nextToken(token).build());
            all.addAll(TestJobs.names(p));
            token = p.nextToken();
        }
        assertThat(all).hasSize(1500).doesNotHaveDuplicates();
        assertThat(all.get(0)).isEqualTo("job-1499");
        assertThat(all.get(1499)).isEqualTo("job-0000");
        assertThat(index.size()).isEqualTo(1500);
    }
}
