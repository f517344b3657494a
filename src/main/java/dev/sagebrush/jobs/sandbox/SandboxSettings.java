package dev.sagebrush.jobs.sandbox;

import java.nio.file.Path;
import java.util.Map;

/**
 * The operator's sandbox settings: the host uid range handed to workloads, where uid leases are locked (shared by
 * every Sagebrush server on the host, so they never hand out the same uid), and the memory given to each compiler
 * step and each training job.
 *
 * <p>From the environment: {@code SAGEBRUSH_SANDBOX_UIDS=<first>-<last>} (default 2000000-2099999, far above the
 * ids Debian gives users and system accounts), {@code SAGEBRUSH_SANDBOX_LOCKS} (default /run/sagebrush-sandbox/uids),
 * {@code SAGEBRUSH_COMPILE_MEMORY_MB} (default 2048), {@code SAGEBRUSH_TRAINING_MEMORY_MB} (default 8192).
 */
public record SandboxSettings(int firstUid, int uidCount, Path lockDir, long compileMemoryBytes,
                              long trainingMemoryBytes) {
    public static final int DEFAULT_FIRST_UID = 2_000_000;
    public static final int DEFAULT_UID_COUNT = 100_000;
    public static final long DEFAULT_COMPILE_MEMORY = 2048L << 20;
    public static final long DEFAULT_TRAINING_MEMORY = 8192L << 20;

    public static SandboxSettings defaults() {
        return new SandboxSettings(DEFAULT_FIRST_UID, DEFAULT_UID_COUNT, Path.of("/run/sagebrush-sandbox/uids"),
                DEFAULT_COMPILE_MEMORY, DEFAULT_TRAINING_MEMORY);
    }

    public static SandboxSettings fromEnvironment() {
        return from(System.getenv());
    }

    static SandboxSettings from(Map<String, String> env) {
        SandboxSettings s = defaults();
        String range = env.get("SAGEBRUSH_SANDBOX_UIDS");
        if (range != null && !range.isBlank()) {
            String[] p = range.strip().split("-", 2);
            try {
                int first = Integer.parseInt(p[0].strip());
                int last = p.length > 1 ? Integer.parseInt(p[1].strip()) : first;
                if (first < 1000 || last < first) throw new NumberFormatException();
                s = new SandboxSettings(first, last - first + 1, s.lockDir(), s.compileMemoryBytes(),
                        s.trainingMemoryBytes());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("SAGEBRUSH_SANDBOX_UIDS must be '<first>-<last>' with first >= 1000, "
                        + "got '" + range + "'");
            }
        }
        String locks = env.get("SAGEBRUSH_SANDBOX_LOCKS");
        if (locks != null && !locks.isBlank()) {
            s = new SandboxSettings(s.firstUid(), s.uidCount(), Path.of(locks), s.compileMemoryBytes(),
                    s.trainingMemoryBytes());
        }
        long compile = megabytes(env, "SAGEBRUSH_COMPILE_MEMORY_MB", s.compileMemoryBytes());
        long training = megabytes(env, "SAGEBRUSH_TRAINING_MEMORY_MB", s.trainingMemoryBytes());
        return new SandboxSettings(s.firstUid(), s.uidCount(), s.lockDir(), compile, training);
    }

    private static long megabytes(Map<String, String> env, String name, long fallback) {
        String v = env.get(name);
        if (v == null || v.isBlank()) return fallback;
        try {
            long mb = Long.parseLong(v.strip());
            if (mb < 64) throw new NumberFormatException();
            return mb << 20;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a number of MiB, at least 64, got '" + v + "'");
        }
    }
}
