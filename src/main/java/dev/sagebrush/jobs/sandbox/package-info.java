/**
 * Sandboxes for untrusted work, made with bubblewrap: every uploaded model's compiler step, every training process,
 * (and, for the notebook runtime, Jupyter, its kernels and lifecycle scripts) runs through here, never inside the
 * server JVM and never as the server's user.
 *
 * <h2>Usage</h2>
 * <pre>{@code
 * Sandboxes sandboxes = ...;                        // one per server: Sandboxes.create(SandboxSettings, stateDir)
 * sandboxes.requireAvailable();                     // SandboxUnavailableException: refuse the work, say why
 * try (UidPool.Lease uid = sandboxes.uids().lease()) {   // a host uid of its own, for as long as it runs
 *     SandboxSpec spec = SandboxSpec.builder("gcc", List.of("/usr/bin/gcc", "-c", "model.c"))
 *             .uid(uid)
 *             .readWrite(workDir)                   // chowned to the uid, 0700, bound at the same path
 *             .readOnly(modelDir, Path.of("/opt/ml/model"))   // or at a contract path
 *             .chdir(workDir)
 *             .env("LC_ALL", "C")                   // nothing is inherited; HOME, TMPDIR, ... are yours to set
 *             .network(false)                       // default: a network namespace of its own (loopback only)
 *             .limits(Limits.COMPILER.withMemory(2L << 30))
 *             .build();
 *     SandboxedProcess.Result r = sandboxes.run(spec, Duration.ofMinutes(5), 64 * 1024);   // start + await
 *     // or: try (SandboxedProcess p = sandboxes.start(spec, Output.capped(64 * 1024))) {
 *     //         cancellation.onCancel(p::kill); p.await(timeout) / p.terminate(grace) }
 *     if (r.memoryExceeded()) ...                    // the cgroup's OOM killer acted
 * }
 * }</pre>
 *
 * <h2>What a sandbox is</h2>
 * The server (root) starts {@code sh} (joins the sandbox's cgroup v1 memory and pids groups) → {@code prlimit}
 * (RLIMIT_NOFILE, NPROC, FSIZE, CORE=0, optional CPU; RLIMIT_AS only when there is no memory cgroup) → {@code bwrap}
 * with its own pid, ipc, uts, cgroup and (unless {@code network(true)}) network namespaces, {@code --die-with-parent},
 * {@code --new-session}; mounts: /usr read-only (with /bin, /lib, ... as on the host), a minimal read-only /etc (loader
 * cache, alternatives, TLS roots, time zone, Java config) with a generated passwd/group, fresh /proc, minimal /dev, a
 * private size-limited tmpfs /tmp, and the spec's own mounts. Nothing else: not the data directory, the database, the
 * keys, other jobs. Inside, {@code setpriv} switches to the spec's uid with no capabilities and no_new_privs before
 * anything of the workload runs; {@code env -i} then sets exactly the spec's environment (so LD_PRELOAD and friends
 * only ever reach the workload's own uid). With {@code rootInUserNamespace(true)} the workload is uid 0 in a user
 * namespace mapped to its own host uid (root for it, nobody on the host).
 *
 * <p>The launch steps that run as root take nothing from the workload but arguments: their environment is a fixed
 * PATH. Bwrap runs as root (not in a user namespace) because only root can reach the 0700 data directory to bind a
 * job's own directory, and only root can hand the workload a host uid other than its own.
 */
package dev.sagebrush.jobs.sandbox;
