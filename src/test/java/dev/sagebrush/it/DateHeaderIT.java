package dev.sagebrush.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import org.junit.jupiter.api.Test;

/**
 * Every response carries the current Date, also after another server in the same JVM stopped. AWS SDKs correct their
 * clock from it (the SDK for Java for the whole process), so a stale Date turns into "Signature expired" for every
 * later call: Undertow's own Date cache is JVM-wide and froze when the server that filled it stopped.
 */
class DateHeaderIT {
    private static final HttpClient http = HttpClient.newHttpClient();

    @Test
    void theDateIsCurrentAfterAnotherServerInTheProcessStopped() throws Exception {
        try (ServerFixture first = ServerFixture.start()) {
            assertThat(date(first.endpoint)).isBetween(Instant.now().minusSeconds(2), Instant.now().plusSeconds(1));
        }
        Thread.sleep(2_100); // past the second the first server's Date was cached for
        try (ServerFixture second = ServerFixture.start()) {
            Instant before = Instant.now().minusSeconds(1);
            assertThat(date(second.endpoint)).isBetween(before, Instant.now().plusSeconds(1));
        }
    }

    private static Instant date(URI endpoint) throws Exception {
        HttpResponse<Void> r = http.send(HttpRequest.newBuilder(endpoint.resolve("/")).timeout(Duration.ofSeconds(30))
                .GET().build(), HttpResponse.BodyHandlers.discarding());
        String date = r.headers().firstValue("Date").orElseThrow();
        return ZonedDateTime.parse(date, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
    }
}
