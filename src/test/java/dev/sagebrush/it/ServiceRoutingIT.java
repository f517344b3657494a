package dev.sagebrush.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sagemaker.SageMakerClient;
import software.amazon.awssdk.services.sagemaker.model.SageMakerException;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.model.GetCallerIdentityResponse;

/** The endpoint routes each request by protocol: STS, SageMaker operations not hosted here, services not served. */
class ServiceRoutingIT {
    static ServerFixture server;

    @BeforeAll
    static void start() {
        server = ServerFixture.start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static StsClient sts(String key, String secret) {
        return StsClient.builder().endpointOverride(server.endpoint).region(Region.US_WEST_2)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(key, secret)))
                .httpClientBuilder(Apache5HttpClient.builder()).build();
    }

    @Test
    void getCallerIdentityNamesTheAccountOfTheKey() {
        try (StsClient sts = sts("test", "test")) {
            GetCallerIdentityResponse who = sts.getCallerIdentity();
            assertThat(who.account()).isEqualTo("000000000000");
            assertThat(who.arn()).isEqualTo("arn:aws:iam::000000000000:root");
            assertThat(who.userId()).isEqualTo("000000000000");
        }
    }

    @Test
    void getCallerIdentityWithAWrongSecretIsAQueryProtocolSignatureError() {
        try (StsClient sts = sts("test", "wrong")) {
            assertThatThrownBy(sts::getCallerIdentity)
                    .isInstanceOfSatisfying(software.amazon.awssdk.services.sts.model.StsException.class, e -> {
                        assertThat(e.awsErrorDetails().errorCode()).isEqualTo("SignatureDoesNotMatch");
                        assertThat(e.statusCode()).isEqualTo(403);
                    });
        }
    }

    @Test
    void aSageMakerOperationThatIsNotHostedSaysSoByName() {
        try (SageMakerClient sm = server.sagemaker()) {
            assertThatThrownBy(() -> sm.createEndpoint(r -> r.endpointName("e").endpointConfigName("c")))
                    .isInstanceOfSatisfying(SageMakerException.class, e -> {
                        assertThat(e.awsErrorDetails().errorCode()).isEqualTo("UnsupportedOperationException");
                        assertThat(e.awsErrorDetails().errorMessage())
                                .startsWith("Sagebrush does not support the SageMaker operation CreateEndpoint.");
                    });
        }
        RawClient.Response typo = new RawClient(server.endpoint).call("SageMaker.DescribeTrainingJobz", "{}");
        assertThat(typo.body()).contains("UnknownOperationException");
    }

    @Test
    void anotherJsonServiceGetsAJsonErrorNamingIt() {
        RawClient.Response r = signed("ssm", Map.of("X-Amz-Target", "AmazonSSM.GetParameter",
                "Content-Type", "application/x-amz-json-1.1"), "/", "{\"Name\":\"x\"}");
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.headers().get("x-amzn-errortype")).containsExactly("UnsupportedOperationException");
        assertThat(r.body()).startsWith("{\"__type\":\"UnsupportedOperationException\",\"message\":\"Sagebrush does "
                + "not serve X-Amz-Target 'AmazonSSM.GetParameter' (operation GetParameter)");
    }

    @Test
    void anotherQueryServiceGetsAnXmlErrorNamingIt() {
        RawClient.Response r = signed("iam", Map.of("Content-Type", "application/x-www-form-urlencoded; charset=utf-8"),
                "/", "Action=ListUsers&Version=2010-05-08");
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.body()).contains("<Code>UnsupportedOperationException</Code>")
                .contains("Sagebrush does not serve the query-protocol service 'iam' (operation ListUsers)");
    }

    @Test
    void anotherCborServiceGetsACborError() {
        RawClient.Response r = signed("dynamodb", Map.of("smithy-protocol", "rpc-v2-cbor",
                "Content-Type", "application/cbor"), "/service/DynamoDB_20120810/operation/GetItem", "");
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.headers().get("smithy-protocol")).containsExactly("rpc-v2-cbor");
        assertThat(r.body()).contains("UnsupportedOperationException").contains("DynamoDB_20120810");
    }

    @Test
    void cloudWatchAnswersAwsJson10AsWellAsQueryAndCbor() {
        // awsJson 1.0 with awsQueryCompatible errors: the protocol of CloudWatch's JSON-speaking SDKs.
        RawClient.Response list = signed("monitoring", Map.of("X-Amz-Target", "GraniteServiceVersion20100801.ListMetrics",
                "Content-Type", "application/x-amz-json-1.0"), "/", "{\"Namespace\":\"/aws/sagemaker/TrainingJobs\"}");
        assertThat(list.status()).as(list.body()).isEqualTo(200);
        assertThat(list.body()).isEqualTo("{\"Metrics\":[]}");
        RawClient.Response stats = signed("monitoring", Map.of("X-Amz-Target",
                "GraniteServiceVersion20100801.GetMetricStatistics", "Content-Type", "application/x-amz-json-1.0"), "/",
                "{\"Namespace\":\"n\",\"MetricName\":\"m\",\"StartTime\":1764806400,\"EndTime\":1764892860,"
                        + "\"Period\":60,\"Statistics\":[\"Average\"]}");
        assertThat(stats.status()).as(stats.body()).isEqualTo(400);
        assertThat(stats.headers().get("x-amzn-query-error")).containsExactly("InvalidParameterCombination;Sender");
        assertThat(stats.body()).contains("You have requested up to 1,441 datapoints")
                .contains("exceeds the limit of 1,440");
        // The same call in the query protocol, as Debian's AWS CLI 2.9 sends it.
        RawClient.Response query = signed("monitoring", Map.of("Content-Type", "application/x-www-form-urlencoded"), "/",
                "Action=GetMetricStatistics&Version=2010-08-01&Namespace=n&MetricName=m"
                        + "&StartTime=2026-12-04T00%3A00%3A00Z&EndTime=2026-12-04T01%3A00%3A00Z&Period=60"
                        + "&Statistics.member.1=Average&Dimensions.member.1.Name=Host&Dimensions.member.1.Value=h");
        assertThat(query.status()).as(query.body()).isEqualTo(200);
        assertThat(query.body()).contains("<GetMetricStatisticsResponse xmlns=\"http://monitoring.amazonaws.com/doc/2010-08-01/\">")
                .contains("<Label>m</Label>").contains("<Datapoints></Datapoints>");
    }

    static RawClient.Response signed(String service, Map<String, String> headers, String path, String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        SdkHttpRequest.Builder b = SdkHttpRequest.builder().method(SdkHttpMethod.POST)
                .uri(URI.create(server.endpoint + path));
        headers.forEach(b::putHeader);
        SdkHttpRequest signed = AwsV4HttpSigner.create().sign(r -> r
                .identity(AwsCredentialsIdentity.create("test", "test"))
                .request(b.build())
                .payload(ContentStreamProvider.fromByteArray(bytes))
                .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, service)
                .putProperty(AwsV4HttpSigner.REGION_NAME, "us-east-1")).request();
        return new RawClient(server.endpoint).send(signed, bytes);
    }
}
