package dev.sagebrush.jobs.sandbox;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What a cgroup v1 memory controller directory tells about its members' memory: whether the kernel's OOM killer acted
 * in it ({@code memory.oom_control}'s {@code oom_kill}), and the peak usage against the limit
 * ({@code memory.max_usage_in_bytes}, {@code memory.memsw.max_usage_in_bytes}). Read by the sandboxes for their own
 * groups and by the container backend for the group it puts each container in.
 */
public final class MemoryCounters {
    /** Usage this close to the limit counts as having reached it (the kernel charges in pages, batched per CPU). */
    static final long AT_LIMIT_MARGIN = 1L << 20;

    private MemoryCounters() {}

    /**
     * True when the OOM killer killed a process of the group; on kernels without the {@code oom_kill} counter, when
     * an allocation failed at the limit and the peak reached it.
     */
    public static boolean oomKilled(Path group) {
        try {
            for (String line : Files.readAllLines(group.resolve("memory.oom_control"))) {
                if (line.startsWith("oom_kill ")) return Long.parseLong(line.substring(9).strip()) > 0;
            }
            return readLong(group.resolve("memory.failcnt")) > 0 && reachedLimit(group, limitBytes(group));
        } catch (IOException | NumberFormatException e) {
            return false;
        }
    }

    /** True when the group's peak usage (with swap, where accounted) came within a page batch of {@code limit}. */
    public static boolean reachedLimit(Path group, long limit) {
        long peak = Math.max(peakBytes(group), readLong(group.resolve("memory.memsw.max_usage_in_bytes")));
        return limit > 0 && peak >= limit - AT_LIMIT_MARGIN;
    }

    /** {@code memory.max_usage_in_bytes}, or -1 when it cannot be read. */
    public static long peakBytes(Path group) {
        return readLong(group.resolve("memory.max_usage_in_bytes"));
    }

    /** {@code memory.limit_in_bytes}, or -1 when it cannot be read. */
    public static long limitBytes(Path group) {
        return readLong(group.resolve("memory.limit_in_bytes"));
    }

    private static long readLong(Path p) {
        try {
            return Long.parseLong(Files.readString(p).strip());
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }
}
