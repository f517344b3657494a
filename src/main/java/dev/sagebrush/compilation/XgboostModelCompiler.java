package dev.sagebrush.compilation;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sagebrush.compilation.toolchain.SandboxedSteps;
import dev.sagebrush.compilation.toolchain.TargetArch;
import dev.sagebrush.compilation.toolchain.Toolchain;
import dev.sagebrush.compilation.toolchain.ToolchainException;
import dev.sagebrush.compilation.xgboost.XgbCompilation;
import dev.sagebrush.compilation.xgboost.XgbCompiler;
import dev.sagebrush.compilation.xgboost.XgbLoader;
import dev.sagebrush.compilation.xgboost.XgbModel;
import dev.sagebrush.compilation.xgboost.XgbModelException;
import dev.sagebrush.compilation.xgboost.XgbUnsupportedModelException;
import dev.sagebrush.compilation.xgboost.XgbVerification;
import dev.sagebrush.jobs.Cancellation;
import dev.sagebrush.jobs.sandbox.Sandboxes;
import dev.sagebrush.jobs.sandbox.UntrustedFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import software.amazon.awssdk.services.sagemaker.model.DescribeCompilationJobResponse;

/**
 * XGBOOST compilation: the model is loaded into a tree IR, emitted as C exporting our plain C ABI and both Treelite
 * ABI generations DLR loads, compiled with gcc or the target's cross-gcc, laid out as a DLR model directory
 * ({@link DlrLayout}), and run on the target (natively or under qemu-user) through both ABIs, loaded from that
 * directory as DLR does, against the Java reference evaluator before it is published. Tree models need no accelerator, so GPU and NPU devices get code for their host CPU, and the
 * manifest says so.
 */
public final class XgboostModelCompiler implements ModelCompiler {
    /** Per child process (gcc, harness); the job's own MaxRuntimeInSeconds cancels earlier. */
    private static final Duration STEP_TIMEOUT = Duration.ofMinutes(30);

    private final ArtifactPublisher publisher;
    private final Sandboxes sandboxes;

    /** @param sandboxes where gcc and the verification harness run: the job's own uid, its work directory only */
    public XgboostModelCompiler(ArtifactPublisher publisher, Sandboxes sandboxes) {
        this.publisher = publisher;
        this.sandboxes = sandboxes;
    }

    @Override
    public CompilationOutcome compile(DescribeCompilationJobResponse job, FrameworkInputs.ModelFiles model, Path workDir,
                                      Cancellation cancellation) {
        CompilationTarget target = CompilationTargets.of(job.outputConfig());
        TargetArch arch = hostArch(target);
        XgbModel loaded = load(model.main());
        cancellation.check();
        Path out = null;
        try (SandboxedSteps steps = CompilerSandbox.open(sandboxes, workDir)) {
            XgbCompilation compiled = XgbCompiler.compile(loaded, arch, workDir.resolve("build"), STEP_TIMEOUT, steps);
            cancellation.check();
            // The published directory is the server's own, beside the work directory and read-only to the harness: no
            // step can change what is verified and published, or leave a link there that the server would write through.
            out = CompilerSandbox.serverDir(workDir, "publish");
            Path content = dlrModelDirectory(workDir, out.resolve("artifact"), target, compiled);
            CompilerSandbox.shareReadOnly(out);
            steps.withReadOnly(out);
            // Verified in the directory that is published, as DLR would load it from there.
            XgbVerification verification = compiled.verify(content, STEP_TIMEOUT, steps);
            cancellation.check();
            if (!verification.passed()) {
                throw new CompilationFailure("InternalServerError: The compiled model did not reproduce the reference "
                        + "predictions on " + arch.id() + ", so it was not published: " + verification.detail());
            }
            ObjectNode manifest = XgboostManifest.of(job, target, compiled, verification);
            return publisher.publish(job, target.name(), content, DlrLayout.MANIFEST, manifest, out,
                    cancellation, null);
        } catch (ToolchainException e) {
            if (cancellation.isCancelled()) throw new Cancellation.CancelledException(cancellation.reason());
            throw new CompilationFailure("InternalServerError: Building for " + arch.id() + " failed: " + e.getMessage(), e);
        } catch (IOException e) {
            if (cancellation.isCancelled()) throw new Cancellation.CancelledException(cancellation.reason());
            throw new UncheckedIOException(e);
        } finally {
            CompilerSandbox.delete(out);
        }
    }

    /** compiled.so + compiled.meta at the top, the generated source under sagebrush/src (manifest added later). */
    private static Path dlrModelDirectory(Path workDir, Path content, CompilationTarget target,
                                          XgbCompilation compiled) throws IOException {
        Files.createDirectories(content);
        UntrustedFiles.copy(workDir, compiled.sharedObject(), content.resolve(DlrLayout.LIBRARY));
        Path src = Files.createDirectories(content.resolve(DlrLayout.SOURCE_DIR));
        UntrustedFiles.copy(workDir, compiled.source(), src.resolve(XgbCompiler.SOURCE_NAME));
        int nf = compiled.info().numFeature();
        DlrLayout.writeMeta(content, target.name(),
                new DlrLayout.Tensor[] {new DlrLayout.Tensor("data", "float32", new long[] {-1, nf})},
                new DlrLayout.Tensor[] {new DlrLayout.Tensor(null, "float32",
                        new long[] {-1, compiled.info().numTransformedOutput()})},
                false);
        return content;
    }

    private static TargetArch hostArch(CompilationTarget target) {
        if (target.unsupported().isPresent()) {
            throw new CompilationFailure("ClientError: CompilationError: Target " + target.name()
                    + " is not supported by this server: " + target.unsupported().get() + ".");
        }
        TargetArch arch = target.hostArch().orElseThrow();
        Toolchain.Availability available = Toolchain.available(arch);
        if (!available.canCompile() || !available.canRun()) {
            throw new CompilationFailure("InternalServerError: This server cannot build and verify code for " + arch.id()
                    + " (needed by " + target.name() + "): " + String.join("; ", available.problems())
                    + ". Install the Debian packages named there, or run `bin/sagebrush doctor` to see what this host can do.");
        }
        return arch;
    }

    private static XgbModel load(Path file) {
        try {
            return XgbLoader.load(file);
        } catch (XgbUnsupportedModelException e) {
            throw new CompilationFailure("ClientError: InputConfiguration: " + e.getMessage());
        } catch (XgbModelException e) {
            throw new CompilationFailure("ClientError: InputConfiguration: Unable to load the XGBoost model "
                    + file.getFileName() + ": " + e.getMessage());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
