package dev.sagebrush.notebook.runtime;

import java.util.Optional;

/**
 * Runs notebook instances on some backend (local processes now; Kubernetes later). Every method may block and is
 * called from controller threads, never from request threads. Calls for one instance are never concurrent: the
 * controller serialises them.
 */
public interface NotebookRuntime extends AutoCloseable {

    /**
     * Prepares the volume, clones code repositories, runs OnCreate (the first time only) and OnStart, starts Jupyter
     * and returns once it answers. On failure everything it started is stopped again.
     */
    Upstream start(InstanceSpec spec) throws RuntimeFailure;

    /** Empty while the instance's Jupyter runs; why it stopped when it ended by itself; empty too if never started. */
    Optional<String> exitReason(InstanceKey key);

    boolean isRunning(InstanceKey key);

    /** Stops Jupyter and everything the instance started (lifecycle background jobs included). Idempotent. */
    void stop(InstanceKey key);

    /**
     * Clears what a previous server process may have left behind for this instance (after a crash of the server:
     * a Jupyter still running, a mounted volume). Idempotent; cheap when there is nothing.
     */
    void reset(InstanceKey key);

    /** Applies a new spec to a stopped instance (today: grows the volume). */
    void update(InstanceSpec spec) throws RuntimeFailure;

    /** Removes the instance's volume, user and directories. */
    void destroy(InstanceKey key);

    /** Where the instance's logs are: LifecycleConfigOnCreate.log, LifecycleConfigOnStart.log, jupyter.log. */
    java.nio.file.Path logDirectory(InstanceKey key);

    /** What this host can enforce, in words, for logs and docs. */
    String describeHost();

    /** Stops every running instance. */
    @Override
    void close();
}
