package dev.sagebrush.training.runner;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The memory of a SageMaker training instance type, from its family and size the way AWS sizes them (vCPUs from the
 * size, memory per vCPU from the family: general purpose 4 GiB, compute optimized 2 GiB, memory optimized 8 GiB, ...),
 * so a training job's sandbox gets about the memory its ResourceConfig.InstanceType would have. Unknown types give
 * empty; the runner then uses the operator's cap alone.
 */
final class InstanceMemory {
    private static final Pattern TYPE = Pattern.compile("ml\\.([a-z]+)(\\d+)[a-z-]*\\.(\\d*)(x?large|medium|small|metal)");

    private InstanceMemory() {}

    static Optional<Long> bytes(String instanceType) {
        if (instanceType == null) return Optional.empty();
        Matcher m = TYPE.matcher(instanceType);
        if (!m.matches()) return Optional.empty();
        double perVcpuGiB = switch (m.group(1)) {
            case "m", "g", "t" -> 4;
            case "c" -> 2;
            case "r", "x", "z" -> 8;
            case "p" -> 7.625;
            default -> 0;
        };
        int vcpus = switch (m.group(4)) {
            case "small" -> 1;
            case "medium" -> 1;
            case "large" -> 2;
            case "xlarge" -> 4 * (m.group(3).isEmpty() ? 1 : Integer.parseInt(m.group(3)));
            default -> 0; // metal: no fixed size
        };
        if (perVcpuGiB == 0 || vcpus == 0) return Optional.empty();
        if (m.group(4).equals("medium") && m.group(1).equals("t")) return Optional.of(4L << 30);
        return Optional.of((long) (vcpus * perVcpuGiB * (1L << 30)));
    }
}
