package dev.sagebrush.jobs.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sagebrush.testsupport.Prerequisites;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The launcher's command line, and real sandboxes on this host: identity, file view, network, limits, killing. */
class SandboxesTest {
    @TempDir Path tmp;
    Sandboxes sandboxes;
    Path data;
    Path work;

    @BeforeEach
    void setUp() throws IOException {
        data = Files.createDirectories(tmp.resolve("data"));
        Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwx------"));
        work = Files.createDirectories(data.resolve("work").resolve("job1"));
        sandboxes = new Sandboxes(SandboxHost.probe(), new UidPool(2_000_000, 100_000,
                tmp.resolve("locks")), data.resolve("sandbox"));
    }

    private void requireSandbox() {
        Prerequisites.require(sandboxes.host().available(),
                () -> "sandboxes (" + String.join("; ", sandboxes.host().problems()) + ")");
    }

    private SandboxedProcess.Result sh(UidPool.Lease uid, String script, boolean network, Limits limits)
            throws Exception {
        SandboxSpec spec = SandboxSpec.builder("test", List.of("/bin/sh", "-c", script)).uid(uid).readWrite(work)
                .chdir(work).env("HOME", work.toString()).network(network).limits(limits).build();
        return sandboxes.run(spec, Duration.ofSeconds(30), 64 * 1024);
    }

    @Test
    void commandLineDropsToTheUidBeforeTheWorkloadAndSetsItsEnvironmentAfter() throws IOException {
        SandboxSpec spec = SandboxSpec.builder("t", List.of("/usr/bin/python3", "train.py")).uid(2_000_123)
                .readWrite(work, Path.of("/opt/ml")).chdir(Path.of("/opt/ml")).env("LD_PRELOAD", "/opt/ml/x.so")
                .build();
        List<String> cmd = sandboxes.commandLine(spec, List.of(Path.of("/cg/mem/cgroup.procs")));
        String line = String.join(" ", cmd);
        assertThat(cmd.get(0)).isEqualTo("/bin/sh");
        assertThat(line).contains("--unshare-net", "--die-with-parent", "--unshare-pid", "--ro-bind /usr /usr",
                "--perms 0755 --dir /opt", "--bind " + work + " /opt/ml", "--clearenv",
                "--reuid 2000123 --regid 2000123 --clear-groups --no-new-privs");
        assertThat(line).doesNotContain(data.toString() + " " + data);
        // LD_PRELOAD appears only after setpriv and env -i: no root-run step ever sees it.
        int setpriv = cmd.indexOf("--reuid");
        int envI = cmd.indexOf("-i");
        assertThat(cmd.indexOf("LD_PRELOAD=/opt/ml/x.so")).isGreaterThan(envI).isGreaterThan(setpriv);
        assertThat(cmd.subList(cmd.size() - 2, cmd.size())).containsExactly("/usr/bin/python3", "train.py");
        // Without a memory cgroup, the address-space rlimit is the fallback.
        assertThat(sandboxes.commandLine(spec, List.of())).anyMatch(a -> a.startsWith("--as="));
    }

    @Test
    void specRefusesHostRootAndReservedMountPoints() {
        assertThatThrownBy(() -> SandboxSpec.builder("t", List.of("/bin/true")).uid(0).build())
                .isInstanceOf(IllegalArgumentException.class);
        SandboxSpec overUsr = SandboxSpec.builder("t", List.of("/bin/true")).uid(2_000_001)
                .readOnly(work, Path.of("/usr/lib/x")).build();
        assertThatThrownBy(() -> sandboxes.commandLine(overUsr)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void uidLeasesAreExclusiveAcrossPools() throws IOException {
        UidPool a = new UidPool(2_050_000, 2, tmp.resolve("shared"));
        UidPool b = new UidPool(2_050_000, 2, tmp.resolve("shared"));
        try (UidPool.Lease x = a.lease(); UidPool.Lease y = b.lease()) {
            assertThat(x.uid()).isNotEqualTo(y.uid());
            assertThatThrownBy(a::lease).hasMessageContaining("in use");
        }
        try (UidPool.Lease again = b.lease()) {
            assertThat(again.uid()).isBetween(2_050_000, 2_050_001);
        }
    }

    @Test
    void severalUidsAreLeasedAllOrNothing() throws IOException {
        UidPool ranges = UidPool.ranges(2_060_000, 10, 3, tmp.resolve("ranges"));
        try (UidPool.Lease one = ranges.lease()) {
            // Two of three are free: a job of three hosts gets none, rather than two it would hold while waiting.
            assertThat(ranges.leaseAll(3)).isEmpty();
            var two = ranges.leaseAll(2).orElseThrow();
            assertThat(two).extracting(UidPool.Lease::uid).doesNotContain(one.uid()).doesNotHaveDuplicates();
            assertThat(ranges.tryLease()).isEmpty();
            two.forEach(UidPool.Lease::close);
            assertThat(ranges.leaseAll(2)).hasValueSatisfying(l -> assertThat(l).hasSize(2));
        }
    }

    @Test
    void runsAsItsOwnUidAndSeesOnlyItsOwnFiles() throws Exception {
        requireSandbox();
        Files.writeString(data.resolve("sagebrush.db"), "secret rows");
        Files.writeString(work.resolve("input.txt"), "mine");
        try (UidPool.Lease uid = sandboxes.uids().lease()) {
            SandboxedProcess.Result r = sh(uid, "id -u; cat input.txt; echo; echo out > output.txt; "
                    + "cat " + data.resolve("sagebrush.db") + " 2>&1; ls /root 2>&1; touch /usr/x 2>&1; "
                    + "grep -c . /etc/passwd", false, Limits.COMPILER);
            assertThat(r.exitCode()).as(r.output()).isZero();
            assertThat(r.output()).startsWith(uid.uid() + "\nmine\n").doesNotContain("secret rows")
                    .contains("No such file or directory").contains("Read-only file system");
            assertThat(r.output().strip()).endsWith("3");
            assertThat(Files.readString(work.resolve("output.txt"))).isEqualTo("out\n");
            assertThat((Integer) Files.getAttribute(work.resolve("output.txt"), "unix:uid")).isEqualTo(uid.uid());
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(work))).isEqualTo("rwx------");
        }
    }

