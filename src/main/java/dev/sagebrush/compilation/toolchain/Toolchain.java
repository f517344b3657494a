package dev.sagebrush.compilation.toolchain;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * gcc / cross-gcc for one {@link TargetArch}, plus the way to run the target's binaries (natively or under
 * qemu-user). Every tool runs as a child process with a timeout through a {@link StepRunner} (in a sandbox for jobs:
 * {@link SandboxedSteps}); nothing native is loaded into the JVM.
 */
public final class Toolchain {
    /**
     * Flags common to every target. {@code -O2}: {@code -O3} made the branchless tree code 2x slower in the research.
     * {@code -std=c99} (ISO mode) and an explicit {@code -ffp-contract=off}: a fused multiply-add on aarch64/armv7
     * would change float rounding and break bit-exactness with XGBoost.
     */
    public static final List<String> COMMON_FLAGS = List.of("-std=c99", "-O2", "-ffp-contract=off", "-fno-fast-math");

    /** What one gcc invocation did. */
    public record Compilation(List<String> command, Duration elapsed, String output) {
        public String commandLine() { return String.join(" ", command); }
    }

    private final TargetArch arch;
    private final Availability availability;
    private final StepRunner steps;

    private Toolchain(TargetArch arch, Availability availability, StepRunner steps) {
        this.arch = arch;
        this.availability = availability;
        this.steps = steps;
    }

    /**
     * What this host has for {@code arch}: compiler, sysroot and emulator. Never throws; see
     * {@link Availability#requireCompiler()} and {@link Availability#requireRunner()}.
     */
    public static Availability available(TargetArch arch) {
        return available(arch, System.getenv("PATH"));
    }

    /** As {@link #available(TargetArch)} with an explicit PATH (tests simulate a bare host with it). */
    static Availability available(TargetArch arch, String pathEnv) {
        List<String> problems = new ArrayList<>();
        Path gcc = findOnPath(arch.gcc(), pathEnv);
        if (gcc == null) {
            problems.add(arch.gcc() + " not found on PATH; install the Debian package(s): " + arch.compilerPackages());
        }
        Path emulator = null;
        boolean sysroot = true;
        if (!arch.runsNatively()) {
            emulator = findOnPath(arch.qemu(), pathEnv);
            if (emulator == null) {
                problems.add(arch.qemu() + " not found on PATH; install the Debian package: " + arch.emulatorPackage());
            }
            sysroot = Files.isDirectory(Path.of(arch.sysroot(), "lib"));
            if (!sysroot) {
                problems.add("sysroot " + arch.sysroot() + " missing; install the Debian package(s): "
                        + arch.compilerPackages());
            }
        }
        return new Availability(arch, gcc, emulator, sysroot, List.copyOf(problems));
    }

    /** A toolchain that can at least compile for {@code arch}, running its tools unsandboxed (trusted input only). */
    public static Toolchain forArch(TargetArch arch) throws ToolchainUnavailableException {
        return forArch(arch, StepRunner.HOST);
    }

    /** A toolchain that can at least compile for {@code arch}, running each tool through {@code steps}. */
    public static Toolchain forArch(TargetArch arch, StepRunner steps) throws ToolchainUnavailableException {
        Availability a = available(arch);
        a.requireCompiler();
        return new Toolchain(arch, a, steps);
    }

    public TargetArch arch() { return arch; }

    public Availability availability() { return availability; }

    /** Compiles one C file into a position-independent shared object for the target. */
    public Compilation compileShared(Path cFile, Path soOut, Duration timeout) throws ToolchainException {
        List<String> cmd = baseCommand();
        cmd.addAll(List.of("-fPIC", "-shared", "-o", soOut.toString(), cFile.toString(), "-lm"));
        Compilation c = gcc(cmd, soOut.getParent(), timeout);
        ElfCheck.verify(soOut, arch);
        return c;
    }

    /** Compiles C files into an executable for the target (used for the verification harness). */
    public Compilation compileExecutable(List<Path> cFiles, Path exeOut, List<String> libs, Duration timeout)
            throws ToolchainException {
        List<String> cmd = baseCommand();
        cmd.addAll(List.of("-o", exeOut.toString()));
        cFiles.forEach(f -> cmd.add(f.toString()));
        cmd.addAll(libs);
        Compilation c = gcc(cmd, exeOut.getParent(), timeout);
        ElfCheck.verify(exeOut, arch);
        return c;
    }

    /** The command prefix that runs a target binary here: nothing on x86_64, qemu with the sysroot on ARM. */
    public List<String> runPrefix() throws ToolchainUnavailableException {
        availability.requireRunner();
        if (arch.runsNatively()) {
            return List.of();
        }
        return List.of(availability.emulator().toString(), "-L", arch.sysroot());
    }

    /** Runs a target executable natively or under qemu; a non-zero exit or timeout is an exception. */
    public ProcessRunner.Result run(Path exe, List<String> args, Path workDir, Duration timeout)
            throws ToolchainException {
        List<String> cmd = new ArrayList<>(runPrefix());
        cmd.add(exe.toString());
        cmd.addAll(args);
        ProcessRunner.Result r = runProcess(cmd, workDir, timeout);
        if (!r.ok()) {
            throw new ToolchainException((r.timedOut() ? "timed out after " + timeout.toMillis() + " ms: "
                    : "exit code " + r.exitCode() + ": ") + r.commandLine() + "\n" + r.output());
        }
        return r;
    }

    private List<String> baseCommand() {
        List<String> cmd = new ArrayList<>();
        cmd.add(availability.compiler().toString());
        cmd.addAll(COMMON_FLAGS);
        cmd.addAll(arch.archFlags());
        return cmd;
    }

    private Compilation gcc(List<String> cmd, Path workDir, Duration timeout) throws ToolchainException {
        ProcessRunner.Result r = runProcess(cmd, workDir, timeout);
        if (r.timedOut()) {
            throw new ToolchainException("gcc timed out after " + timeout.toMillis() + " ms: " + r.commandLine());
        }
        if (r.exitCode() != 0) {
            throw new ToolchainException("gcc failed with exit code " + r.exitCode() + ": " + r.commandLine()
                    + "\n" + r.output());
        }
        return new Compilation(r.command(), r.elapsed(), r.output());
    }

    private ProcessRunner.Result runProcess(List<String> cmd, Path workDir, Duration timeout)
            throws ToolchainException {
        try {
            return steps.run(cmd, workDir, timeout);
        } catch (IOException e) {
            throw new ToolchainException("could not start " + cmd.get(0) + ": " + e.getMessage(), e);
        }
    }

    static Path findOnPath(String name, String path) {
        if (path == null) {
            return null;
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            Path p = Path.of(dir, name);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }

    /** What the host offers for one target. {@code compiler}/{@code emulator} are null when missing. */
    public record Availability(TargetArch arch, Path compiler, Path emulator, boolean sysrootPresent,
                               List<String> problems) {
        public boolean canCompile() { return compiler != null && sysrootPresent; }

        public boolean canRun() { return arch.runsNatively() || (emulator != null && sysrootPresent); }

        public void requireCompiler() throws ToolchainUnavailableException {
            if (!canCompile()) {
                throw new ToolchainUnavailableException("cannot compile for " + arch.id() + ": "
                        + String.join("; ", problems));
            }
        }

        public void requireRunner() throws ToolchainUnavailableException {
            if (!canRun()) {
                throw new ToolchainUnavailableException("cannot run " + arch.id() + " binaries on this host: "
                        + String.join("; ", problems));
            }
        }
    }
}
