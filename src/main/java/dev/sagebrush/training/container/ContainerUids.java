package dev.sagebrush.training.container;

import dev.sagebrush.jobs.sandbox.SandboxSettings;
import dev.sagebrush.jobs.sandbox.UidPool;
import java.io.IOException;
import java.util.Optional;

/**
 * The host uids containers' user namespaces map to: {@code SAGEBRUSH_CONTAINER_UIDS=<first>-<last>} (or the server's
 * setting), cut into ranges
 * of 65536 (a container's uids 0..65535: root, the system accounts and {@code nobody} of any Debian-style image), one
 * range per running container. The default, 2162688-6356991 (64 ranges), lies above the sandbox uids
 * ({@code SAGEBRUSH_SANDBOX_UIDS}, default 2000000-2099999) and the ranges {@code /etc/subuid} usually hands users;
 * the two pools must not overlap. Leases are locked in the sandbox lock directory, so servers sharing a host never
 * hand out the same range.
 */
final class ContainerUids {
    static final int RANGE = 65536;
    static final int DEFAULT_FIRST = 33 * RANGE;
    static final int DEFAULT_RANGES = 64;

    private ContainerUids() {}

    /** @param spec {@code <first>-<last>}, or empty for the default */
    static UidPool pool(SandboxSettings sandbox, Optional<String> spec) throws IOException {
        int first = DEFAULT_FIRST;
        int ranges = DEFAULT_RANGES;
        String v = spec.orElse(null);
        if (v != null && !v.isBlank()) {
            String[] p = v.strip().split("-", 2);
            try {
                first = Integer.parseInt(p[0].strip());
                long last = Long.parseLong(p[1].strip());
                ranges = (int) ((last - first + 1) / RANGE);
                if (first < 1000 || ranges < 1) throw new NumberFormatException();
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("SAGEBRUSH_CONTAINER_UIDS must be '<first>-<last>' with first >= 1000 "
                        + "and room for at least one range of " + RANGE + " uids, got '" + v + "'");
            }
        }
        long end = (long) first + (long) ranges * RANGE;
        long sandboxEnd = (long) sandbox.firstUid() + sandbox.uidCount();
        if (first < sandboxEnd && sandbox.firstUid() < end) {
            throw new IllegalArgumentException("SAGEBRUSH_CONTAINER_UIDS (" + first + "-" + (end - 1) + ") overlaps "
                    + "SAGEBRUSH_SANDBOX_UIDS (" + sandbox.firstUid() + "-" + (sandboxEnd - 1) + ")");
        }
        return UidPool.ranges(first, RANGE, ranges, sandbox.lockDir());
    }
}
