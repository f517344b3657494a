package dev.sagebrush.protocol;

import java.time.Instant;

/**
 * Who is calling and where: the authenticated account, the region taken from the SigV4 credential scope, the request
 * id echoed in {@code x-amzn-RequestId}, and the instant the request was received (one clock reading per request, so
 * every timestamp a request writes agrees).
 */
public record RequestContext(String accountId, String region, String accessKeyId, String requestId, Instant receivedAt) {

    /** The ARN of a SageMaker resource of this caller: {@code arn:aws:sagemaker:<region>:<account>:<type>/<name>}. */
    public String arn(String resourceType, String name) {
        return "arn:aws:sagemaker:" + region + ":" + accountId + ":" + resourceType + "/" + name;
    }
}
