package dev.sagebrush.training.scriptmode;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sagebrush.storage.AccessDeniedException;
import dev.sagebrush.storage.ArchiveException;
import dev.sagebrush.storage.ObjectInfo;
import dev.sagebrush.storage.ObjectNotFoundException;
import dev.sagebrush.storage.ObjectStorage;
import dev.sagebrush.storage.S3Uri;
import dev.sagebrush.storage.SafeArchive;
import dev.sagebrush.storage.StorageException;
import dev.sagebrush.training.runner.TrainingFailure;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Script mode's code: the SageMaker Python SDK packs the {@code entry_point} (with {@code source_dir} and
 * {@code dependencies}) into {@code sourcedir.tar.gz}, uploads it to S3 and names it in the hyperparameter
 * {@code sagemaker_submit_directory} (JSON-quoted, {@code "\"s3://bucket/job/source/sourcedir.tar.gz\""}). In AWS's
 * framework containers the training toolkit downloads and unpacks it into {@code /opt/ml/code} with the job's
 * credentials. Here the server does it before the container starts, with the job's own access to S3: the container
 * needs no credentials, jobs with EnableNetworkIsolation (no network at all) still get their code, and the toolkit's
 * rule "code already in /opt/ml/code is used as it is" makes the image's entry point skip its own download.
 *
 * <p>The archive is the user's and hostile until proven otherwise: it is unpacked by {@link SafeArchive} (no path out
 * of the directory, no links, no devices, bounded entries, bytes and expansion ratio), after a size check on the object.
 */
public final class SubmitDirectory {
    public static final String HYPERPARAMETER = "sagemaker_submit_directory";
    /** Training code with its small data files; a larger archive is almost certainly a mistake or an attack. */
    static final long MAX_ARCHIVE_BYTES = 1L << 30;
    static final SafeArchive.Limits LIMITS = new SafeArchive.Limits(20_000, 4L << 30, 2L << 30, 100);
    private static final ObjectMapper JSON = new ObjectMapper();

    private SubmitDirectory() {}

    /** The code's S3 location named by the job's hyperparameters, JSON-decoded as the toolkit decodes it. */
    public static Optional<String> location(Map<String, String> hyperParameters) {
        String raw = hyperParameters == null ? null : hyperParameters.get(HYPERPARAMETER);
        if (raw == null || raw.isBlank()) return Optional.empty();
        try {
            JsonNode node = JSON.readTree(raw);
            if (node != null && node.isTextual()) return Optional.of(node.asText());
        } catch (IOException e) {
            // not JSON: the raw string, as the toolkit keeps it
        }
        return Optional.of(raw);
    }

    /**
     * Fetches the job's code archive, if it names one, and unpacks it into {@code codeDir} (absent or empty).
     *
     * @param scratch a directory of the job's own for the downloaded archive (removed afterwards)
     * @return whether there was code to prepare
     * @throws TrainingFailure for what is the user's to fix, with a {@code ClientError: } reason
     */
    public static boolean prepare(ObjectStorage storage, Map<String, String> hyperParameters, Path codeDir, Path scratch)
            throws TrainingFailure, IOException {
        Optional<String> location = location(hyperParameters);
        if (location.isEmpty()) return false;
        S3Uri uri = s3Location(location.get());
        Optional<ObjectInfo> head;
        try {
            head = storage.head(uri);
        } catch (AccessDeniedException e) {
            throw new TrainingFailure("ClientError: The training code " + uri + " (" + HYPERPARAMETER + ") cannot be "
                    + "read (AccessDenied: Access Denied): the bucket '" + uri.bucket() + "' is not this account's.");
        }
        if (head.isEmpty()) {
            throw new TrainingFailure("ClientError: The training code " + uri + " (" + HYPERPARAMETER + ") does not "
                    + "exist. The SageMaker Python SDK uploads it as sourcedir.tar.gz before CreateTrainingJob.");
        }
        if (head.get().size() > MAX_ARCHIVE_BYTES) {
            throw new TrainingFailure("ClientError: The training code " + uri + " is " + head.get().size()
                    + " bytes; Sagebrush accepts code archives up to " + MAX_ARCHIVE_BYTES + " bytes. Put data in an "
                    + "input channel instead.");
        }
        Files.createDirectories(scratch);
        Path archive = Files.createTempFile(scratch, "sourcedir-", ".tar.gz");
        try {
            try {
                storage.download(uri, archive);
            } catch (ObjectNotFoundException e) {
                throw new TrainingFailure("ClientError: The training code " + uri + " (" + HYPERPARAMETER
                        + ") does not exist.");
            } catch (StorageException e) {
                throw new IOException("Downloading the training code " + uri + " failed: " + e.getMessage(), e);
            }
            try {
                SafeArchive.extractTarGz(archive, codeDir, LIMITS);
            } catch (ArchiveException e) {
                throw new TrainingFailure("ClientError: The training code " + uri + " cannot be unpacked: "
                        + explain(e));
            } catch (UncheckedIOException e) {
                throw e.getCause();
            }
            return true;
        } finally {
            Files.deleteIfExists(archive);
        }
    }

    static S3Uri s3Location(String location) throws TrainingFailure {
        if (!location.startsWith("s3://") && !location.startsWith("https://")) {
            throw new TrainingFailure("ClientError: " + HYPERPARAMETER + " must name the training code's tar.gz in S3 "
                    + "(s3://bucket/key), not '" + location + "'.");
        }
        try {
            S3Uri uri = S3Uri.parse(location);
            if (uri.key().isEmpty() || uri.key().endsWith("/")) {
                throw new IllegalArgumentException("it names no object");
            }
            return uri;
        } catch (IllegalArgumentException e) {
            throw new TrainingFailure("ClientError: " + HYPERPARAMETER + " '" + location + "' is not a valid S3 object "
                    + "URI: " + e.getMessage());
        }
    }

    private static String explain(ArchiveException e) {
        return switch (e.reason()) {
            case NOT_GZIP -> "it is not a gzip-compressed tar file (the SDK's sourcedir.tar.gz).";
            case CORRUPT -> "it is truncated or corrupt.";
            default -> e.getMessage() + ".";
        };
    }
}
