package dev.sagebrush.compilation.xgboost;

import dev.sagebrush.compilation.toolchain.TargetArch;
import dev.sagebrush.compilation.toolchain.ToolchainException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A compiled model for one target.
 *
 * @param sharedObject   the ELF shared object (verified for the target's class, machine and float ABI)
 * @param source         the generated C file
 * @param compileCommand the exact gcc command line that built {@code sharedObject}
 * @param emitTime       Java code generation time
 * @param compileTime    gcc wall time
 * @param model          the loaded IR (the verification oracle works from it)
 */
public record XgbCompilation(TargetArch arch, Path sharedObject, Path source, List<String> compileCommand,
                             XgbModelInfo info, Duration emitTime, Duration compileTime, XgbModel model) {
    /** Default count of seeded random rows added to the threshold/NaN edge rows. */
    public static final int DEFAULT_RANDOM_ROWS = 512;

    /** {@link #verify(int, long, Duration)} with {@link #DEFAULT_RANDOM_ROWS} rows and a fixed seed. */
    public XgbVerification verify(Duration timeout) throws ToolchainException, IOException {
        return verify(DEFAULT_RANDOM_ROWS, 7L, timeout);
    }

    /** {@link #verify(Duration)}, building and running the harnesses through {@code steps} (a job's sandbox). */
    public XgbVerification verify(Duration timeout, dev.sagebrush.compilation.toolchain.StepRunner steps)
            throws ToolchainException, IOException {
        return verify(sharedObject.getParent(), timeout, steps);
    }

    /**
     * As {@link #verify(Duration)}, with DLR loading the model from {@code modelDir} (the directory about to be
     * published: its top-level files must be what DLR's tree backend accepts, and its {@code compiled.so} this
     * compilation's library).
     */
    public XgbVerification verify(Path modelDir, Duration timeout, dev.sagebrush.compilation.toolchain.StepRunner steps)
            throws ToolchainException, IOException {
        return Verifier.verify(this, modelDir, VerificationRows.generate(model, DEFAULT_RANDOM_ROWS, 7L), timeout,
                steps);
    }

    /**
     * Builds the harnesses with the same toolchain, runs them on the target (natively or under qemu) on threshold,
     * near-threshold, NaN and seeded random rows, through {@code neo_predict} and through the Treelite ABI as DLR
     * calls it (loading the model from the build directory), and compares with {@link ReferenceEvaluator}.
     *
     * @param timeout limit for each child process (harness compile, harness run)
     * @throws ToolchainException the harness could not be built or run (distinct from a FAILED comparison)
     */
    public XgbVerification verify(int randomRows, long seed, Duration timeout) throws ToolchainException, IOException {
        return Verifier.verify(this, sharedObject.getParent(), VerificationRows.generate(model, randomRows, seed),
                timeout, dev.sagebrush.compilation.toolchain.StepRunner.HOST);
    }

    /** Runs the compiled code on given rows (row-major, NaN = missing); returns its margins and predictions. */
    public HarnessOutput run(float[] rows, int nrow, Duration timeout) throws ToolchainException, IOException {
        return Verifier.run(this, rows, nrow, timeout, dev.sagebrush.compilation.toolchain.StepRunner.HOST).output();
    }

    /**
     * Runs the library through the Treelite ABI exactly as DLR loads and calls it, from {@code modelDir}: margins
     * ({@code pred_margin = 1}) and DLR's outputs ({@code pred_margin = 0}, transformed inside the library).
     */
    public HarnessOutput runThroughDlr(Path modelDir, float[] rows, int nrow, Duration timeout)
            throws ToolchainException, IOException {
        return Verifier.runDlr(this, modelDir, rows, nrow, timeout, dev.sagebrush.compilation.toolchain.StepRunner.HOST)
                .output();
    }

    /**
     * Raw outputs of the compiled code: {@code margins} is {@code nrow x info.numOutput()}, {@code predictions}
     * is {@code nrow x info.numTransformedOutput()}.
     */
    public record HarnessOutput(float[] margins, float[] predictions) { }
}
