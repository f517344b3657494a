package dev.sagebrush;

import java.io.IOException;
import java.nio.file.Path;

/** Placeholder replaced when safe extraction lands from the storage package. */
final class Archives {
    private Archives() {}

    static void extractModel(Path archive, Path destination) throws IOException {
        throw new IOException("archive extraction is not available");
    }
}
