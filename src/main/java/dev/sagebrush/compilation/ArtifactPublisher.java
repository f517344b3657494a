package dev.sagebrush.compilation;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sagebrush.jobs.Cancellation;
import dev.sagebrush.storage.AccountStorage;
import dev.sagebrush.storage.ObjectStorage;
import dev.sagebrush.storage.S3Uri;
import dev.sagebrush.storage.TarGz;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.bouncycastle.crypto.digests.Blake2bDigest;
import software.amazon.awssdk.services.sagemaker.model.DescribeCompilationJobResponse;

/**
 * Packs a compiled model directory as Neo does, {@code <S3OutputLocation>/<input archive name>-<target>.tar.gz},
 * with a {@code manifest.json} listing every file's size and sha256, uploads it, and returns its location and BLAKE2b
 * digest. The upload is the job's last step: if the job was stopped meanwhile the object is removed again, so
 * nothing of a stopped or failed job stays in the output location.
 */
public final class ArtifactPublisher {
    public static final String MANIFEST = "manifest.json";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final AccountStorage storage;

    /** @param storage the artifact is written as the job's account: to its own buckets only */
    public ArtifactPublisher(AccountStorage storage) {
        this.storage = storage;
    }

    public static ObjectNode newManifest() {
        return JSON.createObjectNode();
    }

    /** The artifact's object name: the input archive's name without .tar.gz, a dash, and the target. */
    static String artifactName(String inputUri, String target) {
        String name = inputUri.substring(inputUri.lastIndexOf('/') + 1);
        for (String ext : List.of(".tar.gz", ".tgz", ".gz", ".tar")) {
            if (name.endsWith(ext)) {
                name = name.substring(0, name.length() - ext.length());
                break;
            }
        }
        return (name.isEmpty() ? "model" : name) + "-" + target + ".tar.gz";
    }

    /** Where the compiled model of {@code job} for {@code target} goes; IllegalArgumentException for a bad URI. */
    static S3Uri artifactLocation(DescribeCompilationJobResponse job, String target) {
        return S3Uri.parse(job.outputConfig().s3OutputLocation()).resolve(artifactName(job.inputConfig().s3Uri(), target));
    }

    public CompilationOutcome publish(DescribeCompilationJobResponse job, String target, Path contentDir,
                                      ObjectNode manifest, Path workDir, Cancellation cancellation,
                                      String derivedDataInputConfig) {
        return publish(job, target, contentDir, MANIFEST, manifest, workDir, cancellation, derivedDataInputConfig);
    }

    /**
     * As above, with the manifest written to {@code manifestPath} inside {@code contentDir} (a DLR model directory
     * keeps it in a subfolder: DLR refuses a second top-level {@code .json}).
     */
    public CompilationOutcome publish(DescribeCompilationJobResponse job, String target, Path contentDir,
                                      String manifestPath, ObjectNode manifest, Path workDir,
                                      Cancellation cancellation, String derivedDataInputConfig) {
        try {
            Path manifestFile = contentDir.resolve(manifestPath);
            manifest.set("files", fileList(contentDir, manifestFile));
            Files.createDirectories(manifestFile.getParent());
            Files.write(manifestFile, JSON.writeValueAsBytes(manifest));
            Path archive = workDir.resolve("artifact.tar.gz");
            TarGz.create(contentDir, archive);
            S3Uri dest;
            try {
                dest = artifactLocation(job, target).requireWritable();
            } catch (IllegalArgumentException e) {
                throw new CompilationFailure("ClientError: OutputConfiguration: " + e.getMessage());
            }
            String digest = "blake2b:" + blake2b(archive);
            ObjectStorage storage = this.storage.forResource(job.compilationJobArn());
            cancellation.check();
            try {
                storage.upload(archive, dest);
            } catch (RuntimeException e) {
                if (cancellation.isCancelled()) throw new Cancellation.CancelledException(cancellation.reason());
                throw new CompilationFailure("ClientError: OutputConfiguration: Unable to upload the compiled model to "
                        + dest + ": " + e.getMessage(), e);
            }
            if (cancellation.isCancelled()) {
                storage.delete(dest);
                cancellation.check();
            }
            return new CompilationOutcome(dest.toString(), digest, derivedDataInputConfig, null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static ArrayNode fileList(Path dir, Path manifestFile) throws IOException {
        ArrayNode files = JSON.createArrayNode();
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.filter(Files::isRegularFile).sorted().toList()) {
                if (p.equals(manifestFile)) continue;
                String rel = dir.relativize(p).toString();
                files.addObject().put("path", rel).put("size", Files.size(p)).put("sha256", sha256(p));
            }
        }
        return files;
    }

    static String sha256(Path p) throws IOException {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            try (InputStream in = Files.newInputStream(p)) {
                byte[] buf = new byte[65536];
                for (int n; (n = in.read(buf)) > 0; ) md.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String blake2b(Path p) throws IOException {
        Blake2bDigest d = new Blake2bDigest(512);
        try (InputStream in = Files.newInputStream(p)) {
            byte[] buf = new byte[65536];
            for (int n; (n = in.read(buf)) > 0; ) d.update(buf, 0, n);
        }
        byte[] out = new byte[d.getDigestSize()];
        d.doFinal(out, 0);
        return HexFormat.of().formatHex(out);
    }
}
