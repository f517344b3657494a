package dev.sagebrush.jobs.sandbox;

import java.time.Duration;

/**
 * What one sandbox may consume. Memory is enforced by a cgroup v1 memory controller when the host has one (the whole
 * tree, page cache and tmpfs included; the kernel's OOM killer acts inside the group only), else by RLIMIT_AS per
 * process. Processes by a pids cgroup and RLIMIT_NPROC (which counts per uid: every sandbox has its own uid). The rest
 * are rlimits of every process in the sandbox. Wall time is the supervisor's deadline ({@link SandboxedProcess#await}).
 *
 * @param memoryBytes   resident memory of the whole sandbox, tmpfs included
 * @param processes     processes and threads at once (a JVM counts each thread)
 * @param openFiles     open file descriptors per process
 * @param fileSizeBytes largest file a process may write (RLIMIT_FSIZE)
 * @param cpuTime       CPU seconds per process (RLIMIT_CPU); {@link Duration#ZERO} for none
 * @param tmpBytes      size of the private /tmp (a tmpfs, counted in memory)
 */
public record Limits(long memoryBytes, int processes, int openFiles, long fileSizeBytes, Duration cpuTime,
                     long tmpBytes) {
    private static final long MiB = 1024L * 1024;
    private static final long GiB = 1024 * MiB;

    /** A compiler step (gcc, qemu running a verification harness, the ONNX Runtime child). */
    public static final Limits COMPILER = new Limits(4 * GiB, 512, 1024, 2 * GiB, Duration.ZERO, 512 * MiB);
    /** A training process: generous by default; the caller derives memory from the instance type when it knows it. */
    public static final Limits TRAINING = new Limits(8 * GiB, 4096, 4096, 64 * GiB, Duration.ZERO, 1 * GiB);

    public Limits {
        if (memoryBytes < 16 * MiB) throw new IllegalArgumentException("memory below 16 MiB: " + memoryBytes);
        if (processes < 1 || openFiles < 16 || fileSizeBytes < 1 || tmpBytes < 1) {
            throw new IllegalArgumentException("limits must be positive: " + this);
        }
        if (cpuTime == null || cpuTime.isNegative()) throw new IllegalArgumentException("cpuTime " + cpuTime);
    }

    public Limits withMemory(long bytes) {
        return new Limits(bytes, processes, openFiles, fileSizeBytes, cpuTime, tmpBytes);
    }

    public Limits withProcesses(int n) {
        return new Limits(memoryBytes, n, openFiles, fileSizeBytes, cpuTime, tmpBytes);
    }

    public Limits withOpenFiles(int n) {
        return new Limits(memoryBytes, processes, n, fileSizeBytes, cpuTime, tmpBytes);
    }

    public Limits withFileSize(long bytes) {
        return new Limits(memoryBytes, processes, openFiles, bytes, cpuTime, tmpBytes);
    }

    public Limits withCpuTime(Duration d) {
        return new Limits(memoryBytes, processes, openFiles, fileSizeBytes, d, tmpBytes);
    }

    public Limits withTmp(long bytes) {
        return new Limits(memoryBytes, processes, openFiles, fileSizeBytes, cpuTime, bytes);
    }

    /** "4.0 GiB", for messages. */
    public static String bytes(long n) {
        if (n >= GiB) return String.format(java.util.Locale.ROOT, "%.1f GiB", n / (double) GiB);
        return String.format(java.util.Locale.ROOT, "%.0f MiB", n / (double) MiB);
    }
}
