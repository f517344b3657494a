package dev.sagebrush.training.builtin;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * A built-in algorithm resolved from a TrainingImage: the command that plays the image (like a line of the operator's
 * image registry) and the files it needs, which {@link #install} puts in the job's {@code /opt/ml} stand-in under
 * {@code code/}. The command names its script relative to the working directory, which is that stand-in: whatever
 * runs the process (directly, or in a sandbox that shows the directory as {@code /opt/ml}) finds it there.
 */
public record BuiltinAlgorithm(String image, String description, List<String> command, List<String> resources) {
    /** Where the files go, relative to the job's /opt/ml stand-in. */
    public static final String CODE_DIR = "code";
    static final String RESOURCE_DIR = "/dev/sagebrush/training/builtin/";

    /** Writes the algorithm's files into {@code <ml>/code/}, replacing whatever is there. */
    public void install(Path mlDir) throws IOException {
        Path code = mlDir.resolve(CODE_DIR);
        Files.createDirectories(code);
        for (String name : resources) {
            try (InputStream in = BuiltinAlgorithm.class.getResourceAsStream(RESOURCE_DIR + name)) {
                if (in == null) throw new IOException("Missing resource " + RESOURCE_DIR + name);
                Files.copy(in, code.resolve(name), StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }
}
