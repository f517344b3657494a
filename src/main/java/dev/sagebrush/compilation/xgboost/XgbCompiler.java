package dev.sagebrush.compilation.xgboost;

import dev.sagebrush.compilation.toolchain.StepRunner;
import dev.sagebrush.compilation.toolchain.TargetArch;
import dev.sagebrush.compilation.toolchain.Toolchain;
import dev.sagebrush.compilation.toolchain.ToolchainException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * XGBoost model file → C → shared object for one target: the Treelite-style pipeline of frontend (XgbLoader), IR
 * (XgbModel), code generation (CEmitter) and toolchain (gcc / cross-gcc as a child process). Verification is a
 * separate step on the result ({@link XgbCompilation#verify}), so a job controller can record each stage.
 */
public final class XgbCompiler {
    /** File names inside {@code workDir/<arch>/}, matching the artifact layout of the design. */
    public static final String SOURCE_NAME = "model.c";
    public static final String LIBRARY_NAME = "compiled.so";

    private XgbCompiler() { }

    /**
     * Loads, generates C and compiles for {@code arch} into {@code workDir/<arch.id()>/}.
     *
     * @param timeout limit for the gcc child process
     * @throws XgbUnsupportedModelException the model uses a feature the compiler does not implement
     * @throws XgbModelException            the file is not a valid XGBoost model
     * @throws ToolchainException           gcc missing (ToolchainUnavailableException), failed, timed out, or
     *                                      produced an ELF for the wrong target
     */
    public static XgbCompilation compile(Path modelFile, TargetArch arch, Path workDir, Duration timeout)
            throws XgbModelException, ToolchainException, IOException {
        return compile(XgbLoader.load(modelFile), arch, workDir, timeout);
    }

    /** Same, from an already loaded model (lets a job load once and compile for several targets). */
    public static XgbCompilation compile(XgbModel model, TargetArch arch, Path workDir, Duration timeout)
            throws ToolchainException, IOException {
        return compile(model, arch, workDir, timeout, StepRunner.HOST);
    }

    /** Same, running gcc through {@code steps} (a job's sandbox). */
    public static XgbCompilation compile(XgbModel model, TargetArch arch, Path workDir, Duration timeout,
                                         StepRunner steps) throws ToolchainException, IOException {
        Toolchain tc = Toolchain.forArch(arch, steps);
        Path dir = Files.createDirectories(workDir.resolve(arch.id()));
        long t0 = System.nanoTime();
        Path source = dir.resolve(SOURCE_NAME);
        Files.writeString(source, CEmitter.emit(model), StandardCharsets.US_ASCII);
        Duration emit = Duration.ofNanos(System.nanoTime() - t0);
        Path so = dir.resolve(LIBRARY_NAME);
        Toolchain.Compilation c = tc.compileShared(source, so, timeout);
        return new XgbCompilation(arch, so, source, c.command(), XgbModelInfo.of(model), emit, c.elapsed(), model);
    }
}
