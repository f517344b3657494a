package dev.sagebrush.training.container;

import dev.sagebrush.jobs.Commands;
import dev.sagebrush.jobs.sandbox.SandboxSettings;
import dev.sagebrush.jobs.sandbox.UidPool;
import dev.sagebrush.training.runner.ContainerBackend;
import dev.sagebrush.training.runner.HostLauncher;
import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The container backend of one server: its engine, where images come from ({@link ContainerImages}), the host uid
 * ranges its containers' user namespaces map to, and the label that marks its containers and networks as this
 * node's. At start-up it removes what a previous run of this node left (a crash, kill -9): the jobs those containers
 * ran are started again from the beginning anyway.
 */
public final class Containers implements ContainerBackend {
    private static final Logger log = LoggerFactory.getLogger(Containers.class);
    static final String OWNER_LABEL = "dev.sagebrush.owner";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final ContainerEngine engine;
    private final ContainerImages images;
    private final UidPool uidRanges;
    private final String owner;
    private final Optional<Path> memoryRoot;

    /**
     * @param uidRanges  host uid ranges for the containers' user namespaces (65536 uids each)
     * @param owner      this node's id: labels its containers and networks
     * @param memoryRoot the cgroup v1 memory hierarchy Sagebrush may make groups in ({@link ContainerCgroup}), when
     *                   the engine can use them
     */
    public Containers(ContainerEngine engine, ContainerImages images, UidPool uidRanges, String owner,
                      Optional<Path> memoryRoot) {
        this.engine = engine;
        this.images = images;
        this.uidRanges = uidRanges;
        this.owner = owner;
        this.memoryRoot = memoryRoot.filter(r -> engine.cgroupfsV1());
    }

    /**
     * The backend of a server, found when the first job needs it (detecting the engine runs it, which server start-up
     * should not wait for): empty when the host has no container engine ({@code engine} says which to prefer). Settings
     * are checked now; this node's leftovers are removed when the engine is first found.
     */
    public static Supplier<Optional<ContainerBackend>> lazily(String engine, Optional<Path> mapFile,
                                                             SandboxSettings sandbox, Optional<String> uids,
                                                             Optional<Path> memoryRoot, String owner)
            throws IOException {
        UidPool ranges = ContainerUids.pool(sandbox, uids.or(() -> Optional.ofNullable(
                System.getenv("SAGEBRUSH_CONTAINER_UIDS"))));
        if (mapFile.isPresent()) ContainerImages.operatorMapping(mapFile.get()); // a malformed file stops the server now
        return new Supplier<>() {
            private Optional<ContainerBackend> backend;

            @Override
            public synchronized Optional<ContainerBackend> get() {
                if (backend == null) {
                    backend = ContainerEngine.detect(engine).map(e -> {
                        log.info("Training images run as containers with {}", e.summary());
                        return new Containers(e, ContainerImages.load(e, mapFile), ranges, owner, memoryRoot)
                                .removeLeftovers();
                    });
                }
                return backend;
            }
        };
    }

    /** Removes the containers and networks a previous run of this node left behind. */
    public Containers removeLeftovers() {
        Commands.Result ps = engine.run(List.of("ps", "-a", "-q", "--filter", "label=" + OWNER_LABEL + "=" + owner),
                ContainerEngine.COMMAND_TIMEOUT);
        for (String id : ps.ok() ? ps.output().strip().split("\\s+") : new String[0]) {
            if (id.isBlank()) continue;
            log.info("Removing training container {} left by a previous run of this node", id);
            engine.run(engine.kind() == ContainerEngine.Kind.PODMAN ? List.of("rm", "-f", "-t", "0", id)
                    : List.of("rm", "-f", id), ContainerEngine.COMMAND_TIMEOUT);
        }
        Commands.Result nets = engine.run(List.of("network", "ls", "-q", "--filter", "label=" + OWNER_LABEL + "="
                + owner), ContainerEngine.COMMAND_TIMEOUT);
        for (String id : nets.ok() ? nets.output().strip().split("\\s+") : new String[0]) {
            if (!id.isBlank()) engine.run(List.of("network", "rm", "-f", id), ContainerEngine.COMMAND_TIMEOUT);
        }
        if (memoryRoot.isPresent()) ContainerCgroup.removeLeftovers(owner);
        return this;
    }

    @Override
    public Resolution resolve(String trainingImage) {
        return images.resolve(trainingImage);
    }

    @Override
    public HostLauncher launcher(String localImage) {
        return new ContainerLauncher(this, localImage);
    }

    ContainerEngine engine() {
        return engine;
    }

    UidPool uidRanges() {
        return uidRanges;
    }

    String owner() {
        return owner;
    }

    /** Where a container's own memory group goes, when this engine can use one ({@link ContainerCgroup}). */
    Optional<Path> memoryRoot() {
        return memoryRoot;
    }

    /** A name part no other container or network on the host has (several servers share one engine). */
    String newId() {
        byte[] b = new byte[6];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }
}
