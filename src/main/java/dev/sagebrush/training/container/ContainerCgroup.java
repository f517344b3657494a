package dev.sagebrush.training.container;

import dev.sagebrush.jobs.sandbox.MemoryCounters;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A cgroup of Sagebrush's own that one container is put in ({@code --cgroup-parent}), so that its memory counters
 * outlive it: an OOM kill cannot be told from any other SIGKILL by the engine on a cgroup v1 host like this one (podman
 * reports {@code OOMKilled=false}: conmon looks for the container's cgroup under its own view of
 * {@code /proc/<pid>/cgroup}, which differs from the mount here), and the container's own cgroup, where the kernel
 * counts {@code oom_kill}, is removed with the container the moment its process ends.
 *
 * <p>The group holds nothing but the container ({@code --cgroups=no-conmon} keeps podman's monitor out), so its
 * {@code memory.max_usage_in_bytes} is the container's peak: a container that died of SIGKILL while its peak was at
 * its {@code --memory} limit was killed for memory. (A job that filled its page cache to the limit and then was
 * SIGKILLed by one of its own processes would read the same; the kernel reclaims cache before it kills, so that needs
 * both at once.) Only with podman's cgroupfs manager on cgroup v1; elsewhere the engine's own {@code OOMKilled} is
 * right and is all there is.
 */
final class ContainerCgroup {
    static final String PREFIX = "ctr-";

    private final Path memoryRoot;
    private final String relative;

    private ContainerCgroup(Path memoryRoot, String relative) {
        this.memoryRoot = memoryRoot;
        this.relative = relative;
    }

    /** Makes {@code <memory root>/sagebrush/ctr-<owner>-<container>}. */
    static ContainerCgroup create(Path memoryRoot, String owner, String container) throws IOException {
        ContainerCgroup c = new ContainerCgroup(memoryRoot, "sagebrush/" + PREFIX + owner + "-" + container);
        Files.createDirectories(c.memoryDir());
        return c;
    }

    /** The engine's {@code --cgroup-parent} value: the group's path from the hierarchy's root. */
    String parentArgument() {
        return "/" + relative;
    }

    Path memoryDir() {
        return memoryRoot.resolve(relative);
    }

    /** True when the container's memory peaked at {@code limitBytes}. */
    boolean reachedLimit(long limitBytes) {
        return MemoryCounters.reachedLimit(memoryDir(), limitBytes);
    }

    /** Removes the group from every hierarchy (the engine made it in each); groups still in use stay. */
    void remove() {
        for (Path root : hierarchies()) removeTree(root.resolve(relative));
    }

    /** Removes the groups a previous run of node {@code owner} left (a crash, kill -9). */
    static void removeLeftovers(String owner) {
        for (Path root : hierarchies()) {
            try (Stream<Path> dirs = Files.list(root.resolve("sagebrush"))) {
                dirs.filter(d -> d.getFileName().toString().startsWith(PREFIX + owner + "-"))
                        .forEach(ContainerCgroup::removeTree);
            } catch (IOException ignored) {
                // no groups in this hierarchy
            }
        }
    }

    /** rmdir, deepest first: a cgroup directory is removed by rmdir alone, and only once it has no members. */
    private static void removeTree(Path dir) {
        if (!Files.isDirectory(dir)) return;
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path d : (Iterable<Path>) walk.filter(Files::isDirectory).sorted(Comparator.reverseOrder())::iterator) {
                try {
                    Files.deleteIfExists(d);
                } catch (IOException ignored) {
                    // still has members
                }
            }
        } catch (IOException | java.io.UncheckedIOException ignored) {
            // gone meanwhile
        }
    }

    /** The mount points of every cgroup hierarchy (v1 controllers and the unified one). */
    static List<Path> hierarchies() {
        List<Path> out = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
                String[] halves = line.split(" - ", 2);
                if (halves.length < 2) continue;
                String type = halves[1].split(" ")[0];
                if (type.equals("cgroup") || type.equals("cgroup2")) out.add(Path.of(halves[0].split(" ")[4]));
            }
        } catch (IOException ignored) {
            // not Linux
        }
        return out;
    }
}
