package dev.sagebrush.compilation.tvm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sagebrush.compilation.toolchain.ProcessRunner;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Winograd convolutions of tvm_winograd.py, compiled by the real TVM child for AVX-512 and AVX2 targets and run on
 * this host, against a float64 convolution: odd map sizes (partial tiles), a batch of two, asymmetric and no padding,
 * channel counts that give one-, two- and fractional-vector blocks, with and without an elementwise tail; and the
 * convolutions the rule keeps direct (3 channels, stride 2, 5x5 maps) stay direct.
 */
class TvmWinogradTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    static Path tmp;
    static Map<String, JsonNode> results = new HashMap<>();

    @BeforeAll
    static void compileAndRunTheCases() throws Exception {
        Path work = Files.createDirectories(tmp.resolve("work"));
        for (String name : new String[] {"tvm_build.py", "tvm_winograd.py"}) {
            copy(TvmCompiler.class, name, work.resolve(name));
        }
        Path script = copy(TvmWinogradTest.class, "winograd_check.py", work.resolve("winograd_check.py"));
        Path request = work.resolve("cases.json");
        Files.writeString(request, """
                {"cases": [
                 {"name": "avx512 batch 2, 16->32, 18x22", "cpu": "skylake-avx512", "n": 2, "in": 16, "out": 32,
                  "h": 18, "w": 22, "pads": [1, 1, 1, 1], "residual": true},
                 {"name": "avx512 48 channels, asymmetric padding", "cpu": "skylake-avx512", "n": 1, "in": 32,
                  "out": 48, "h": 14, "w": 15, "pads": [1, 0, 0, 1]},
                 {"name": "avx512 24 channels, no padding", "cpu": "skylake-avx512", "n": 1, "in": 24, "out": 24,
                  "h": 20, "w": 19, "pads": [0, 0, 0, 0], "residual": true},
                 {"name": "avx2 16->16, 28x28", "cpu": "core-avx2", "n": 1, "in": 16, "out": 16, "h": 28, "w": 28,
                  "pads": [1, 1, 1, 1]},
                 {"name": "avx512 64 channels, nothing fused after it", "cpu": "skylake-avx512", "n": 1, "in": 64,
                  "out": 64, "h": 12, "w": 12, "pads": [1, 1, 1, 1], "bare": true},
                 {"name": "3 input channels", "cpu": "skylake-avx512", "n": 1, "in": 3, "out": 16, "h": 32, "w": 32,
                  "pads": [1, 1, 1, 1]},
                 {"name": "stride 2", "cpu": "skylake-avx512", "n": 1, "in": 32, "out": 32, "h": 16, "w": 16,
                  "pads": [1, 1, 1, 1], "strides": [2, 2]},
                 {"name": "5x5 map", "cpu": "skylake-avx512", "n": 1, "in": 64, "out": 64, "h": 5, "w": 5,
                  "pads": [1, 1, 1, 1]}
                ]}
                """);
        Path cache = Files.createDirectories(tmp.resolve("cache"));
        Path javacpp = TvmCompiler.unpackNatives(cache, Duration.ofMinutes(5));
        ProcessRunner.Result r = ProcessRunner.run(TvmCompiler.childCommand(javacpp, script, request, work), work,
                Duration.ofMinutes(10));
        assertThat(r.ok()).as(r.output()).isTrue();
        for (String line : r.output().split("\n")) {
            if (line.startsWith("CASE ")) {
                JsonNode c = JSON.readTree(line.substring(5));
                results.put(c.path("name").asText(), c);
            }
        }
        assertThat(results).as(r.output()).hasSize(8);
    }

    @Test
    void qualifyingConvolutionsRunAsWinogradAndMatchADirectConvolution() {
        for (String name : new String[] {"avx512 batch 2, 16->32, 18x22", "avx512 48 channels, asymmetric padding",
                "avx512 24 channels, no padding", "avx2 16->16, 28x28", "avx512 64 channels, nothing fused after it"}) {
            JsonNode c = results.get(name);
            assertThat(c.path("winograd").asBoolean()).as(name).isTrue();
            assertThat(c.path("shape")).as(name).isEqualTo(c.path("want_shape"));
            assertThat(c.path("rel_err").asDouble()).as(name).isLessThan(1e-5);
        }
    }

    @Test
    void convolutionsItWouldNotSpeedUpStayDirect() {
        for (String name : new String[] {"3 input channels", "stride 2", "5x5 map"}) {
            JsonNode c = results.get(name);
            assertThat(c.path("winograd").asBoolean()).as(name).isFalse();
            assertThat(c.path("rel_err").asDouble()).as(name).isLessThan(1e-5);
        }
    }

    private static Path copy(Class<?> base, String resource, Path to) throws Exception {
        try (InputStream in = base.getResourceAsStream(resource)) {
            assertThat(in).as(resource).isNotNull();
            Files.copy(in, to);
        }
        return to;
    }
}
