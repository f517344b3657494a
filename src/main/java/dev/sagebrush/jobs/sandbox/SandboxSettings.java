package dev.sagebrush.jobs.sandbox;

import java.nio.file.Path;
import java.util.Map;

/**
 * The operator's sandbox settings: the host uid range handed to workloads and where uid leases are locked (shared by
 * every Sagebrush server on the host, so they never hand out the same uid).
 *
 * <p>From the environment: {@code SAGEBRUSH_SANDBOX_UIDS=<first>-<last>} (default 2000000-2099999, far above the
 * ids Debian gives users and system accounts), {@code SAGEBRUSH_SANDBOX_LOCKS} (default /run/sagebrush-sandbox/uids).
 */
public record SandboxSettings(int firstUid, int uidCount, Path lockDir) {
    public static final int DEFAULT_FIRST_UID = 2_000_000;
    public static final int DEFAULT_UID_COUNT = 100_000;

    public static SandboxSettings defaults() {
        return new SandboxSettings(DEFAULT_FIRST_UID, DEFAULT_UID_COUNT, Path.of("/run/sagebrush-sandbox/uids"));
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
                s = new SandboxSettings(first, last - first + 1, s.lockDir());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("SAGEBRUSH_SANDBOX_UIDS must be '<first>-<last>' with first >= 1000, "
                        + "got '" + range + "'");
            }
        }
        String locks = env.get("SAGEBRUSH_SANDBOX_LOCKS");
        if (locks != null && !locks.isBlank()) s = new SandboxSettings(s.firstUid(), s.uidCount(), Path.of(locks));
        return s;
    }
}
