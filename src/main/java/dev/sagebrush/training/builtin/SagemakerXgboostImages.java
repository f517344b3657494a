package dev.sagebrush.training.builtin;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The image URIs of SageMaker's built-in XGBoost algorithm, every region and every version from 0.90-1 to 1.7-1, exactly
 * as {@code sagemaker.image_uris.retrieve("xgboost", region, version)} returns them:
 * {@code <account>.dkr.ecr.<region>.<dns suffix>/sagemaker-xgboost:<tag>}. The data (versions, tags, the registry
 * account of each region, the partitions' DNS suffixes) is the resource {@code sagemaker-xgboost-images.txt}, taken
 * from the SDK's {@code image_uri_config/xgboost.json}. A URI is recognized only when every part agrees: the right
 * account for the region, the region's own DNS suffix, and a tag of a known version.
 */
public final class SagemakerXgboostImages {
    static final String REPOSITORY = "sagemaker-xgboost";
    private static final String RESOURCE = "sagemaker-xgboost-images.txt";

    /** How a version saves {@code xgboost-model}: a pickled Booster, or {@code Booster.save_model}'s binary format. */
    public enum ModelFormat { PICKLE, BINARY }

    public record Version(String version, String tag, ModelFormat format) {}

    public record Image(String uri, String region, Version version) {}

    private final Map<String, Version> byTag;
    private final Map<String, String> accountByRegion;
    private final Map<String, String> suffixByRegionPrefix;

    private SagemakerXgboostImages(Map<String, Version> byTag, Map<String, String> accounts, Map<String, String> suffixes) {
        this.byTag = byTag;
        this.accountByRegion = accounts;
        this.suffixByRegionPrefix = suffixes;
    }

    private static final SagemakerXgboostImages INSTANCE = load();

    public static SagemakerXgboostImages get() {
        return INSTANCE;
    }

    static SagemakerXgboostImages load() {
        Map<String, Version> versions = new LinkedHashMap<>();
        Map<String, String> accounts = new LinkedHashMap<>();
        Map<String, String> suffixes = new LinkedHashMap<>();
        try (InputStream in = SagemakerXgboostImages.class.getResourceAsStream(RESOURCE)) {
            if (in == null) throw new IllegalStateException("Missing resource " + RESOURCE);
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line; (line = r.readLine()) != null; ) {
                String[] w = line.strip().split("\\s+");
                if (w[0].isEmpty() || w[0].startsWith("#")) continue;
                switch (w[0]) {
                    case "version" -> versions.put(w[2], new Version(w[1], w[2], ModelFormat.valueOf(w[3].toUpperCase())));
                    case "registry" -> accounts.put(w[1], w[2]);
                    case "suffix" -> suffixes.put(w[1], w[2]);
                    default -> throw new IllegalStateException(RESOURCE + ": unknown line " + line);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new SagemakerXgboostImages(Map.copyOf(versions), Map.copyOf(accounts), suffixes);
    }

    /** The ECR DNS suffix of a region's partition (amazonaws.com unless the region is in another partition). */
    String dnsSuffix(String region) {
        for (Map.Entry<String, String> e : suffixByRegionPrefix.entrySet()) {
            if (region.startsWith(e.getKey())) return e.getValue();
        }
        return "amazonaws.com";
    }

    /** The URI that image_uris.retrieve returns for this region and version, or empty when it knows none. */
    public Optional<String> uri(String region, String version) {
        String account = accountByRegion.get(region);
        return byTag.values().stream().filter(v -> v.version().equals(version)).findFirst()
                .filter(v -> account != null)
                .map(v -> account + ".dkr.ecr." + region + "." + dnsSuffix(region) + "/" + REPOSITORY + ":" + v.tag());
    }

    /** The built-in image a TrainingImage names, when it is one. */
    public Optional<Image> resolve(String image) {
        if (image == null) return Optional.empty();
        // <account>.dkr.ecr.<region>.<suffix>/sagemaker-xgboost:<tag>
        int slash = image.indexOf('/');
        int colon = image.lastIndexOf(':');
        if (slash < 0 || colon < slash || !image.substring(slash + 1, colon).equals(REPOSITORY)) return Optional.empty();
        String host = image.substring(0, slash);
        String[] labels = host.split("\\.", 5);
        if (labels.length != 5 || !labels[1].equals("dkr") || !labels[2].equals("ecr")) return Optional.empty();
        String account = labels[0];
        String region = labels[3];
        Version version = byTag.get(image.substring(colon + 1));
        if (version == null || !account.equals(accountByRegion.get(region)) || !labels[4].equals(dnsSuffix(region))) {
            return Optional.empty();
        }
        return Optional.of(new Image(image, region, version));
    }

    /** Every URI recognized, for tests and documentation. */
    public List<String> allUris() {
        List<String> out = new ArrayList<>();
        for (String region : accountByRegion.keySet()) {
            for (Version v : byTag.values()) {
                out.add(uri(region, v.version()).orElseThrow());
            }
        }
        return out;
    }

    public List<Version> versions() {
        return byTag.values().stream().sorted(java.util.Comparator.comparing(Version::version)).toList();
    }
}
