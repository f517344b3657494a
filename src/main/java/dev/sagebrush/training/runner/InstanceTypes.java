package dev.sagebrush.training.runner;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * SageMaker's training instance types with the vCPUs, memory and GPUs of the EC2 instance each runs on, from the
 * project resource {@code instance-types.tsv}. A job's sandbox or container gets about what its
 * ResourceConfig.InstanceType would have, scaled down to the host ({@link InstanceResources}). Types missing from the
 * table (new ones, {@code local}) have no size: the host and the operator's cap decide.
 */
public final class InstanceTypes {
    public record InstanceType(String name, int vcpus, long memoryBytes, int gpus) {}

    private static final Map<String, InstanceType> TABLE = load();

    private InstanceTypes() {}

    public static Optional<InstanceType> of(String name) {
        return name == null ? Optional.empty() : Optional.ofNullable(TABLE.get(name));
    }

    private static Map<String, InstanceType> load() {
        Map<String, InstanceType> out = new LinkedHashMap<>();
        try (InputStream in = InstanceTypes.class.getResourceAsStream("/dev/sagebrush/training/instance-types.tsv");
             BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                line = line.strip();
                if (line.isEmpty() || line.startsWith("#")) continue;
                String[] f = line.split("\\s+");
                long memory = (long) (Double.parseDouble(f[2]) * (1L << 30));
                out.put(f[0], new InstanceType(f[0], Integer.parseInt(f[1]), memory, Integer.parseInt(f[3])));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Map.copyOf(out);
    }
}
