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

/** Builds and runs neo_harness.c for a compilation and compares its output with the reference evaluator. */
final class Verifier {
    /** Relative tolerance for transformed outputs (expf on the target vs Java's exp rounded to float). */
    static final double OUTPUT_TOLERANCE = 1e-6;

    record Run(XgbCompilation.HarnessOutput output, List<String> compileCommand, List<String> runCommand,
               Duration runTime) { }

    private Verifier() { }

    static XgbVerification verify(XgbCompilation c, VerificationRows rows, Duration timeout, StepRunner steps)
            throws ToolchainException, IOException {
        Run run = run(c, rows.rows, rows.nrow, timeout, steps);
        ReferenceEvaluator ref = new ReferenceEvaluator(c.model());
        float[] wantMargin = ref.margins(rows.rows, rows.nrow);
        float[] wantPred = ReferenceEvaluator.transform(c.model(), wantMargin, rows.nrow);
        float[] gotMargin = run.output().margins();
        float[] gotPred = run.output().predictions();
        int marginBad = 0;
        int predBad = 0;
        double maxMargin = 0;
        double maxPred = 0;
        String first = null;
        int ng = c.info().numOutput();
        int no = c.info().numTransformedOutput();
        for (int i = 0; i < wantMargin.length; i++) {
            double d = Math.abs((double) gotMargin[i] - wantMargin[i]);
            maxMargin = Double.isNaN(d) ? Double.NaN : Math.max(maxMargin, d);
            if (Float.floatToRawIntBits(gotMargin[i]) != Float.floatToRawIntBits(wantMargin[i])) {
                marginBad++;
                if (first == null) {
                    first = String.format("first margin mismatch at row %d column %d: compiled %s (0x%08x)"
                            + " vs reference %s (0x%08x)", i / ng, i % ng, gotMargin[i],
                            Float.floatToRawIntBits(gotMargin[i]), wantMargin[i],
                            Float.floatToRawIntBits(wantMargin[i]));
                }
            }
        }
        for (int i = 0; i < wantPred.length; i++) {
            double d = Math.abs((double) gotPred[i] - wantPred[i]);
            maxPred = Double.isNaN(d) ? Double.NaN : Math.max(maxPred, d);
            if (!(d <= OUTPUT_TOLERANCE * Math.max(1.0, Math.abs(wantPred[i])))) {
                predBad++;
                if (first == null) {
                    first = String.format("first output mismatch at row %d column %d: compiled %s vs reference %s",
                            i / no, i % no, gotPred[i], wantPred[i]);
                }
            }
        }
        boolean ok = marginBad == 0 && predBad == 0;
        String detail = String.format("%d rows (%d threshold/NaN edge rows): %d of %d margins differ in bits,"
                        + " %d of %d outputs outside %.0e relative; max |diff| margin %s, output %s%s",
                rows.nrow, rows.edgeRows, marginBad, wantMargin.length, predBad, wantPred.length, OUTPUT_TOLERANCE,
                maxMargin, maxPred, first == null ? "" : "; " + first);
        return new XgbVerification(c.arch(), ok ? XgbVerification.Status.PASSED : XgbVerification.Status.FAILED,
                rows.nrow, rows.edgeRows, marginBad, predBad, maxMargin, maxPred, OUTPUT_TOLERANCE, detail,
                run.compileCommand(), run.runCommand(), run.runTime());
    }

    static Run run(XgbCompilation c, float[] rows, int nrow, Duration timeout, StepRunner steps)
            throws ToolchainException, IOException {
        int nf = c.info().numFeature();
        if ((long) nrow * nf > rows.length) {
            throw new IllegalArgumentException("need " + ((long) nrow * nf) + " values, got " + rows.length);
        }
        Toolchain tc = Toolchain.forArch(c.arch(), steps);
        tc.availability().requireRunner();
        Path dir = Files.createTempDirectory(c.sharedObject().getParent(), "verify-");
        Path harnessSrc = dir.resolve("neo_harness.c");
        try (InputStream in = Verifier.class.getResourceAsStream("neo_harness.c")) {
            if (in == null) {
                throw new IllegalStateException("neo_harness.c resource missing from the build");
            }
            Files.copy(in, harnessSrc);
        }
        Path harness = dir.resolve("neo_harness");
        Toolchain.Compilation hc = tc.compileExecutable(List.of(harnessSrc), harness, List.of("-ldl"), timeout);
        Path in = dir.resolve("rows.f32");
        ByteBuffer b = ByteBuffer.allocate(nrow * nf * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(rows, 0, nrow * nf);
        Files.write(in, b.array());
        Path marginOut = dir.resolve("margin.f32");
        Path predOut = dir.resolve("pred.f32");
        ProcessRunner.Result r = tc.run(harness, List.of(c.sharedObject().toAbsolutePath().toString(),
                in.toString(), marginOut.toString(), predOut.toString()), dir, timeout);
        String expect = "num_feature=" + nf + " num_output=" + c.info().numOutput() + " nrow=" + nrow;
        if (!r.output().contains(expect)) {
            throw new ToolchainException("harness reported an unexpected shape (wanted '" + expect + "'):\n"
                    + r.output());
        }
        int ng = c.info().numOutput();
        float[] margins = readFloats(marginOut, nrow * ng);
        float[] preds = Arrays.copyOf(readFloats(predOut, nrow * ng), nrow * c.info().numTransformedOutput());
        return new Run(new XgbCompilation.HarnessOutput(margins, preds), hc.command(), r.command(), r.elapsed());
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
