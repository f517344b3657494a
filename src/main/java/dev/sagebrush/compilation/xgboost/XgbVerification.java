package dev.sagebrush.compilation.xgboost;

import dev.sagebrush.compilation.toolchain.TargetArch;
import java.time.Duration;
import java.util.List;

/**
 * Outcome of running a compiled model on the target (natively or under qemu) against {@link ReferenceEvaluator},
 * through both of its ABIs: {@code neo_predict} and the Treelite ABI as DLR calls it. PASSED means every margin is
 * bit-identical and every transformed output is within {@code outputTolerance}
 * relative (transforms use the target's expf, the oracle Java's exp).
 *
 * @param edgeRows        rows built from the model's split thresholds (and NaNs); included in {@code rows}
 * @param marginMismatches margins whose bits differ from the oracle
 * @param detail          human-readable summary; on failure, the first differing row with both values
 * @param dlrReport       what the DLR harness saw: backend, library, num_feature, num_class, pred_transform ...
 */
public record XgbVerification(TargetArch arch, Status status, int rows, int edgeRows, int marginMismatches,
                              int outputMismatches, double maxAbsMarginDiff, double maxAbsOutputDiff,
                              double outputTolerance, String detail, List<String> harnessCompileCommand,
                              List<String> runCommand, Duration runTime, List<String> dlrHarnessCompileCommand,
                              List<String> dlrRunCommand, String dlrReport) {
    /** Verification result. */
    public enum Status { PASSED, FAILED }

    public boolean passed() { return status == Status.PASSED; }

    /** Returns this if it passed, else throws with the details. */
    public XgbVerification orThrow() throws XgbVerificationException {
        if (!passed()) {
            throw new XgbVerificationException("verification on " + arch.id() + " failed: " + detail);
        }
        return this;
    }
}
