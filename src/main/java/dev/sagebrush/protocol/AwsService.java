package dev.sagebrush.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sagebrush.errors.AwsException;
import java.util.Set;

/**
 * An AWS service other than SageMaker that this endpoint also answers (CloudWatch Logs, CloudWatch, STS). Its
 * operations work on protocol-neutral trees: the same handler serves every wire protocol the AWS SDKs use for the
 * service (awsJson, the query protocol, Smithy RPC v2 CBOR), and the {@link dev.sagebrush.protocol.wire} codecs turn
 * bytes into trees and back. Timestamps in output trees are {@code POJONode}s holding an {@link java.time.Instant},
 * so each codec writes them in its own form (epoch seconds in JSON and CBOR, ISO 8601 in XML).
 */
public interface AwsService {
    /** The SigV4 signing name (the credential scope's service): {@code logs}, {@code monitoring}, {@code sts}. */
    String signingName();

    /** Every operation this service answers. */
    Set<String> operations();

    /** Calls one operation; throws {@link AwsException} for every answer that is an error. */
    ObjectNode call(String operation, RequestContext ctx, JsonNode input);
}
