package dev.sagebrush.compilation.xgboost;

import dev.sagebrush.compilation.toolchain.ProcessRunner;
import dev.sagebrush.compilation.toolchain.StepRunner;
import dev.sagebrush.compilation.toolchain.Toolchain;
import dev.sagebrush.compilation.toolchain.ToolchainException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * Builds and runs the two harnesses for a compilation, neo_harness.c (our batch ABI) and dlr_treelite_harness.c
 * (the Treelite ABI exactly as DLR loads and calls it), and compares their outputs with the reference evaluator.
 */
final class Verifier {
    /** Relative tolerance for transformed outputs (expf on the target vs Java's exp rounded to float). */
    static final double OUTPUT_TOLERANCE = 1e-6;

    record Run(XgbCompilation.HarnessOutput output, List<String> compileCommand, List<String> runCommand,
               Duration runTime) { }

    private Verifier() { }

    /** One ABI's outputs checked against the reference. */
    private static final class Tally {
        int marginBad;
        int predBad;
        double maxMargin;
        double maxPred;
        String first;

        void margins(String abi, float[] got, float[] want, int ng) {
            for (int i = 0; i < want.length; i++) {
                double d = Math.abs((double) got[i] - want[i]);
                maxMargin = Double.isNaN(d) ? Double.NaN : Math.max(maxMargin, d);
                if (Float.floatToRawIntBits(got[i]) != Float.floatToRawIntBits(want[i])) {
                    marginBad++;
                    if (first == null) {
                        first = String.format("first margin mismatch (%s) at row %d column %d: compiled %s (0x%08x)"
                                + " vs reference %s (0x%08x)", abi, i / ng, i % ng, got[i],
                                Float.floatToRawIntBits(got[i]), want[i], Float.floatToRawIntBits(want[i]));
                    }
                }
            }
        }

        void outputs(String abi, float[] got, float[] want, int no) {
            for (int i = 0; i < want.length; i++) {
                double d = Math.abs((double) got[i] - want[i]);
                maxPred = Double.isNaN(d) ? Double.NaN : Math.max(maxPred, d);
                if (!(d <= OUTPUT_TOLERANCE * Math.max(1.0, Math.abs(want[i])))) {
                    predBad++;
                    if (first == null) {
                        first = String.format("first output mismatch (%s) at row %d column %d: compiled %s vs "
                                + "reference %s", abi, i / no, i % no, got[i], want[i]);
                    }
                }
            }
        }
    }

    /**
     * Runs both ABIs on the target: {@code neo_predict} (batch, neo_harness.c on the library) and the Treelite ABI
     * as DLR calls it (dlr_treelite_harness.c on {@code modelDir}, which must be laid out as DLR expects), and
     * compares each with the reference: margins bit for bit, transformed outputs within {@link #OUTPUT_TOLERANCE}.
     */
    static XgbVerification verify(XgbCompilation c, Path modelDir, VerificationRows rows, Duration timeout,
                                  StepRunner steps) throws ToolchainException, IOException {
        Run run = run(c, rows.rows, rows.nrow, timeout, steps);
        DlrRun dlr = runDlr(c, modelDir, rows.rows, rows.nrow, timeout, steps);
        ReferenceEvaluator ref = new ReferenceEvaluator(c.model());
        float[] wantMargin = ref.margins(rows.rows, rows.nrow);
        float[] wantPred = ReferenceEvaluator.transform(c.model(), wantMargin, rows.nrow);
        int ng = c.info().numOutput();
        int no = c.info().numTransformedOutput();
        Tally t = new Tally();
        t.margins("neo_predict", run.output().margins(), wantMargin, ng);
        t.margins("treelite predict, pred_margin=1", dlr.output().margins(), wantMargin, ng);
        t.outputs("neo_predict", run.output().predictions(), wantPred, no);
        t.outputs("treelite predict as DLR calls it, pred_margin=0", dlr.output().predictions(), wantPred, no);
        boolean ok = t.marginBad == 0 && t.predBad == 0;
        String detail = String.format("%d rows (%d threshold/NaN edge rows) through neo_predict and the Treelite ABI"
                        + " (DLR): %d of %d margins differ in bits, %d of %d outputs outside %.0e relative;"
                        + " max |diff| margin %s, output %s%s",
                rows.nrow, rows.edgeRows, t.marginBad, 2 * wantMargin.length, t.predBad, 2 * wantPred.length,
                OUTPUT_TOLERANCE, t.maxMargin, t.maxPred, t.first == null ? "" : "; " + t.first);
        return new XgbVerification(c.arch(), ok ? XgbVerification.Status.PASSED : XgbVerification.Status.FAILED,
                rows.nrow, rows.edgeRows, t.marginBad, t.predBad, t.maxMargin, t.maxPred, OUTPUT_TOLERANCE, detail,
                run.compileCommand(), run.runCommand(), run.runTime(), dlr.compileCommand(), dlr.runCommand(),
                dlr.report());
    }

