package dev.sagebrush.notebook;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

/**
 * The lease owner name of this node for notebook instances, kept in the data directory: a server that restarts
 * (even after kill -9) is the same owner and takes its instances back at once, instead of waiting out its own leases.
 */
public final class NodeIdentity {
    private NodeIdentity() {}

    public static String loadOrCreate(Path file) throws IOException {
        if (Files.exists(file)) {
            String id = Files.readString(file).strip();
            if (!id.isEmpty()) return id;
        }
        Files.createDirectories(file.getParent());
        String id = "node-" + UUID.randomUUID();
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, id);
        Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        return id;
    }
}
