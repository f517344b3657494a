package dev.sagebrush.training.runner;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * One training host's place on disk, in its job's directory {@code <root>/<account>/<region>/<job>/}: the host's output
 * log ({@code algo-N.log}, stdout and stderr interleaved as the process wrote them, kept after the job ends) and its
 * {@code /opt/ml} tree, {@code ml/} for {@code algo-1} and {@code ml-algo-N/} for the other hosts of a job with
 * InstanceCount > 1. The tree is removed when the job ends (its model and output are in S3 by then, and input data
 * can be large).
 */
public record JobLayout(Path jobDir, String host) {
    /** The first (and, with InstanceCount 1, only) host; its model is the job's model. */
    public static final String HOST = "algo-1";

    public static JobLayout of(Path root, String account, String region, String jobName) {
        return new JobLayout(root.resolve(account).resolve(region).resolve(jobName), HOST);
    }

    /** The layout of another host of the same job. */
    public JobLayout forHost(String otherHost) {
        return new JobLayout(jobDir, otherHost);
    }

    /** {@code algo-1}, {@code algo-2}, ... for {@code count} hosts, as SageMaker names them. */
    public static java.util.List<String> hosts(int count) {
        return java.util.stream.IntStream.rangeClosed(1, Math.max(1, count)).mapToObj(i -> "algo-" + i).toList();
    }

    private String suffix() {
        return HOST.equals(host) ? "" : "-" + host;
    }

    public Path log() { return jobDir.resolve(host + ".log"); }
    public Path ml() { return jobDir.resolve("ml" + suffix()); }
    public Path input() { return ml().resolve("input"); }
    public Path config() { return input().resolve("config"); }
    public Path data() { return input().resolve("data"); }
    public Path channel(String name) { return data().resolve(name); }
    /** Script mode's {@code /opt/ml/code}: the user's {@code sagemaker_submit_directory}, unpacked. */
    public Path code() { return ml().resolve("code"); }
    public Path model() { return ml().resolve("model"); }
    public Path output() { return ml().resolve("output"); }
    public Path outputData() { return output().resolve("data"); }
    public Path outputIntermediate() { return output().resolve("intermediate"); }
    public Path failure() { return output().resolve("failure"); }
    public Path checkpoints() { return ml().resolve("checkpoints"); }
    /** The sparse ext4 image that holds {@code ml/} when VolumeSizeInGB is enforced (never shown to the job). */
    public Path volumeImage() { return jobDir.resolve("ml" + suffix() + ".img"); }
    /** The server's scratch space for this host (never shown to the job). */
    public Path tmp() { return jobDir.resolve("tmp" + suffix()); }

    /** Starts the /opt/ml tree afresh (a resumed job must not see a previous attempt's files) and makes its dirs. */
    public void prepare() throws IOException {
        cleanUp();
        makeDirectories();
    }

    /** Makes the /opt/ml tree's directories (in {@code ml/}, which may be a freshly mounted volume) and the scratch. */
    public void makeDirectories() throws IOException {
        for (Path p : new Path[] {config(), data(), model(), outputData(), outputIntermediate(), checkpoints(), tmp()}) {
            Files.createDirectories(p);
        }
    }

    /** Removes everything of this host but its log (its volume, if any, must be unmounted first). */
    public void cleanUp() throws IOException {
        deleteTree(ml());
        deleteTree(tmp());
        Files.deleteIfExists(volumeImage());
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }
}
