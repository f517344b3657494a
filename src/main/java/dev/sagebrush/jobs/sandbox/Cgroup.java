package dev.sagebrush.jobs.sandbox;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One sandbox's cgroup v1 groups: {@code <memory>/sagebrush/<id>} (memory.limit_in_bytes, OOM kills stay inside it)
 * and {@code <pids>/sagebrush/<id>} (pids.max). The sandbox's first process writes itself into both
 * {@code cgroup.procs} before it execs bwrap, so every descendant is born inside; {@link #killAll()} then reaches
 * every process of the sandbox, whatever it did to leave the process tree.
 */
final class Cgroup {
    private final Path memory;
    private final Path pids;

    private Cgroup(Path memory, Path pids) {
        this.memory = memory;
        this.pids = pids;
    }

    /** Creates the groups with their limits; empty when the host has no usable memory controller. */
    static Optional<Cgroup> create(SandboxHost host, String id, Limits limits) throws IOException {
        if (host.memoryCgroup().isEmpty()) return Optional.empty();
        Path mem = host.memoryCgroup().get().resolve("sagebrush").resolve(id);
        Files.createDirectories(mem);
        Files.writeString(mem.resolve("memory.limit_in_bytes"), Long.toString(limits.memoryBytes()));
        Path memsw = mem.resolve("memory.memsw.limit_in_bytes");
        if (Files.exists(memsw)) {
            try {
                Files.writeString(memsw, Long.toString(limits.memoryBytes())); // no swapping past the limit
            } catch (IOException ignored) {
                // swap accounting off: there is no swap to escape into either
            }
        }
        Path pid = null;
        if (host.pidsCgroup().isPresent()) {
            pid = host.pidsCgroup().get().resolve("sagebrush").resolve(id);
            Files.createDirectories(pid);
            Files.writeString(pid.resolve("pids.max"), Integer.toString(limits.processes()));
        }
        return Optional.of(new Cgroup(mem, pid));
    }

    /**
     * Removes the groups of servers that are gone (a kill -9 leaves them, empty, behind): group names end in
     * {@code -<server pid>-<sequence>}. Groups with processes left in them are kept.
     */
    static void removeOrphans(SandboxHost host) {
        for (Optional<Path> root : List.of(host.memoryCgroup(), host.pidsCgroup())) {
            if (root.isEmpty()) continue;
            try (var dirs = Files.list(root.get().resolve("sagebrush"))) {
                for (Path d : (Iterable<Path>) dirs::iterator) {
                    String[] parts = d.getFileName().toString().split("-");
                    if (parts.length < 3 || !Files.isDirectory(d)) continue;
                    try {
                        long pid = Long.parseLong(parts[parts.length - 2]);
                        if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) continue;
                        Files.deleteIfExists(d); // fails (EBUSY) while processes are left: kept
                    } catch (NumberFormatException | IOException ignored) {
                        // not one of ours, or still busy
                    }
                }
            } catch (IOException ignored) {
                // no groups yet
            }
        }
    }

    /** The cgroup.procs files the first process must join. */
    List<Path> procsFiles() {
        List<Path> out = new ArrayList<>();
        out.add(memory.resolve("cgroup.procs"));
        if (pids != null) out.add(pids.resolve("cgroup.procs"));
        return out;
    }

    /** True when the kernel's OOM killer acted in this group (the memory limit was hit). */
    boolean oomKilled() {
        return MemoryCounters.oomKilled(memory);
    }

    /** SIGKILLs every process in the groups until they are empty, then removes them. */
    void killAll() {
        for (int round = 0; round < 100; round++) {
            List<Long> alive = members();
            if (alive.isEmpty()) break;
            for (long pid : alive) ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            sleep(10);
        }
        remove();
    }

    private List<Long> members() {
        List<Long> out = new ArrayList<>();
        for (Path procs : procsFiles()) {
            try {
                for (String l : Files.readAllLines(procs)) {
                    if (!l.isBlank()) out.add(Long.parseLong(l.strip()));
                }
            } catch (IOException | NumberFormatException ignored) {
                // the group is gone already
            }
        }
        return out;
    }

    private void remove() {
        for (Path dir : pids == null ? List.of(memory) : List.of(memory, pids)) {
            for (int i = 0; i < 50; i++) {
                try {
                    Files.deleteIfExists(dir);
                    break;
                } catch (IOException e) {
                    sleep(10); // EBUSY while the last exiting task is still being reaped
                }
            }
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
