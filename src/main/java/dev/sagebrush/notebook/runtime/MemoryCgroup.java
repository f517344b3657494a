package dev.sagebrush.notebook.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The instance type's memory as a hard limit, with the cgroup v1 memory controller (hosts whose memory controller is
 * v1, like the development machine). Each instance gets a child of the server's own memory cgroup, so whatever limit
 * supervises the server still covers its notebooks. Without a usable v1 memory controller the limit is not enforced
 * and the server log says so.
 */
final class MemoryCgroup {
    private final Optional<Path> parent;

    private MemoryCgroup(Optional<Path> parent) {
        this.parent = parent;
    }

    static MemoryCgroup probe(boolean root) {
        if (!root) return new MemoryCgroup(Optional.empty());
        try {
            Path mount = Path.of("/sys/fs/cgroup/memory");
            if (!Files.exists(mount.resolve("memory.limit_in_bytes"))) return new MemoryCgroup(Optional.empty());
            for (String line : Files.readAllLines(Path.of("/proc/self/cgroup"))) {
                String[] f = line.split(":", 3);
                if (f.length == 3 && List.of(f[1].split(",")).contains("memory")) {
                    Path own = mount.resolve(f[2].substring(1));
                    if (Files.isDirectory(own) && Files.isWritable(own)) return new MemoryCgroup(Optional.of(own));
                }
            }
        } catch (IOException | RuntimeException e) {
            // no usable controller
        }
        return new MemoryCgroup(Optional.empty());
    }

    boolean enforced() {
        return parent.isPresent();
    }

    private Optional<Path> dir(String name) {
        return parent.map(p -> p.resolve("sagebrush-notebook-" + name));
    }

    /** A prefix that puts the command into the instance's memory cgroup, limited to {@code bytes}; empty without one. */
    List<String> enterPrefix(String name, long bytes) {
        Optional<Path> d = dir(name);
        if (d.isEmpty()) return List.of();
        try {
            Files.createDirectories(d.get());
            Files.writeString(d.get().resolve("memory.limit_in_bytes"), Long.toString(bytes));
        } catch (IOException e) {
            return List.of();
        }
        return List.of("/bin/sh", "-c", "echo $$ > \"$0/cgroup.procs\" && exec \"$@\"", d.get().toString());
    }

    /** Removes the instance's cgroup once its processes are gone. */
    void remove(String name) {
        dir(name).ifPresent(d -> {
            try {
                Files.deleteIfExists(d);
            } catch (IOException e) {
                // still busy or gone: removed at the next stop
            }
        });
    }

    String describe() {
        return parent.map(p -> "memory limited per instance type (cgroup v1 under " + p + ")")
                .orElse("memory not limited (no usable cgroup v1 memory controller)");
    }
}
