package dev.sagebrush.notebook.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Every process of an instance runs as the instance's own host uid (root inside its user namespace included), so
 * "everything the instance started" is exactly "every process of that uid": Jupyter, kernels, terminals, lifecycle
 * scripts and what they left behind with {@code nohup} or {@code setsid}. Stop kills them all, whatever cgroups the
 * host has. No other process may run as that uid.
 */
final class InstanceProcesses {
    private InstanceProcesses() {}

    /** Pids whose real, effective or saved uid is {@code uid}. */
    static List<Long> of(int uid) {
        List<Long> pids = new ArrayList<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : (Iterable<Path>) procs::iterator) {
                String pid = p.getFileName().toString();
                if (!pid.chars().allMatch(Character::isDigit)) continue;
                try {
                    for (String line : Files.readAllLines(p.resolve("status"))) {
                        if (!line.startsWith("Uid:")) continue;
                        String[] f = line.split("\\s+");
                        for (int i = 1; i <= 3 && i < f.length; i++) {
                            if (f[i].equals(Integer.toString(uid))) {
                                pids.add(Long.parseLong(pid));
                                break;
                            }
                        }
                        break;
                    }
                } catch (IOException e) {
                    // exited meanwhile
                }
            }
        } catch (IOException e) {
            // no /proc: nothing to find
        }
        return pids;
    }

    /** SIGKILLs every process of {@code uid} until none is left (a fork racing the kill is caught by the next round). */
    static void killAll(int uid) {
        if (uid == 0) throw new IllegalArgumentException("never kill by uid 0");
        for (int round = 0; round < 50; round++) {
            List<Long> pids = of(uid);
            if (pids.isEmpty()) return;
            for (long pid : pids) ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
