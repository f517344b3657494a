package dev.sagebrush;

import dev.sagebrush.auth.Credentials;
import dev.sagebrush.auth.SigV4Verifier;
import dev.sagebrush.identity.SecurityTokenService;
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

    static HttpHandler route(HttpHandler sagemaker, Credentials credentials, Clock clock, int maxBodyBytes) {
        ServiceRouter router = new ServiceRouter(sagemaker, maxBodyBytes);
        // STS: the query protocol, which every AWS SDK uses for it.
        router.query(handler(new SecurityTokenService(), SecurityTokenService.XML_NAMESPACE, credentials, clock,
                maxBodyBytes));
        return router;
    }

    private static ServiceHandler handler(AwsService service, String xmlNamespace, Credentials credentials, Clock clock,
                                          int maxBodyBytes) {
        return new ServiceHandler(service, xmlNamespace, new SigV4Verifier(credentials, service.signingName(), clock),
                clock, maxBodyBytes);
    }
}
