package dev.sagebrush.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sagebrush.compilation.toolchain.TargetArch;
import dev.sagebrush.compilation.toolchain.Toolchain;
import dev.sagebrush.fuzz.HostileFuzzer;
import dev.sagebrush.testsupport.Prerequisites;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The short, bounded version of the hostile-input fuzz run (bench/fuzz/run.sh runs 100,000): 2,500 malformed or
 * hostile requests — SageMaker JSON, headers, signatures, S3, HTTP framing, and hostile models through
 * CreateCompilationJob — with zero 5xx, a signed call answered every 200 ms throughout, and no compilation job failing
 * as InternalServerError. Before the fixes of issue 8 this found s3proxy 500s (long keys, key-less multipart calls,
 * malformed XML, non-private ACL bodies).
 */
class FuzzIT {
    @Test
    void twoThousandFiveHundredHostileRequestsGetNoServerErrorAndTheServerKeepsAnswering() throws Exception {
        Toolchain.Availability x86 = Toolchain.available(TargetArch.X86_64);
        Prerequisites.require(x86.canCompile() && x86.canRun(), () -> "gcc for x86_64: " + x86.problems());
        try (ServerFixture fixture = ServerFixture.start(c -> c.withCompileWorkers(1)
                .withNotebooks(c.notebooks().withRunInstances(false)))) {
            long seed = System.nanoTime() % 1000; // a new seed each run; a failure names it (bench/fuzz/run.sh SEED=)
            HostileFuzzer.Report r = new HostileFuzzer(fixture.endpoint, "test", "test")
                    .run(2_500, 6, seed, 1_000, Duration.ofSeconds(40));
            assertThat(r.requests()).isGreaterThanOrEqualTo(2_500);
            assertThat(r.serverErrors()).as("seed " + seed + ": " + r.markdown()).isZero();
            assertThat(r.livenessChecks()).isPositive();
            assertThat(r.livenessFailures()).as("seed " + seed + ": " + r.markdown()).isZero();
            assertThat(r.compileInternalErrors()).as("seed " + seed + ": " + r.markdown()).isZero();
        }
    }
}
