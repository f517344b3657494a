package dev.sagebrush.training.runner;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * One training job's place on disk: {@code <root>/<account>/<region>/<job>/}, holding the job's output log
 * ({@code algo-1.log}, stdout and stderr interleaved as the process wrote them, kept after the job ends) and
 * {@code ml/}, which stands in for the container's {@code /opt/ml} and is removed when the job ends (its model and
 * output are in S3 by then, and input data can be large).
 */
public record JobLayout(Path jobDir) {
    public static final String HOST = "algo-1";

    public static JobLayout of(Path root, String account, String region, String jobName) {
        return new JobLayout(root.resolve(account).resolve(region).resolve(jobName));
    }

    public Path log() { return jobDir.resolve(HOST + ".log"); }
    public Path ml() { return jobDir.resolve("ml"); }
    public Path input() { return ml().resolve("input"); }
    public Path config() { return input().resolve("config"); }
    public Path data() { return input().resolve("data"); }
    public Path channel(String name) { return data().resolve(name); }
    public Path model() { return ml().resolve("model"); }
    public Path output() { return ml().resolve("output"); }
    public Path outputData() { return output().resolve("data"); }
    public Path outputIntermediate() { return output().resolve("intermediate"); }
    public Path failure() { return output().resolve("failure"); }
    public Path checkpoints() { return ml().resolve("checkpoints"); }
    /** /opt/ml/code: script mode's code (training/scriptmode), or a built-in algorithm's script. */
    public Path code() { return ml().resolve("code"); }
    public Path tmp() { return jobDir.resolve("tmp"); }

    /** Starts the /opt/ml tree afresh (a resumed job must not see a previous attempt's files) and makes its dirs. */
    public void prepare() throws IOException {
        deleteTree(ml());
        deleteTree(tmp());
        for (Path p : new Path[] {config(), data(), model(), outputData(), outputIntermediate(), checkpoints(), tmp()}) {
            Files.createDirectories(p);
        }
    }

    /** Removes everything but the log. */
    public void cleanUp() throws IOException {
        deleteTree(ml());
        deleteTree(tmp());
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
