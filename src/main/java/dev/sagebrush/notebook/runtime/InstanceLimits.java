package dev.sagebrush.notebook.runtime;

import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Resource limits of one instance, derived from its InstanceType the way AWS sizes the type: memory from the family's
 * GiB per vCPU times the size's vCPUs (ml.t3.medium: 4 GiB, ml.m5.xlarge: 16 GiB, ...), capped at what the host has.
 * Processes and open files are fixed, generous limits that stop a fork bomb or a descriptor leak from taking the host
 * down. Processes are counted per uid, and every instance has its own, so the process limit is the instance's.
 *
 * @param memoryBytes memory of the instance type (enforced by {@link MemoryCgroup} where the host has a memory
 *                    controller Sagebrush may use)
 * @param processes   RLIMIT_NPROC for the instance's uid
 * @param openFiles   RLIMIT_NOFILE per process
 */
record InstanceLimits(long memoryBytes, int processes, int openFiles) {
    private static final Pattern TYPE = Pattern.compile("ml\\.([a-z0-9]+)\\.(medium|large|(\\d*)xlarge)");
    private static final long GIB = 1L << 30;

    static InstanceLimits forType(String instanceType, long hostMemoryBytes) {
        long memory = 4 * GIB;
        Matcher m = TYPE.matcher(instanceType == null ? "" : instanceType.toLowerCase(Locale.ROOT));
        if (m.matches()) {
            String family = m.group(1);
            int vcpus = switch (m.group(2)) {
                case "medium", "large" -> 2;
                default -> 4 * (m.group(3).isEmpty() ? 1 : Integer.parseInt(m.group(3)));
            };
            long perVcpu = switch (family.replaceAll("[0-9].*", "")) {
                case "c" -> 2 * GIB;
                case "r", "x" -> 8 * GIB;
                case "t" -> 2 * GIB;
                default -> 4 * GIB; // m, g, p, inf, ...
            };
            memory = "medium".equals(m.group(2)) ? 4 * GIB : vcpus * perVcpu;
        }
        if (hostMemoryBytes > 0) memory = Math.min(memory, hostMemoryBytes);
        return new InstanceLimits(memory, 4096, 4096);
    }

    /** util-linux prlimit, run as root before the identity drop, so the hard limits cannot be raised again. */
    List<String> prlimitPrefix() {
        return List.of("prlimit", "--nproc=" + processes + ":" + processes, "--nofile=" + openFiles + ":" + openFiles, "--");
    }
}
