package dev.sagebrush.training.runner;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class InstanceResourcesTest {
    static final long GiB = 1L << 30;

    @Test
    void theTableHasAwsSizes() {
        assertThat(InstanceTypes.of("ml.m5.large").orElseThrow().memoryBytes()).isEqualTo(8 * GiB);
        assertThat(InstanceTypes.of("ml.c5n.xlarge").orElseThrow().memoryBytes()).isEqualTo((long) (10.5 * GiB));
        assertThat(InstanceTypes.of("ml.p3.2xlarge").orElseThrow()).isEqualTo(
                new InstanceTypes.InstanceType("ml.p3.2xlarge", 8, 61 * GiB, 1));
        assertThat(InstanceTypes.of("local")).isEmpty();
    }

    @Test
    void scaledToTheHostAndTheCapAndSaysSo() {
        InstanceResources fits = InstanceResources.of("ml.m5.large", 8 * GiB, 4, 32 * GiB);
        assertThat(fits).isEqualTo(new InstanceResources("ml.m5.large", 2, 8 * GiB, ""));
        InstanceResources big = InstanceResources.of("ml.m5.xlarge", 8 * GiB, 2, 32 * GiB);
        assertThat(big.cpus()).isEqualTo(2);
        assertThat(big.memoryBytes()).isEqualTo(8 * GiB);
        assertThat(big.note()).isEqualTo("ml.m5.xlarge has 4 vCPUs and 16.0 GiB of memory; each instance gets 2 CPUs "
                + "and 8.0 GiB on this host (the host has 2 CPUs; the operator's memory cap per training job is 8.0 GiB).");
        InstanceResources unknown = InstanceResources.of("local", 8 * GiB, 2, 4 * GiB);
        assertThat(unknown).isEqualTo(new InstanceResources("local", 2, 4 * GiB, ""));
    }

    @Test
    void shardedChannelsSplitInKeyOrder() {
        List<ChannelDownloader.Download> plan = List.of(3, 0, 2, 1).stream().map(i -> new ChannelDownloader.Download(
                new dev.sagebrush.storage.S3Uri("b", "p/part-" + i), "part-" + i, 1)).toList();
        assertThat(ChannelDownloader.shard(plan, 0, 2)).extracting(ChannelDownloader.Download::relativePath)
                .containsExactly("part-0", "part-2");
        assertThat(ChannelDownloader.shard(plan, 1, 2)).extracting(ChannelDownloader.Download::relativePath)
                .containsExactly("part-1", "part-3");
        assertThat(ChannelDownloader.shard(plan, 4, 5)).isEmpty();
    }
}
