package dev.sagebrush.compilation.toolchain;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ProcessRunnerTest {
    @Test
    void capturesOutputAndExitCode() throws Exception {
        ProcessRunner.Result r = ProcessRunner.run(List.of("sh", "-c", "echo out; echo err >&2; exit 3"), null,
                Duration.ofSeconds(10));
        assertThat(r.exitCode()).isEqualTo(3);
        assertThat(r.ok()).isFalse();
        assertThat(r.timedOut()).isFalse();
        assertThat(r.output()).contains("out", "err");
    }

    @Test
    void capsOutput() throws Exception {
        ProcessRunner.Result r = ProcessRunner.run(List.of("sh", "-c", "yes | head -c 200000"), null,
                Duration.ofSeconds(10), 1000);
        assertThat(r.ok()).isTrue();
        assertThat(r.outputBytesDropped()).isEqualTo(199_000);
        assertThat(r.output()).hasSizeLessThan(1100).endsWith("[... 199000 more bytes of output dropped]");
    }

    @Test
    void timeoutKillsTheWholeProcessTree() throws Exception {
        // The shell starts a grandchild and waits; the grandchild must die too, not be re-parented and survive.
        ProcessRunner.Result r = ProcessRunner.run(List.of("sh", "-c", "sleep 60 & echo child=$!; wait"), null,
                Duration.ofMillis(500));
        assertThat(r.timedOut()).isTrue();
        assertThat(r.exitCode()).isEqualTo(-1);
        assertThat(r.elapsed()).isLessThan(Duration.ofSeconds(10));
        long child = Long.parseLong(r.output().replaceAll("(?s).*child=(\\d+).*", "$1"));
        Optional<ProcessHandle> h = ProcessHandle.of(child);
        for (int i = 0; i < 50 && h.map(ProcessHandle::isAlive).orElse(false); i++) {
            Thread.sleep(100);
        }
        assertThat(h.map(ProcessHandle::isAlive).orElse(false)).as("grandchild %d still alive", child).isFalse();
    }
}
