package dev.sagebrush.training.runner;

import dev.sagebrush.storage.ObjectStorage;
import dev.sagebrush.storage.S3Uri;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;

/**
 * Packs and uploads what a job leaves behind: {@code model/} becomes {@code <S3OutputPath>/<job>/output/model.tar.gz}
 * (or, with OutputDataConfig CompressionType NONE, the files themselves under {@code .../output/model/}), and a
 * non-empty {@code output/data/} becomes {@code .../output/output.tar.gz}.
 *
 * <p>Symbolic links are not followed or archived: a training script could otherwise point one at any file the server
 * can read and have it uploaded.
 */
final class Artifacts {
    private Artifacts() {}

    /** The artifact location of a job, known from the moment it is created. */
    static S3Uri modelLocation(String s3OutputPath, String jobName, boolean compressed) {
        S3Uri output = S3Uri.parse(s3OutputPath).resolve(jobName + "/output/");
        return compressed ? output.resolve("model.tar.gz") : output.resolve("model/");
    }

    static void uploadModel(ObjectStorage storage, Path modelDir, S3Uri location, Path scratch, boolean compressed)
            throws IOException {
        if (compressed) {
            Path archive = scratch.resolve("model.tar.gz");
            tarGz(modelDir, archive);
            storage.upload(archive, location.requireWritable());
            Files.deleteIfExists(archive);
        } else {
            for (Path f : regularFiles(modelDir)) {
                storage.upload(f, location.resolve(modelDir.relativize(f).toString().replace('\\', '/')).requireWritable());
            }
        }
    }

    /** Uploads output/data as output.tar.gz next to the model, when the job wrote anything there. */
    static void uploadOutputData(ObjectStorage storage, Path outputData, S3Uri outputDir, Path scratch) throws IOException {
        if (regularFiles(outputData).isEmpty()) return;
        Path archive = scratch.resolve("output.tar.gz");
        tarGz(outputData, archive);
        storage.upload(archive, outputDir.resolve("output.tar.gz").requireWritable());
        Files.deleteIfExists(archive);
    }

    static void tarGz(Path dir, Path archive) throws IOException {
        try (OutputStream file = new BufferedOutputStream(Files.newOutputStream(archive));
             GzipCompressorOutputStream gz = new GzipCompressorOutputStream(file);
             TarArchiveOutputStream tar = new TarArchiveOutputStream(gz)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            try (Stream<Path> walk = Files.walk(dir)) {
                for (Path p : (Iterable<Path>) walk.sorted()::iterator) {
                    if (p.equals(dir) || Files.isSymbolicLink(p)) continue;
                    String name = dir.relativize(p).toString().replace('\\', '/');
                    boolean isDir = Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS);
                    if (!isDir && !Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) continue;
                    TarArchiveEntry entry = new TarArchiveEntry(p.toFile(), isDir ? name + "/" : name);
                    tar.putArchiveEntry(entry);
                    if (!isDir) Files.copy(p, tar);
                    tar.closeArchiveEntry();
                }
            }
            tar.finish();
        }
    }

    static List<Path> regularFiles(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) return List.of();
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)).sorted().toList();
        }
    }
}
