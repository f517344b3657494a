package dev.sagebrush.bench;

import dev.sagebrush.compilation.toolchain.SandboxedSteps;
import dev.sagebrush.compilation.toolchain.StepRunner;
import dev.sagebrush.compilation.toolchain.TargetArch;
import dev.sagebrush.compilation.xgboost.XgbCompilation;
import dev.sagebrush.compilation.xgboost.XgbCompiler;
import dev.sagebrush.compilation.xgboost.XgbLoader;
import dev.sagebrush.compilation.xgboost.XgbModel;
import dev.sagebrush.jobs.sandbox.Limits;
import dev.sagebrush.jobs.sandbox.Output;
import dev.sagebrush.jobs.sandbox.SandboxSettings;
import dev.sagebrush.jobs.sandbox.SandboxSpec;
import dev.sagebrush.jobs.sandbox.SandboxedProcess;
import dev.sagebrush.jobs.sandbox.Sandboxes;
import dev.sagebrush.jobs.sandbox.UidPool;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What the sandboxes cost, side by side with running the same work unsandboxed as before (bench/sandbox/run.sh):
 *
 * <ol>
 *   <li>compile: an XGBoost model compiled for a target (load, emit C, gcc, build and run the verification harness,
 *       qemu for ARM), every step as a plain child process ({@link StepRunner#HOST}, as main did) vs. every step in
 *       the job's sandbox ({@link SandboxedSteps}), runs interleaved;</li>
 *   <li>start: a training process start to exit of {@code /bin/true}: ProcessBuilder with a cleared environment (as
 *       main's training runner did) vs. the training sandbox (uid lease, chown of the ml/ directory, cgroups, bwrap,
 *       setpriv, env), runs interleaved.</li>
 * </ol>
 * <pre>java -cp target/classes:target/test-classes:$(cat target/test-classpath.txt) dev.sagebrush.bench.SandboxBench
 *      MODEL ARCH WORK_DIR [COMPILE_RUNS] [START_RUNS]</pre>
 */
public final class SandboxBench {
    private SandboxBench() {}

    public static void main(String[] args) throws Exception {
        Path model = Path.of(args[0]);
        TargetArch arch = TargetArch.fromId(args[1]);
        Path work = Files.createDirectories(Path.of(args[2]));
        int compileRuns = args.length > 3 ? Integer.parseInt(args[3]) : 5;
        int startRuns = args.length > 4 ? Integer.parseInt(args[4]) : 50;
        Sandboxes sandboxes = Sandboxes.create(SandboxSettings.fromEnvironment(), work.resolve("sandbox-state"));
        sandboxes.requireAvailable();
        System.out.println("sandbox host: " + sandboxes.host().summary());

        XgbModel m = XgbLoader.load(model);
        double[] plain = new double[compileRuns];
        double[] boxed = new double[compileRuns];
        for (int k = -1; k < compileRuns; k++) { // run -1 warms the JVM and the page cache, not counted
            Path a = Files.createDirectories(work.resolve("plain-" + k));
            double tp = compile(m, arch, a, StepRunner.HOST);
            Path b = Files.createDirectories(work.resolve("sandboxed-" + k));
            double ts;
            try (SandboxedSteps steps = SandboxedSteps.open(sandboxes, b)) {
                ts = compile(m, arch, b, steps);
            }
            if (k >= 0) {
                plain[k] = tp;
                boxed[k] = ts;
                System.out.printf(Locale.ROOT, "compile run %d: plain %.3f s, sandboxed %.3f s%n", k + 1, tp, ts);
            }
        }
        double mp = median(plain), ms = median(boxed);
        System.out.printf(Locale.ROOT, "compile %s (%d trees) median of %d: plain %.3f s, sandboxed %.3f s, ratio %.3f%n",
                arch.id(), m.trees().size(), compileRuns, mp, ms, ms / mp);

        Path ml = Files.createDirectories(work.resolve("job").resolve("ml"));
        for (String d : List.of("input/config", "input/data/train", "model", "output/data")) {
            Files.createDirectories(ml.resolve(d));
        }
        Files.writeString(ml.resolve("input/data/train/rows.csv"), "1,2\n");
        double[] pStart = new double[startRuns];
        double[] sStart = new double[startRuns];
        Map<String, String> env = Map.of("PATH", "/usr/bin:/bin", "HOME", "/tmp", "SM_MODEL_DIR", "/opt/ml/model");
        for (int k = -3; k < startRuns; k++) {
            long t0 = System.nanoTime();
            ProcessBuilder pb = new ProcessBuilder("/bin/true").directory(ml.toFile()).redirectErrorStream(true);
            pb.environment().clear();
            pb.environment().putAll(env);
            Process p = pb.start();
            p.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
            p.waitFor();
            double tp = (System.nanoTime() - t0) / 1e6;
            long t1 = System.nanoTime();
            try (UidPool.Lease uid = sandboxes.uids().lease()) {
                SandboxSpec spec = SandboxSpec.builder("training", List.of("/bin/true")).uid(uid)
                        .readWrite(ml, Path.of("/opt/ml")).chdir(Path.of("/opt/ml")).env(env).network(true)
                        .hostname("algo-1").limits(Limits.TRAINING).build();
                try (SandboxedProcess sp = sandboxes.start(spec, Output.discard())) {
                    sp.exitCode();
                }
            }
            double ts = (System.nanoTime() - t1) / 1e6;
            if (k >= 0) {
                pStart[k] = tp;
                sStart[k] = ts;
            }
        }
        double sp = median(pStart), ss = median(sStart);
        System.out.printf(Locale.ROOT, "training start (/bin/true, start to exit) median of %d: plain %.1f ms, "
                + "sandboxed %.1f ms, overhead %.1f ms%n", startRuns, sp, ss, ss - sp);
    }

    static double compile(XgbModel m, TargetArch arch, Path dir, StepRunner steps) throws Exception {
        long t0 = System.nanoTime();
        XgbCompilation c = XgbCompiler.compile(m, arch, dir.resolve("build"), Duration.ofMinutes(5), steps);
        if (!c.verify(Duration.ofMinutes(5), steps).passed()) throw new IllegalStateException("verification failed");
        return (System.nanoTime() - t0) / 1e9;
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
