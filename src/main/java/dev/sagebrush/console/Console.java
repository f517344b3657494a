package dev.sagebrush.console;

import dev.sagebrush.auth.Credentials;
import dev.sagebrush.errors.AwsException;
import dev.sagebrush.protocol.AwsService;
import dev.sagebrush.protocol.wire.WireProtocol;
import dev.sagebrush.protocol.Gateway;
import dev.sagebrush.protocol.InputValidator;
import dev.sagebrush.protocol.JsonCodec;
import dev.sagebrush.protocol.OperationTable;
import dev.sagebrush.protocol.RequestContext;
import io.undertow.server.HttpHandler;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;

/** Builds the console: its sessions, and its gateway onto the one operation table every API client uses. */
public final class Console {
    private Console() {}

    /**
     * @param operations       the server's operation table (the same instance the SigV4 gateway runs)
     * @param artifactLocators by job kind, the S3 URI of a job's artifact as the account's Describe reports it
     */
    public static ConsoleHandler create(Credentials credentials, OperationTable operations, InputValidator validator,
                                        JsonCodec codec, Clock clock, int maxBodyBytes,
                                        Map<String, BiFunction<RequestContext, String, Optional<String>>> artifactLocators) {
        return create(credentials, operations, validator, codec, clock, maxBodyBytes, artifactLocators, Map.of());
    }

    /**
     * @param jsonServices by X-Amz-Target prefix ({@code Logs_20140328.}, {@code GraniteServiceVersion20100801.}): the
     *                     other JSON services of this endpoint the console reads, the very objects SigV4 clients reach
     */
    public static ConsoleHandler create(Credentials credentials, OperationTable operations, InputValidator validator,
                                        JsonCodec codec, Clock clock, int maxBodyBytes,
                                        Map<String, BiFunction<RequestContext, String, Optional<String>>> artifactLocators,
                                        Map<String, Map.Entry<AwsService, WireProtocol>> jsonServices) {
        ConsoleSessions sessions = new ConsoleSessions(credentials, clock);
        SessionAuthenticator authenticator = new SessionAuthenticator(sessions);
        Gateway sagemaker = new Gateway(operations, authenticator, validator, codec, clock, maxBodyBytes,
                exchange -> {
                    exchange.setStatusCode(400);
                    exchange.getResponseHeaders().put(io.undertow.util.Headers.CONTENT_TYPE, "application/x-amz-json-1.1");
                    exchange.getResponseSender().send("{\"__type\":\"MissingAction\",\"message\":"
                            + "\"Console API calls need an X-Amz-Target header.\"}");
                });
        Map<String, ConsoleApi.JsonService> services = new java.util.HashMap<>();
        jsonServices.forEach((prefix, s) -> services.put(prefix, new ConsoleApi.JsonService(s.getKey(), s.getValue())));
        return new ConsoleHandler(sessions, new ConsoleApi(sagemaker, authenticator, services, clock), new ArtifactDownloads(artifactLocators), clock);
    }
}
