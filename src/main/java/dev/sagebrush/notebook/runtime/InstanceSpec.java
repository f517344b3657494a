package dev.sagebrush.notebook.runtime;

import java.util.List;
import java.util.Objects;

/**
 * What one notebook instance needs from the host, taken from its Describe document and its lifecycle config at the
 * moment it is started: the runtime never reads the store.
 *
 * @param name                 instance name; also the proxy path segment and Jupyter's base_url
 * @param arn                  for messages
 * @param rootAccess           Enabled: the server and kernels may act as root; Disabled: an unprivileged user
 * @param directInternetAccess Disabled: the server and its kernels get a network namespace with only loopback
 * @param volumeSizeInGB       size of the persistent {@code SageMaker} volume
 * @param defaultCodeRepository git URL of the repository Jupyter opens in; null for none
 * @param additionalCodeRepositories further git URLs, cloned next to it
 * @param lifecycle            the scripts to run before Jupyter starts, or {@link LifecycleHooks#NONE}
 */
public record InstanceSpec(String name, String arn, String instanceType, boolean rootAccess,
                           boolean directInternetAccess, int volumeSizeInGB, String defaultCodeRepository,
                           List<String> additionalCodeRepositories,
                           LifecycleHooks lifecycle) {

    public InstanceSpec {
        Objects.requireNonNull(name);
        additionalCodeRepositories = List.copyOf(additionalCodeRepositories);
        lifecycle = lifecycle == null ? LifecycleHooks.NONE : lifecycle;
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
