package dev.sagebrush.compilation.tvm;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

/** The x86 feature flags of the machine this server runs on (from /proc/cpuinfo), to know what code it can run. */
final class HostCpu {
    private static volatile Set<String> flags;

    private HostCpu() {}

    static Set<String> flags() {
        Set<String> f = flags;
        if (f == null) {
            f = Set.of();
            try {
                for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                    if (line.startsWith("flags")) {
                        f = Set.copyOf(java.util.Arrays.asList(line.substring(line.indexOf(':') + 1).trim().split("\\s+")));
                        break;
                    }
                }
            } catch (IOException | RuntimeException e) {
                // no /proc: nothing is known to be available
            }
            flags = f;
        }
        return f;
    }
}
