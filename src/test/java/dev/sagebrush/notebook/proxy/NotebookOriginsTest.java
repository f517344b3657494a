package dev.sagebrush.notebook.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sagebrush.notebook.runtime.InstanceKey;
import java.net.URI;
import org.junit.jupiter.api.Test;

class NotebookOriginsTest {
    final NotebookOrigins origins = new NotebookOrigins("notebook.localhost", () -> URI.create("http://127.0.0.1:8080"));
    final InstanceKey demo = new InstanceKey("000000000000", "us-east-1", "Demo");

    @Test
    void eachInstanceHasItsOwnHostAndTheHostNamesIt() {
        assertThat(origins.origin(demo)).isEqualTo("http://demo.000000000000.us-east-1.notebook.localhost:8080");
        assertThat(origins.instanceAt("DEMO.000000000000.us-east-1.notebook.localhost:8080"))
                .contains(new InstanceKey("000000000000", "us-east-1", "demo"));
        assertThat(origins.instanceAt("127.0.0.1:8080")).isEmpty();
        assertThat(origins.instanceAt("demo.notebook.localhost:8080")).isEmpty();
        assertThat(origins.instanceAt("a.b.000000000000.us-east-1.notebook.localhost")).isEmpty();
        assertThat(origins.instanceAt("demo.000000000000.us-east-1:2.notebook.localhost")).isEmpty();
        assertThat(origins.instanceAt("demo.000000000000.us-east-1.notebook.localhost.evil.example")).isEmpty();
        assertThat(new NotebookOrigins("nb.example.com", () -> URI.create("https://h:443")).origin(demo))
                .isEqualTo("https://demo.000000000000.us-east-1.nb.example.com:443");
    }

    @Test
    void theOriginCheckComparesSchemeHostAndPort() {
        String host = "demo.000000000000.us-east-1.notebook.localhost:8080";
        assertThat(NotebookProxy.sameOrigin(null, "http", host)).isTrue();
        assertThat(NotebookProxy.sameOrigin("http://" + host, "http", host)).isTrue();
        assertThat(NotebookProxy.sameOrigin("HTTP://DEMO.000000000000.us-east-1.notebook.localhost:8080", "http", host)).isTrue();
        assertThat(NotebookProxy.sameOrigin("https://" + host, "http", host)).isFalse();
        assertThat(NotebookProxy.sameOrigin("http://demo.000000000000.us-east-1.notebook.localhost:8081", "http", host)).isFalse();
        assertThat(NotebookProxy.sameOrigin("http://other.000000000000.us-east-1.notebook.localhost:8080", "http", host)).isFalse();
        assertThat(NotebookProxy.sameOrigin("http://127.0.0.1:8080", "http", host)).isFalse();
        assertThat(NotebookProxy.sameOrigin("null", "http", host)).isFalse();
        assertThat(NotebookProxy.sameOrigin("http://a.localhost", "http", "a.localhost")).isTrue();
        assertThat(NotebookProxy.sameOrigin("https://a.localhost", "https", "a.localhost:443")).isTrue();
    }
}
