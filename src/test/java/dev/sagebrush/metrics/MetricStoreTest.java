package dev.sagebrush.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetricStoreTest {
    static final String ACCOUNT = "000000000000";
    static final String REGION = "us-east-1";
    static final MetricKey LOSS = new MetricKey("/aws/sagemaker/TrainingJobs", "train:loss",
            Map.of("TrainingJobName", "j"));
    @TempDir Path dir;

    static int points(MetricStore store) {
        return store.series(ACCOUNT, REGION, LOSS).map(s -> s.view().size()).orElse(0);
    }

    @Test
    void storesSharingADirectoryReadEachOthersPointsOnceEach() throws Exception {
        try (MetricStore a = new MetricStore(dir); MetricStore b = new MetricStore(dir)) {
            assertThat(points(b)).isZero();
            try (MetricStore.Writer w = a.writer(ACCOUNT, REGION, "j-1")) {
                w.put(LOSS, 1000, 0.5);
                w.sync();
                Thread.sleep(MetricStore.DISCOVERY_INTERVAL.toMillis() + 50);
                assertThat(points(b)).as("the other node reads the running job's points").isEqualTo(1);
                assertThat(points(a)).as("the writing node has them in memory").isEqualTo(1);
                w.put(LOSS, 2000, 0.4);
                w.sync();
                Thread.sleep(MetricStore.DISCOVERY_INTERVAL.toMillis() + 50);
                assertThat(points(b)).isEqualTo(2);
            }
            Thread.sleep(MetricStore.DISCOVERY_INTERVAL.toMillis() + 50);
            assertThat(points(a)).as("the writer's own file is not read back after it closes").isEqualTo(2);
            assertThat(points(b)).isEqualTo(2);
        }
        try (MetricStore restarted = new MetricStore(dir)) {
            assertThat(points(restarted)).isEqualTo(2);
        }
    }

    @Test
    void pointsReadBackOutOfOrderAreAnsweredInTimeOrder() {
        MetricSeries s = new MetricSeries();
        s.add(3000, 3);
        MetricSeries.View before = s.view();
        s.add(1000, 1); // a second host's file, or an earlier run's, read after this one
        s.add(2000, 2);
        s.add(2000, 2.5);
        MetricSeries.View v = s.view();
        assertThat(java.util.Arrays.copyOf(v.times(), v.size())).containsExactly(1000, 2000, 2000, 3000);
        assertThat(java.util.Arrays.copyOf(v.values(), v.size())).containsExactly(1, 2, 2.5, 3);
        assertThat(v.firstAtOrAfter(2000)).isEqualTo(1);
        assertThat(before.times()[0]).as("an earlier view is never rewritten").isEqualTo(3000);
    }
}
