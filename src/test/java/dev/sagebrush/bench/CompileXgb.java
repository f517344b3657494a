package dev.sagebrush.bench;

import dev.sagebrush.compilation.toolchain.TargetArch;
import dev.sagebrush.compilation.xgboost.XgbCompilation;
import dev.sagebrush.compilation.xgboost.XgbCompiler;
import dev.sagebrush.compilation.xgboost.XgbLoader;
import dev.sagebrush.compilation.xgboost.XgbModel;
import dev.sagebrush.compilation.xgboost.XgbVerification;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Benchmark entry point (bench/xgboost/run.sh), not part of the server: compiles an XGBoost model with Sagebrush's
 * own compiler ({@link XgbCompiler}) and times it.
 *
 * <pre>
 * java -cp target/classes:target/test-classes:$(cat target/test-classpath.txt) dev.sagebrush.bench.CompileXgb \
 *      MODEL OUT_DIR ARCH[,ARCH...] [RUNS] [--verify]
 * </pre>
 *
 * For every arch, RUNS times (default 1): load the model file, emit C, run gcc into OUT_DIR/run-K/&lt;arch&gt;/. Each run
 * is timed as load + emit + gcc, wall clock, in this one JVM (run 1 is JVM-cold). Prints one line per run and one
 * "median" line per arch; the last run's compiled.so is copied to OUT_DIR/&lt;arch&gt;/compiled.so. With --verify the
 * last compilation is also run through the compiler's own verifier (threshold/NaN/random rows against the Java
 * reference evaluator; qemu for ARM).
 */
public final class CompileXgb {
    private CompileXgb() { }

    public static void main(String[] args) throws Exception {
        List<String> pos = new ArrayList<>();
        boolean verify = false;
        for (String a : args) {
            if (a.equals("--verify")) {
                verify = true;
            } else {
                pos.add(a);
            }
        }
        if (pos.size() < 3) {
            System.err.println("usage: CompileXgb MODEL OUT_DIR ARCH[,ARCH...] [RUNS] [--verify]");
            System.exit(2);
        }
        Path model = Path.of(pos.get(0));
        Path out = Path.of(pos.get(1));
        int runs = pos.size() > 3 ? Integer.parseInt(pos.get(3)) : 1;
        Duration timeout = Duration.ofMinutes(5);
        for (String id : pos.get(2).split(",")) {
            TargetArch arch = TargetArch.fromId(id.trim());
            double[] total = new double[runs];
            double[] load = new double[runs];
            double[] emit = new double[runs];
            double[] gcc = new double[runs];
            XgbCompilation last = null;
            for (int k = 0; k < runs; k++) {
                long t0 = System.nanoTime();
                XgbModel m = XgbLoader.load(model);
                long t1 = System.nanoTime();
                XgbCompilation c = XgbCompiler.compile(m, arch, out.resolve("run-" + (k + 1)), timeout);
                long t2 = System.nanoTime();
                total[k] = (t2 - t0) / 1e9;
                load[k] = (t1 - t0) / 1e9;
                emit[k] = c.emitTime().toNanos() / 1e9;
                gcc[k] = c.compileTime().toNanos() / 1e9;
                System.out.printf(Locale.ROOT, "compile arch=%s run=%d total_s=%.3f load_s=%.3f emit_s=%.3f gcc_s=%.3f"
                                + " trees=%d nodes=%d c_bytes=%d so_bytes=%d%n", arch.id(), k + 1, total[k], load[k],
                        emit[k], gcc[k], c.info().numTrees(), c.info().totalNodes(), Files.size(c.source()),
                        Files.size(c.sharedObject()));
                last = c;
            }
            System.out.printf(Locale.ROOT, "median arch=%s runs=%d total_s=%.3f load_s=%.3f emit_s=%.3f gcc_s=%.3f"
                            + " command=\"%s\"%n", arch.id(), runs, median(total), median(load), median(emit),
                    median(gcc), String.join(" ", last.compileCommand()));
            Path dir = Files.createDirectories(out.resolve(arch.id()));
            Files.copy(last.sharedObject(), dir.resolve(XgbCompiler.LIBRARY_NAME),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            Files.copy(last.source(), dir.resolve(XgbCompiler.SOURCE_NAME),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            if (verify) {
                XgbVerification v = last.verify(timeout);
                System.out.printf(Locale.ROOT, "verify arch=%s status=%s rows=%d edge_rows=%d margin_mismatches=%d"
                                + " output_mismatches=%d%n", arch.id(), v.status(), v.rows(), v.edgeRows(),
                        v.marginMismatches(), v.outputMismatches());
                if (!v.passed()) {
                    System.out.println("verify detail: " + v.detail());
                    System.exit(1);
                }
            }
        }
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }
}
