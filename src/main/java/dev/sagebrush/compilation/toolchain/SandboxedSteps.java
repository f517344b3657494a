package dev.sagebrush.compilation.toolchain;

import dev.sagebrush.jobs.sandbox.Limits;
import dev.sagebrush.jobs.sandbox.SandboxSpec;
import dev.sagebrush.jobs.sandbox.SandboxedProcess;
import dev.sagebrush.jobs.sandbox.Sandboxes;
import dev.sagebrush.jobs.sandbox.UidPool;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The compiler steps of one compilation job, each in a sandbox: the job's own uid (leased for the whole job), only its
 * work directory (read-write, at the same path, so commands keep their paths) plus the read-only extras a step needs
 * (the ONNX Runtime library for the target, the classpath of the ONNX Runtime child), no network, compiler limits.
 * Close it when the job ends, to give the uid back.
 */
public final class SandboxedSteps implements StepRunner, AutoCloseable {
    private final Sandboxes sandboxes;
    private final UidPool.Lease uid;
    private final Path workDir;
    private final List<Path> readOnly = new ArrayList<>();
    private final List<Path> writable = new ArrayList<>();
    private final List<Path[]> readOnlyAt = new ArrayList<>();
    private final List<Path[]> readWriteAt = new ArrayList<>();
    private Limits limits = Limits.COMPILER;

    private SandboxedSteps(Sandboxes sandboxes, UidPool.Lease uid, Path workDir) {
        this.sandboxes = sandboxes;
        this.uid = uid;
        this.workDir = workDir.toAbsolutePath().normalize();
    }

    /** Leases a uid for the job; refuses (SandboxUnavailableException) when this host cannot sandbox. */
    public static SandboxedSteps open(Sandboxes sandboxes, Path jobWorkDir) throws IOException {
        sandboxes.requireAvailable();
        return new SandboxedSteps(sandboxes, sandboxes.uids().lease(), jobWorkDir);
    }

    /** Shows {@code path} read-only to every later step (at the same path). */
    public SandboxedSteps withReadOnly(Path path) {
        Path p = path.toAbsolutePath().normalize();
        if (!readOnly.contains(p)) readOnly.add(p);
        return this;
    }

    /** Shows {@code path} read-write to every later step (at the same path; handed to the job's uid at each start). */
    public SandboxedSteps withWritable(Path path) {
        Path p = path.toAbsolutePath().normalize();
        if (!writable.contains(p)) writable.add(p);
        return this;
    }

    /** Shows {@code host} read-only to every later step at {@code inside} (e.g. inside the writable work directory). */
    public SandboxedSteps withReadOnly(Path host, Path inside) {
        Path[] m = {host.toAbsolutePath().normalize(), inside.toAbsolutePath().normalize()};
        if (readOnlyAt.stream().noneMatch(o -> o[1].equals(m[1]))) readOnlyAt.add(m);
        return this;
    }

    /** Shows {@code host} (inside the job's work directory) read-write to every later step at {@code inside}. */
    public SandboxedSteps withReadWrite(Path host, Path inside) {
        Path h = host.toAbsolutePath().normalize();
        if (!h.startsWith(workDir)) throw new IllegalArgumentException(host + " is not in the job's work directory");
        Path[] m = {h, inside.toAbsolutePath().normalize()};
        if (readWriteAt.stream().noneMatch(o -> o[1].equals(m[1]))) readWriteAt.add(m);
        return this;
    }

    public SandboxedSteps withLimits(Limits l) {
        this.limits = l;
        return this;
    }

    public Limits limits() { return limits; }

    public int uid() { return uid.uid(); }

    @Override
    public ProcessRunner.Result run(List<String> command, Path dir, Duration timeout) throws IOException {
        return runSandboxed("compile-step", command, dir, timeout, ProcessRunner.DEFAULT_OUTPUT_CAP).toRunnerResult();
    }

    /** As {@link #run}, also telling whether the memory limit was hit. */
    public Outcome runSandboxed(String name, List<String> command, Path dir, Duration timeout, int outputCap)
            throws IOException {
        SandboxSpec.Builder b = SandboxSpec.builder(name, command).uid(uid).readWrite(workDir)
                .chdir(dir == null ? workDir : dir.toAbsolutePath().normalize())
                // A deterministic locale keeps gcc diagnostics parseable and free of translated quotes.
                .env("LC_ALL", "C").env("PATH", "/usr/local/bin:/usr/bin:/bin").env("HOME", "/tmp")
                .env("TMPDIR", "/tmp").network(false).hostname("compiler").limits(limits);
        for (Path p : readOnly) b.readOnly(p);
        for (Path p : writable) b.readWrite(p);
        for (Path[] m : readWriteAt) b.readWrite(m[0], m[1]);
        for (Path[] m : readOnlyAt) b.readOnly(m[0], m[1]);
        try {
            SandboxedProcess.Result r = sandboxes.run(b.build(), timeout, outputCap);
            return new Outcome(r, limits);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running " + command.get(0), e);
        }
    }

    /** A sandboxed step's result. */
    public record Outcome(SandboxedProcess.Result result, Limits limits) {
        ProcessRunner.Result toRunnerResult() {
            String out = result.output();
            if (result.memoryExceeded()) {
                out += "\n[killed: the step exceeded its memory limit of " + Limits.bytes(limits.memoryBytes()) + "]";
            }
            return new ProcessRunner.Result(result.command(), result.exitCode(), result.timedOut(), out, 0,
                    result.elapsed());
        }
    }

    @Override
    public void close() {
        uid.close();
    }
}
