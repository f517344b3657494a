package dev.sagebrush.compilation.tvm;

import dev.sagebrush.compilation.toolchain.ProcessRunner;
import dev.sagebrush.compilation.toolchain.Toolchain;
import dev.sagebrush.compilation.toolchain.ToolchainException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs a DLR graph-executor artifact on its target CPU: tvm_graph_run.c (a minimal graph executor that loads
 * {@code compiled.so} and {@code compiled.params} itself, as DLR does) is built with the target's gcc and run natively
 * on x86_64 or under qemu-user on ARM, once per input set.
 */
public final class GraphRunner {
    /** What ran, and the output files of each input set (raw little-endian, one per graph output). */
    public record Run(List<List<Path>> outputs, List<String> compileCommand, List<String> runCommand, Duration elapsed,
                      String report) {}

    private GraphRunner() {}

    public static Run run(Toolchain tc, Path modelDir, Path graphJson, List<String> inputNames,
                          List<List<Path>> inputSets, Path workDir, Duration timeout)
            throws ToolchainException, IOException {
        tc.availability().requireRunner();
        Path dir = Files.createDirectories(workDir);
        Path plan = dir.resolve("plan.txt");
        List<GraphPlan.Output> outputs;
        try {
            outputs = GraphPlan.write(graphJson, inputNames, plan);
        } catch (IllegalArgumentException e) {
            throw new ToolchainException("the graph cannot be run by the verifier: " + e.getMessage());
        }
        Path src = dir.resolve("tvm_graph_run.c");
        try (InputStream in = GraphRunner.class.getResourceAsStream("tvm_graph_run.c")) {
            if (in == null) throw new IllegalStateException("tvm_graph_run.c resource missing from the build");
            Files.copy(in, src, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        Path exe = dir.resolve("tvm_graph_run");
        Toolchain.Compilation cc = tc.compileExecutable(List.of(src), exe, List.of("-ldl", "-lm"), timeout);
        List<List<Path>> results = new ArrayList<>();
        List<String> lastCmd = List.of();
        StringBuilder report = new StringBuilder();
        long t0 = System.nanoTime();
        for (int s = 0; s < inputSets.size(); s++) {
            String prefix = dir.resolve("set-" + s + "-out-").toAbsolutePath().toString();
            List<String> args = new ArrayList<>(List.of(modelDir.toAbsolutePath().toString(), plan.toString(), prefix));
            inputSets.get(s).forEach(p -> args.add(p.toAbsolutePath().toString()));
            ProcessRunner.Result r = tc.run(exe, args, dir, timeout);
            lastCmd = r.command();
            report.setLength(0);
            report.append(r.output().strip());
            List<Path> outs = new ArrayList<>();
            for (int k = 0; k < outputs.size(); k++) outs.add(Path.of(prefix + k + ".bin"));
            results.add(outs);
        }
        return new Run(results, cc.command(), lastCmd, Duration.ofNanos(System.nanoTime() - t0), report.toString());
    }
}
