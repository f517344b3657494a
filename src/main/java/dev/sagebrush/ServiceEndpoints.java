package dev.sagebrush;

import dev.sagebrush.auth.Credentials;
import dev.sagebrush.auth.SigV4Verifier;
import dev.sagebrush.identity.SecurityTokenService;
import dev.sagebrush.logs.CloudWatchLogs;
import dev.sagebrush.logs.LogStore;
import dev.sagebrush.metrics.CloudWatchMetrics;
import dev.sagebrush.metrics.MetricStore;
import dev.sagebrush.protocol.wire.JsonWire;
import dev.sagebrush.protocol.AwsService;
import dev.sagebrush.protocol.ServiceHandler;
import dev.sagebrush.protocol.ServiceRouter;
import io.undertow.server.HttpHandler;
import java.time.Clock;

/**
 * The AWS services other than SageMaker and S3 that share the endpoint, and the wire protocols each is reached by:
 * what {@link ApiOperations} is for SageMaker operations, this is for services.
 */
final class ServiceEndpoints {
    private ServiceEndpoints() {}

    /** @param temporary credentials the server issued (notebook instances'), accepted as the long-term keys are */
    static HttpHandler route(HttpHandler sagemaker, Credentials credentials, dev.sagebrush.auth.TemporaryCredentials temporary,
                             Clock clock, int maxBodyBytes, LogStore logs, MetricStore metrics) {
        ServiceRouter router = new ServiceRouter(sagemaker, maxBodyBytes);
        // CloudWatch Logs: awsJson 1.1 only, in every SDK.
        router.json(CloudWatchLogs.TARGET_PREFIX, JsonWire.v1_1(),
                handler(new CloudWatchLogs(logs), "", credentials, temporary, clock, maxBodyBytes));
        // CloudWatch: the query protocol (botocore of 2023, AWS CLI 2.9), awsJson 1.0 and Smithy RPC v2 CBOR (the
        // current AWS SDK for Java v2 and JavaScript v3), all to the one service.
        ServiceHandler cloudwatch = handler(new CloudWatchMetrics(metrics), CloudWatchMetrics.XML_NAMESPACE, credentials,
                temporary, clock, maxBodyBytes);
        router.query(cloudwatch).json(CloudWatchMetrics.JSON_TARGET_PREFIX, JsonWire.v1_0(), cloudwatch)
                .cbor(CloudWatchMetrics.SMITHY_SERVICE, cloudwatch);
        // STS: the query protocol, which every AWS SDK uses for it.
        router.query(handler(new SecurityTokenService(), SecurityTokenService.XML_NAMESPACE, credentials, temporary,
                clock, maxBodyBytes));
        return router;
    }

    private static ServiceHandler handler(AwsService service, String xmlNamespace, Credentials credentials,
                                          dev.sagebrush.auth.TemporaryCredentials temporary, Clock clock, int maxBodyBytes) {
        return new ServiceHandler(service, xmlNamespace, new SigV4Verifier(credentials, temporary, service.signingName(), clock),
                clock, maxBodyBytes);
    }
}