    record DlrRun(XgbCompilation.HarnessOutput output, List<String> compileCommand, List<String> runCommand,
                  String report) { }

    /** Runs dlr_treelite_harness.c on a DLR model directory; margins nrow x numOutput, predictions nrow x outputs. */
    static DlrRun runDlr(XgbCompilation c, Path modelDir, float[] rows, int nrow, Duration timeout, StepRunner steps)
            throws ToolchainException, IOException {
        int nf = c.info().numFeature();
        Toolchain tc = Toolchain.forArch(c.arch(), steps);
        tc.availability().requireRunner();
        Path dir = Files.createTempDirectory(c.sharedObject().getParent(), "verify-dlr-");
        Harness harness = buildHarness(tc, dir, "dlr_treelite_harness", timeout);
        Path in = writeRows(dir, rows, nrow, nf);
        Path marginOut = dir.resolve("margin.f32");
        Path predOut = dir.resolve("pred.f32");
        ProcessRunner.Result r = tc.run(harness.exe(), List.of(modelDir.toAbsolutePath().toString(), in.toString(),
                Integer.toString(nf), marginOut.toString(), predOut.toString()), dir, timeout);
        int ng = c.info().numOutput();
        int no = c.info().numTransformedOutput();
        String expect = "num_feature=" + nf + " num_class=" + ng + " out_size=" + no + " nrow=" + nrow;
        if (!r.output().contains(expect)) {
            throw new ToolchainException("DLR harness reported an unexpected shape (wanted '" + expect + "'):\n"
                    + r.output());
        }
        return new DlrRun(new XgbCompilation.HarnessOutput(readFloats(marginOut, nrow * ng), readFloats(predOut, nrow * no)),
                harness.command(), r.command(), r.output().strip());
    }

    static Run run(XgbCompilation c, float[] rows, int nrow, Duration timeout, StepRunner steps)
            throws ToolchainException, IOException {
        int nf = c.info().numFeature();
        Toolchain tc = Toolchain.forArch(c.arch(), steps);
        tc.availability().requireRunner();
        Path dir = Files.createTempDirectory(c.sharedObject().getParent(), "verify-");
        Harness harness = buildHarness(tc, dir, "neo_harness", timeout);
        Path in = writeRows(dir, rows, nrow, nf);
        Path marginOut = dir.resolve("margin.f32");
        Path predOut = dir.resolve("pred.f32");
        ProcessRunner.Result r = tc.run(harness.exe(), List.of(c.sharedObject().toAbsolutePath().toString(),
                in.toString(), marginOut.toString(), predOut.toString()), dir, timeout);
        String expect = "num_feature=" + nf + " num_output=" + c.info().numOutput() + " nrow=" + nrow;
        if (!r.output().contains(expect)) {
            throw new ToolchainException("harness reported an unexpected shape (wanted '" + expect + "'):\n"
                    + r.output());
        }
        int ng = c.info().numOutput();
        float[] margins = readFloats(marginOut, nrow * ng);
        float[] preds = Arrays.copyOf(readFloats(predOut, nrow * ng), nrow * c.info().numTransformedOutput());
        return new Run(new XgbCompilation.HarnessOutput(margins, preds), harness.command(), r.command(), r.elapsed());
    }

    private record Harness(Path exe, List<String> command) { }

    /** Copies the named C resource next to the rows and builds it with the target's toolchain. */
    private static Harness buildHarness(Toolchain tc, Path dir, String name, Duration timeout)
            throws ToolchainException, IOException {
        Path src = dir.resolve(name + ".c");
        try (InputStream in = Verifier.class.getResourceAsStream(name + ".c")) {
            if (in == null) {
                throw new IllegalStateException(name + ".c resource missing from the build");
            }
            Files.copy(in, src);
        }
        Path exe = dir.resolve(name);
        Toolchain.Compilation hc = tc.compileExecutable(List.of(src), exe, List.of("-ldl", "-lm"), timeout);
        return new Harness(exe, hc.command());
    }

    private static Path writeRows(Path dir, float[] rows, int nrow, int nf) throws IOException {
        if ((long) nrow * nf > rows.length) {
            throw new IllegalArgumentException("need " + ((long) nrow * nf) + " values, got " + rows.length);
        }
        Path in = dir.resolve("rows.f32");
        ByteBuffer b = ByteBuffer.allocate(nrow * nf * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(rows, 0, nrow * nf);
        Files.write(in, b.array());
        return in;
    }

    private static float[] readFloats(Path p, int n) throws IOException, ToolchainException {
        byte[] bytes = Files.readAllBytes(p);
        if (bytes.length != n * 4) {
            throw new ToolchainException("harness wrote " + bytes.length + " bytes to " + p.getFileName()
                    + ", expected " + (n * 4));
        }
        float[] out = new float[n];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
        return out;
    }
}