    @Test
    void hasNoNetworkUnlessAsked() throws Exception {
        requireSandbox();
        try (java.net.ServerSocket server = new java.net.ServerSocket(0, 1,
                java.net.InetAddress.getLoopbackAddress()); UidPool.Lease uid = sandboxes.uids().lease()) {
            String connect = "exec 3<>/dev/tcp/127.0.0.1/" + server.getLocalPort() + " && echo connected";
            SandboxedProcess.Result isolated = sh(uid, "bash -c '" + connect + "' 2>&1; true", false, Limits.COMPILER);
            assertThat(isolated.output()).doesNotContain("connected");
            SandboxedProcess.Result shared = sh(uid, "bash -c '" + connect + "' 2>&1", true, Limits.COMPILER);
            assertThat(shared.output()).contains("connected");
        }
    }

    @Test
    void memoryLimitKillsInsideTheSandboxAndIsReported() throws Exception {
        requireSandbox();
        Prerequisites.require(sandboxes.host().memoryCgroup().isPresent(), "a cgroup v1 memory controller");
        try (UidPool.Lease uid = sandboxes.uids().lease()) {
            SandboxedProcess.Result r = sh(uid, "exec /usr/bin/python3 -c 'b = bytearray(400 << 20); print(len(b))'",
                    false, Limits.COMPILER.withMemory(128L << 20));
            assertThat(r.exitCode()).isNotZero();
            assertThat(r.memoryExceeded()).isTrue();
        }
    }

    @Test
    void timeoutKillsTheWholeTree() throws Exception {
        requireSandbox();
        try (UidPool.Lease uid = sandboxes.uids().lease()) {
            SandboxSpec spec = SandboxSpec.builder("test", List.of("/bin/sh", "-c",
                    "sleep 300 & setsid sleep 301 & sleep 302")).uid(uid).chdir(Path.of("/tmp")).build();
            long t0 = System.nanoTime();
            SandboxedProcess.Result r = sandboxes.run(spec, Duration.ofMillis(500), 1024);
            assertThat(r.timedOut()).isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10));
            Optional<ProcessHandle> left = ProcessHandle.allProcesses().filter(h -> h.info().user()
                    .map(u -> u.equals(Integer.toString(uid.uid()))).orElse(false)).findAny();
            assertThat(left).isEmpty();
        }
    }

    @Test
    void rootInAUserNamespaceIsTheSandboxUidOnTheHost() throws Exception {
        requireSandbox();
        try (UidPool.Lease uid = sandboxes.uids().lease()) {
            SandboxSpec spec = SandboxSpec.builder("test", List.of("/bin/sh", "-c",
                    "id -u; cat /proc/self/uid_map; touch mine.txt")).uid(uid).rootInUserNamespace(true)
                    .readWrite(work).chdir(work).build();
            SandboxedProcess.Result r = sandboxes.run(spec, Duration.ofSeconds(30), 4096);
            assertThat(r.exitCode()).as(r.output()).isZero();
            assertThat(r.output()).startsWith("0\n").contains(" " + uid.uid() + " ");
            assertThat((Integer) Files.getAttribute(work.resolve("mine.txt"), "unix:uid")).isEqualTo(uid.uid());
        }
    }

    @Test
    void settingsFromTheEnvironment() {
        SandboxSettings s = SandboxSettings.from(java.util.Map.of("SAGEBRUSH_SANDBOX_UIDS", "3000000-3000009",
                "SAGEBRUSH_COMPILE_MEMORY_MB", "512"));
        assertThat(s.firstUid()).isEqualTo(3_000_000);
        assertThat(s.uidCount()).isEqualTo(10);
        assertThat(s.compileMemoryBytes()).isEqualTo(512L << 20);
        assertThat(s.trainingMemoryBytes()).isEqualTo(SandboxSettings.DEFAULT_TRAINING_MEMORY);
        assertThatThrownBy(() -> SandboxSettings.from(java.util.Map.of("SAGEBRUSH_SANDBOX_UIDS", "0-10")))
                .hasMessageContaining("SAGEBRUSH_SANDBOX_UIDS");
    }

    @Test
    void stopSendsSigtermFirst() throws Exception {
        requireSandbox();
        try (UidPool.Lease uid = sandboxes.uids().lease()) {
            SandboxSpec spec = SandboxSpec.builder("test", List.of("/bin/bash", "-c",
                    "trap 'echo got TERM > term.txt; exit 0' TERM; echo ready > ready.txt; while :; do sleep 0.05; done"))
                    .uid(uid).readWrite(work).chdir(work).build();
            try (SandboxedProcess p = sandboxes.start(spec, Output.discard())) {
                for (int i = 0; i < 200 && !Files.exists(work.resolve("ready.txt")); i++) Thread.sleep(20);
                p.terminate(Duration.ofSeconds(5));
                assertThat(p.isAlive()).isFalse();
            }
            assertThat(Files.readString(work.resolve("term.txt"))).isEqualTo("got TERM\n");
        }
    }
}
