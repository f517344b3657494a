package dev.sagebrush.console;

import dev.sagebrush.auth.Credentials;
import dev.sagebrush.protocol.AwsException;
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
        ConsoleSessions sessions = new ConsoleSessions(credentials, clock);
        Gateway api = new Gateway(operations, new SessionAuthenticator(sessions), validator, codec, clock, maxBodyBytes,
                exchange -> {
                    exchange.setStatusCode(400);
                    exchange.getResponseHeaders().put(io.undertow.util.Headers.CONTENT_TYPE, "application/x-amz-json-1.1");
                    exchange.getResponseSender().send("{\"__type\":\"MissingAction\",\"message\":"
                            + "\"Console API calls need an X-Amz-Target header.\"}");
                });
        return new ConsoleHandler(sessions, api, new ArtifactDownloads(artifactLocators), clock);
    }
}
