package dev.sagebrush.cli;

import dev.sagebrush.compilation.CompilationTarget;
import dev.sagebrush.compilation.CompilationTargets;
import dev.sagebrush.compilation.tvm.TvmCompiler;
import dev.sagebrush.compilation.toolchain.TargetArch;
import dev.sagebrush.compilation.toolchain.Toolchain;
import dev.sagebrush.jobs.sandbox.SandboxHost;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code bin/sagebrush doctor}: what this host can compile and verify, and what to install for the rest. */
@Command(name = "doctor", description = "Show what this host can compile and verify, per target architecture and device.")
public final class DoctorCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        Map<TargetArch, Toolchain.Availability> byArch = new EnumMap<>(TargetArch.class);
        System.out.println("Architectures (compile = cross-gcc + sysroot, verify = run natively or under qemu-user):");
        for (TargetArch arch : TargetArch.values()) {
            Toolchain.Availability a = Toolchain.available(arch);
            byArch.put(arch, a);
            System.out.printf("  %-8s compile: %-3s verify: %-3s %s%n", arch.id(), a.canCompile() ? "yes" : "NO",
                    a.canRun() ? "yes" : "NO", a.problems().isEmpty() ? "" : "- " + String.join("; ", a.problems()));
        }
        java.util.List<String> tvmMissing = TvmCompiler.missing();
        System.out.println();
        System.out.println("TVM (neural networks for every CPU target, DLR layout): " + (tvmMissing.isEmpty() ? "yes"
                : "NO - " + String.join("; ", tvmMissing) + "; ONNX, PYTORCH and TFLITE jobs fail saying so"));
        java.util.List<String> tfliteMissing = dev.sagebrush.compilation.tflite.TfliteTvmCompiler.missing();
        System.out.println("TFLITE (TVM's TFLite frontend, verified against Arm NN): " + (tvmMissing.isEmpty()
                && tfliteMissing.isEmpty() ? "yes" : "NO - " + String.join("; ", tvmMissing.isEmpty() ? tfliteMissing
                : tvmMissing)));
        System.out.println();
        System.out.println("Target devices (XGBOOST compiles for the device's CPU, and so do neural networks on accelerator devices;"
                + " ONNX, PYTORCH and TFLITE: TVM for every CPU):");
        for (CompilationTarget t : CompilationTargets.devices().values()) {
            String status;
            if (t.unsupported().isPresent()) {
                status = "not supported: " + t.unsupported().get();
            } else {
                TargetArch arch = t.hostArch().orElseThrow();
                Toolchain.Availability a = byArch.get(arch);
                status = arch.id() + (a.canCompile() && a.canRun() ? ", ready" : ", MISSING toolchain")
                        + (t.isCpuOnly() ? "" : " (CPU code; accelerator: " + t.accelerator().label() + ")")
                        + "; ONNX: " + (!tvmMissing.isEmpty() ? "no (no TVM on this host)"
                        : a.canCompile() && a.canRun() ? "yes (TVM)" : "no (MISSING toolchain)");
            }
            System.out.printf("  %-15s %s%n", t.name(), status);
        }
        System.out.println();
        System.out.println("Frameworks compiled: XGBOOST (every CPU target, DLR treelite layout), ONNX, PYTORCH and TFLITE "
                + "(TVM 0.18, every CPU target, DLR graph-executor layout; ONNX Runtime, torch and Arm NN only as "
                + "verification references). Others are checked and then fail with a clear reason.");
        System.out.println();
        SandboxHost sandbox = SandboxHost.probe();
        System.out.println("Sandboxes for untrusted work (compiler steps, training): " + sandbox.summary());
        if (!sandbox.available()) {
            System.out.println("  Without them this server refuses to compile models and run training jobs.");
        }
        System.out.println("Containers for training images (bring your own image, InstanceCount > 1): "
                + dev.sagebrush.training.container.ContainerEngine.detect(System.getenv()
                        .getOrDefault("SAGEBRUSH_CONTAINER_ENGINE", "auto"))
                        .map(e -> "available: " + e.summary())
                        .orElse("NOT available (install podman and runc); only images of the command registry and "
                                + "the built-in XGBoost algorithm run"));
        System.out.println("Training VolumeSizeInGB: " + (dev.sagebrush.jobs.sandbox.LoopVolumes.hostSupports()
                ? "enforced (each instance's /opt/ml is a loop-mounted ext4 image of that size)"
                : "NOT enforced (needs root, /dev/loop-control and e2fsprogs: apt-get install e2fsprogs mount)"));
        boolean allReady = byArch.values().stream().allMatch(a -> a.canCompile() && a.canRun());
        return allReady && sandbox.available() ? 0 : 1;
    }
}
