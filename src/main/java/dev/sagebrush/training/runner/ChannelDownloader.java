package dev.sagebrush.training.runner;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sagebrush.jobs.Cancellation;
import dev.sagebrush.storage.AccessDeniedException;
import dev.sagebrush.storage.ObjectInfo;
import dev.sagebrush.storage.ObjectNotFoundException;
import dev.sagebrush.storage.ObjectStorage;
import dev.sagebrush.storage.S3Uri;
import dev.sagebrush.storage.StorageException;
import dev.sagebrush.jobs.sandbox.Limits;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.services.sagemaker.model.Channel;
import software.amazon.awssdk.services.sagemaker.model.S3DataSource;

/**
 * Fills {@code input/data/<channel>} for File-mode channels, the way SageMaker lays the objects out:
 * <ul>
 *   <li>S3Prefix: every object whose key starts with the prefix, at its key relative to the prefix's last {@code /}
 *       ({@code s3://b/data/train/} gives {@code a.csv}; {@code s3://b/data/train} gives {@code train/a.csv}, and
 *       also picks up {@code train-2/...}, exactly as a key prefix does);</li>
 *   <li>ManifestFile: a JSON array whose first element is {@code {"prefix": "s3://..."}} and whose other elements are
 *       keys relative to it; each lands at that relative path.</li>
 * </ul>
 * ShardedByS3Key gives each of N hosts about 1/N of the objects: in key order, object {@code i} goes to host
 * {@code algo-(i mod N + 1)} (a host may get none when there are fewer objects than hosts); FullyReplicated gives every
 * host all of them.
 * Keys with {@code .}/{@code ..} or empty segments could write outside the channel directory and fail the job.
 */
final class ChannelDownloader {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ObjectStorage storage;
    private final String region;
    private final String roleArn;

    ChannelDownloader(ObjectStorage storage, String region, String roleArn) {
        this.storage = storage;
        this.region = region;
        this.roleArn = roleArn;
    }

    /** One object to fetch; {@code size} is -1 when unknown (a manifest's entries are not looked up first). */
    record Download(S3Uri source, String relativePath, long size) {}

    /**
     * Downloads every channel of the job for host {@code hostIndex} (0-based) of {@code hostCount} into its
     * {@code input/data}. As on SageMaker, data that does not fit the host's ML storage volume fails the job with
     * {@code ClientError: Data download failed:Insufficient disk space}: up front when the objects' sizes (as listed)
     * exceed the volume's free space, or when a write runs out of space.
     */
    void downloadAll(List<Channel> channels, JobLayout layout, int hostIndex, int hostCount, Cancellation cancellation)
            throws TrainingFailure, IOException {
        List<List<Download>> plans = new ArrayList<>();
        long total = 0;
        for (Channel c : channels) {
            List<Download> plan = plan(c, layout.tmp(), hostIndex, hostCount);
            plans.add(plan);
            for (Download d : plan) total += Math.max(0, d.size());
        }
        long free = Files.getFileStore(layout.ml()).getUsableSpace();
        if (total > free) throw insufficientSpace(layout, total, free);
        for (int i = 0; i < channels.size(); i++) {
            Channel c = channels.get(i);
            try {
                fetch(c.channelName(), plans.get(i), layout.channel(c.channelName()), cancellation);
            } catch (UncheckedIOException | IOException e) {
                if (!outOfSpace(e)) throw e;
                throw insufficientSpace(layout, total, Files.getFileStore(layout.ml()).getUsableSpace());
            }
        }
    }

    /** SageMaker's FailureReason for data that does not fit (sagemaker-python-sdk issue 128), with the figures. */
    private static TrainingFailure insufficientSpace(JobLayout layout, long needed, long free) {
        return new TrainingFailure("ClientError: Data download failed:Insufficient disk space. The input data of "
                + layout.host() + " (" + Limits.bytes(needed) + ") does not fit the free space of its ML storage "
                + "volume (" + Limits.bytes(free) + "). Use a larger ResourceConfig.VolumeSizeInGB, or less data per "
                + "instance (ShardedByS3Key splits a channel across instances).");
    }

