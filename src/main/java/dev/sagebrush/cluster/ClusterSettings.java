package dev.sagebrush.cluster;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * What a node needs to work beside others on one database (see docs/cluster.md). A single node needs none of it.
 *
 * @param leaseTtl       how long a claim on a job or notebook instance lasts without renewal: after a node dies, its
 *                       work is resumed by another node this long after its last renewal. Renewed about every second,
 *                       so a few seconds are enough on a quiet network; 60 s by default to ride out GC pauses
 * @param nodeAddress    the URL at which the other nodes reach this one (notebook requests are forwarded there);
 *                       empty: this node's own listening address
 * @param objectStoreDir where the embedded S3 keeps its objects; nodes that give the same shared directory see the
 *                       same buckets. Empty: {@code <data-dir>/s3}, this node's alone
 * @param cloudWatchDir  where CloudWatch log streams and metric datapoints are kept ({@code logs/}, {@code metrics/}
 *                       in it); nodes that give the same shared directory read every node's jobs' logs and metrics.
 *                       Empty: the data directory, this node's alone
 */
public record ClusterSettings(Duration leaseTtl, Optional<String> nodeAddress, Optional<Path> objectStoreDir,
                              Optional<Path> cloudWatchDir) {
    public static final Duration DEFAULT_LEASE_TTL = Duration.ofSeconds(60);

    public ClusterSettings {
        if (leaseTtl.compareTo(Duration.ofSeconds(3)) < 0) {
            // Claims are renewed about once a second: a shorter lease would expire under a busy but healthy node.
            throw new IllegalArgumentException("The lease TTL must be at least 3 seconds, not " + leaseTtl.toSeconds());
        }
        objectStoreDir = objectStoreDir.map(d -> d.toAbsolutePath().normalize());
        cloudWatchDir = cloudWatchDir.map(d -> d.toAbsolutePath().normalize());
    }

    public static ClusterSettings defaults() {
        return new ClusterSettings(DEFAULT_LEASE_TTL, Optional.empty(), Optional.empty(), Optional.empty());
    }

    public ClusterSettings withLeaseTtl(Duration ttl) {
        return new ClusterSettings(ttl, nodeAddress, objectStoreDir, cloudWatchDir);
    }

    public ClusterSettings withNodeAddress(String address) {
        return new ClusterSettings(leaseTtl, Optional.ofNullable(address).filter(a -> !a.isBlank()), objectStoreDir,
                cloudWatchDir);
    }

    public ClusterSettings withObjectStoreDir(Path dir) {
        return new ClusterSettings(leaseTtl, nodeAddress, Optional.ofNullable(dir), cloudWatchDir);
    }

    public ClusterSettings withCloudWatchDir(Path dir) {
        return new ClusterSettings(leaseTtl, nodeAddress, objectStoreDir, Optional.ofNullable(dir));
    }
}
