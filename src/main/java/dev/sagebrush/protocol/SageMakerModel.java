package dev.sagebrush.protocol;

import dev.sagebrush.errors.AwsException;
import java.lang.reflect.Method;
import java.util.Collections;
import java.util.Set;
import java.util.TreeSet;
import software.amazon.awssdk.services.sagemaker.SageMakerClient;
import software.amazon.awssdk.services.sagemaker.model.SageMakerRequest;

/**
 * Every operation of AWS's SageMaker model, read from the SDK's client interface (one method per operation, taking
 * {@code <Operation>Request}). It tells a call this server does not host ({@code CreateEndpoint}) from a typo: the
 * first is answered "not supported here", naming it, the second stays an UnknownOperationException.
 */
public final class SageMakerModel {
    private static final Set<String> OPERATIONS = load();

    private SageMakerModel() {}

    public static boolean isOperation(String name) {
        return OPERATIONS.contains(name);
    }

    static Set<String> operations() {
        return OPERATIONS;
    }

    /** The error for an operation of the model that the operation table does not have, or for an unknown name. */
    public static AwsException notHere(String target, String name) {
        if (isOperation(name)) {
            return new AwsException("UnsupportedOperationException", 400, "Sagebrush does not support the SageMaker "
                    + "operation " + name + ". It hosts compilation jobs, notebook instances, lifecycle configs, "
                    + "training jobs, Search and tags; endpoints, models, tuning, processing and transform jobs, "
                    + "pipelines and the other SageMaker resources are not hosted here.");
        }
        return AwsException.unknownOperation("Unknown operation " + target);
    }

    private static Set<String> load() {
        Set<String> names = new TreeSet<>();
        for (Method m : SageMakerClient.class.getMethods()) {
            Class<?>[] params = m.getParameterTypes();
            if (params.length == 1 && SageMakerRequest.class.isAssignableFrom(params[0])
                    && params[0].getSimpleName().endsWith("Request")) {
                String simple = params[0].getSimpleName();
                names.add(simple.substring(0, simple.length() - "Request".length()));
            }
        }
        return Collections.unmodifiableSet(names);
    }
}
