package dev.sagebrush.notebook.runtime;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What one notebook instance needs from the host, taken from its Describe document and its lifecycle config at the
 * moment it is started: the runtime never reads the store.
 *
 * @param key                  account, region and name: what everything per instance is keyed by
 * @param arn                  for messages and {@code /opt/ml/metadata/resource-metadata.json}
 * @param rootAccess           Enabled: the server and kernels may act as root; Disabled: an unprivileged user
 * @param directInternetAccess Disabled: the server and its kernels get a network namespace with only loopback
 * @param volumeSizeInGB       size of the persistent {@code SageMaker} volume
 * @param defaultCodeRepository git URL of the repository Jupyter opens in; null for none
 * @param additionalCodeRepositories further git URLs, cloned next to it
 * @param lifecycle            the scripts to run before Jupyter starts, or {@link LifecycleHooks#NONE}
 * @param callback             environment that lets code in the instance call this server back with the
 *                             instance's own credentials (endpoint, region, credentials endpoint and its token)
 */
public record InstanceSpec(InstanceKey key, String arn, String instanceType, boolean rootAccess,
                           boolean directInternetAccess, int volumeSizeInGB, String defaultCodeRepository,
                           List<String> additionalCodeRepositories,
                           LifecycleHooks lifecycle, Map<String, String> callback) {

    public InstanceSpec {
        Objects.requireNonNull(key);
        additionalCodeRepositories = List.copyOf(additionalCodeRepositories);
        lifecycle = lifecycle == null ? LifecycleHooks.NONE : lifecycle;
        callback = Map.copyOf(callback == null ? Map.of() : callback);
    }

    public String name() {
        return key.name();
    }

    /** Every repository to clone, the default one first. */
    public List<String> codeRepositories() {
        List<String> all = new java.util.ArrayList<>();
        if (defaultCodeRepository != null) all.add(defaultCodeRepository);
        all.addAll(additionalCodeRepositories);
        return all;
    }

    /**
     * The scripts of a lifecycle config, already base64-decoded.
     *
     * @param configArn ARN of the config, quoted in FailureReason as AWS does
     * @param onCreate  script text run once, at creation; null for none
     * @param onStart   script text run at every start (creation included); null for none
     */
    public record LifecycleHooks(String configArn, String onCreate, String onStart) {
        public static final LifecycleHooks NONE = new LifecycleHooks(null, null, null);
    }
}
