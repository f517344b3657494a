package dev.sagebrush.training.runner;

import dev.sagebrush.jobs.sandbox.Limits;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/**
 * What one instance of a job gets on this host: the instance type's vCPUs and memory ({@link InstanceTypes}), scaled
 * down to the host's CPUs and memory and to the operator's memory cap per training job
 * ({@code SAGEBRUSH_TRAINING_MEMORY_MB}). When anything was scaled, {@link #note()} says so, for the job's secondary
 * status message: a user who asked for an ml.p3.16xlarge must not believe they got one.
 *
 * @param cpus        CPUs the instance may use (a CFS quota for containers; SM_NUM_CPUS)
 * @param memoryBytes memory limit of the instance
 * @param note        empty, or the sentence that says what was scaled and why
 */
public record InstanceResources(String instanceType, int cpus, long memoryBytes, String note) {

    public boolean scaled() {
        return !note.isEmpty();
    }

    /** This host's share for {@code instanceType}, capped at {@code memoryCap} per instance. */
    public static InstanceResources of(String instanceType, long memoryCap) {
        return of(instanceType, memoryCap, Runtime.getRuntime().availableProcessors(), hostMemory());
    }

    static InstanceResources of(String instanceType, long memoryCap, int hostCpus, long hostMemory) {
        Optional<InstanceTypes.InstanceType> type = InstanceTypes.of(instanceType);
        int wantCpus = type.map(InstanceTypes.InstanceType::vcpus).orElse(hostCpus);
        long wantMemory = type.map(InstanceTypes.InstanceType::memoryBytes).orElse(memoryCap);
        int cpus = Math.max(1, Math.min(wantCpus, hostCpus));
        long memory = Math.min(wantMemory, Math.min(memoryCap, hostMemory));
        if (type.isEmpty() || (cpus == wantCpus && memory == wantMemory)) {
            return new InstanceResources(instanceType, cpus, memory, "");
        }
        StringBuilder why = new StringBuilder();
        if (cpus < wantCpus) why.append("the host has ").append(hostCpus).append(" CPUs");
        if (memory < wantMemory) {
            if (why.length() > 0) why.append("; ");
            why.append(memory == memoryCap && memoryCap <= hostMemory
                    ? "the operator's memory cap per training job is " + Limits.bytes(memoryCap)
                    : "the host has " + Limits.bytes(hostMemory));
        }
        String note = String.format(Locale.ROOT, "%s has %d vCPUs and %s of memory; each instance gets %d %s and %s "
                        + "on this host (%s).", instanceType, wantCpus, Limits.bytes(wantMemory), cpus,
                cpus == 1 ? "CPU" : "CPUs", Limits.bytes(memory), why);
        return new InstanceResources(instanceType, cpus, memory, note);
    }

    /** MemTotal of /proc/meminfo; the JVM's view when it cannot be read. */
    static long hostMemory() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | NumberFormatException ignored) {
            // not Linux
        }
        return Runtime.getRuntime().maxMemory();
    }
}
