package dev.sagebrush.notebook.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * One cgroup2 directory per instance ({@code <cgroup2>/sagebrush-notebooks/<name>-<hash of its directory>}). Every process of the instance
 * (Jupyter, kernels, terminals, lifecycle scripts and what they left in the background) is started inside it, so a
 * stop can kill all of them with {@code cgroup.kill}, including processes that escaped with setsid. Without a cgroup2
 * the runtime falls back to killing Jupyter's process tree.
 */
final class InstanceCgroups {
    private final Optional<Path> root;

    InstanceCgroups(Optional<Path> cgroup2) {
        this.root = cgroup2.map(p -> p.resolve("sagebrush-notebooks"));
    }

    Optional<Path> dir(String name) {
        return root.map(r -> r.resolve(name));
    }

    /**
     * A command prefix that moves the process into the instance's cgroup before exec'ing the rest, so every
     * descendant is born inside it. Empty without cgroups.
     */
    List<String> enterPrefix(String name) {
        Optional<Path> d = dir(name);
        if (d.isEmpty()) return List.of();
        try {
            Files.createDirectories(d.get());
        } catch (IOException e) {
            return List.of();
        }
        return List.of("/bin/sh", "-c", "echo $$ > \"$0/cgroup.procs\" && exec \"$@\"", d.get().toString());
    }

    /** Kills every process in the instance's cgroup and removes it; true if there was a cgroup to do this with. */
    boolean killAll(String name) {
        Optional<Path> d = dir(name);
        if (d.isEmpty() || !Files.isDirectory(d.get())) return d.isPresent();
        Path kill = d.get().resolve("cgroup.kill");
        try {
            if (Files.exists(kill)) {
                Files.writeString(kill, "1");
            } else {
                for (String pid : Files.readAllLines(d.get().resolve("cgroup.procs"))) {
                    ProcessHandle.of(Long.parseLong(pid.strip())).ifPresent(ProcessHandle::destroyForcibly);
                }
            }
            for (int i = 0; i < 50 && !Files.readString(d.get().resolve("cgroup.procs")).isBlank(); i++) {
                Thread.sleep(20);
            }
            Files.deleteIfExists(d.get());
        } catch (IOException | NumberFormatException e) {
            // best effort: a later stop or reset retries
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return true;
    }
}