    /** True when {@code e} is (or was caused by) ENOSPC. */
    static boolean outOfSpace(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t.getMessage() != null && t.getMessage().contains("No space left on device")) return true;
        }
        return false;
    }

    /** Downloads one channel for a job's only host; returns the number of objects. */
    int download(Channel channel, Path dir, Path scratch, Cancellation cancellation) throws TrainingFailure, IOException {
        return download(channel, dir, scratch, 0, 1, cancellation);
    }

    /**
     * Downloads one channel for host {@code hostIndex} (0-based) of {@code hostCount}; returns the number of objects
     * this host got.
     */
    int download(Channel channel, Path dir, Path scratch, int hostIndex, int hostCount, Cancellation cancellation)
            throws TrainingFailure, IOException {
        List<Download> plan = plan(channel, scratch, hostIndex, hostCount);
        fetch(channel.channelName(), plan, dir, cancellation);
        return plan.size();
    }

    /** What host {@code hostIndex} of {@code hostCount} gets of {@code channel}. */
    List<Download> plan(Channel channel, Path scratch, int hostIndex, int hostCount) throws TrainingFailure, IOException {
        S3DataSource s3 = channel.dataSource().s3DataSource();
        S3Uri uri = parse(s3.s3Uri(), channel.channelName());
        List<Download> plan;
        try {
            plan = switch (s3.s3DataTypeAsString()) {
                case "S3Prefix" -> prefixPlan(uri);
                case "ManifestFile" -> manifestPlan(uri, scratch.resolve("manifest-" + channel.channelName()));
                default -> throw new TrainingFailure("ClientError: S3DataType " + s3.s3DataTypeAsString()
                        + " is not supported by Sagebrush (channel " + channel.channelName() + ").");
            };
        } catch (ObjectNotFoundException e) {
            throw new TrainingFailure("ClientError: Data download failed for channel " + channel.channelName() + ": "
                    + e.getMessage() + ".");
        } catch (AccessDeniedException e) {
            throw accessDenied(e);
        }
        if (plan.isEmpty()) {
            throw new TrainingFailure("ClientError: No S3 objects found under S3 URL \"" + s3.s3Uri() + "\" given in "
                    + "input data source. Please ensure that the bucket exists in the selected region (" + region
                    + "), that objects exist under that S3 prefix, and that the role \"" + roleArn + "\" has "
                    + "\"s3:ListBucket\" permissions on bucket \"" + uri.bucket() + "\".");
        }
        if ("ShardedByS3Key".equals(s3.s3DataDistributionTypeAsString()) && hostCount > 1) {
            plan = shard(plan, hostIndex, hostCount);
        }
        return plan;
    }

    private void fetch(String channel, List<Download> plan, Path dir, Cancellation cancellation)
            throws TrainingFailure, IOException {
        Files.createDirectories(dir);
        for (Download d : plan) {
            cancellation.check();
            Path dest = safeResolve(dir, d.relativePath(), channel);
            Files.createDirectories(dest.getParent());
            try {
                storage.download(d.source(), dest);
            } catch (ObjectNotFoundException e) {
                throw new TrainingFailure("ClientError: Data download failed for channel " + channel
                        + ": " + d.source() + " does not exist.");
            } catch (AccessDeniedException e) {
                throw accessDenied(e);
            } catch (StorageException e) {
                throw new IOException("Downloading " + d.source() + " failed: " + e.getMessage(), e);
            }
        }
    }

    /** SageMaker's reason for an object the job's account may not read (another account's bucket). */
    static TrainingFailure accessDenied(AccessDeniedException e) {
        return new TrainingFailure("ClientError: Data download failed:Unable to download object " + e.uri()
                + " (AccessDenied: Access Denied)");
    }

    /** Host {@code index}'s share of {@code plan}: every {@code count}-th object in key order. */
    static List<Download> shard(List<Download> plan, int index, int count) {
        List<Download> sorted = new ArrayList<>(plan);
        sorted.sort(java.util.Comparator.comparing(d -> d.source().key()));
        List<Download> mine = new ArrayList<>();
        for (int i = index; i < sorted.size(); i += count) mine.add(sorted.get(i));
        return mine;
    }

    private List<Download> prefixPlan(S3Uri prefix) {
        int cut = prefix.key().lastIndexOf('/') + 1;
        List<Download> plan = new ArrayList<>();
        for (ObjectInfo o : storage.list(prefix)) {
            String key = o.uri().key();
            if (key.endsWith("/")) continue; // a "folder" marker object, not data
            plan.add(new Download(o.uri(), key.substring(cut), o.size()));
        }
        return plan;
    }

    private List<Download> manifestPlan(S3Uri manifest, Path local) throws TrainingFailure, IOException {
        storage.download(manifest, local);
        JsonNode root;
        try {
            root = JSON.readTree(local.toFile());
        } catch (IOException e) {
            throw new TrainingFailure("ClientError: The manifest file " + manifest + " is not valid JSON.");
        } finally {
            Files.deleteIfExists(local);
        }
        if (root == null || !root.isArray() || root.isEmpty() || !root.get(0).path("prefix").isTextual()) {
            throw new TrainingFailure("ClientError: The manifest file " + manifest + " must be a JSON array whose "
                    + "first element is {\"prefix\": \"s3://bucket/prefix/\"} followed by relative keys.");
        }
        S3Uri prefix = parse(root.get(0).path("prefix").asText(), "manifest");
        List<Download> plan = new ArrayList<>();
        for (int i = 1; i < root.size(); i++) {
            if (!root.get(i).isTextual()) {
                throw new TrainingFailure("ClientError: Entry " + i + " of the manifest file " + manifest
                        + " is not a string.");
            }
            String rel = root.get(i).asText();
            plan.add(new Download(new S3Uri(prefix.bucket(), prefix.key() + rel), rel, -1));
        }
        return plan;
    }

    private static S3Uri parse(String uri, String what) throws TrainingFailure {
        try {
            return S3Uri.parse(uri);
        } catch (IllegalArgumentException e) {
            throw new TrainingFailure("ClientError: " + e.getMessage() + " (" + what + ").");
        }
    }

    static Path safeResolve(Path dir, String relative, String channel) throws TrainingFailure {
        for (String segment : relative.split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                throw new TrainingFailure("ClientError: The S3 key '" + relative + "' in channel " + channel
                        + " cannot be written as a file (empty, '.' or '..' path segment).");
            }
        }
        Path p = dir.resolve(relative).normalize();
        if (!p.startsWith(dir)) {
            throw new TrainingFailure("ClientError: The S3 key '" + relative + "' in channel " + channel
                    + " points outside the channel directory.");
        }
        return p;
    }
}
