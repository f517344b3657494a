package dev.sagebrush.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sagebrush.store.ResourceKey;
import dev.sagebrush.store.ResourceStore;
import dev.sagebrush.store.ResourceStores;
import dev.sagebrush.store.StoredResource;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The compare-and-set loop of requests, against a real store. */
class TransitionsTest {
    static final ResourceKey KEY = new ResourceKey("000000000000", "us-east-1", "test-kind", "r1");
    static final Instant T0 = Instant.parse("2026-12-05T00:00:00Z");

    @TempDir
    Path dir;
    ResourceStore store;

    @BeforeEach
    void open() {
        store = ResourceStores.open(Optional.empty(), dir);
        assertThat(store.create(new StoredResource(KEY, "arn:test/r1", "Running", T0, T0, 0, doc("v0")), Map.of()))
                .isTrue();
    }

    @AfterEach
    void close() {
        store.close();
    }

    static byte[] doc(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aChangeIsDecidedAgainOnWhatAnotherWriterWroteMeanwhile() {
        List<String> seen = new ArrayList<>();
        Optional<StoredResource> written = Transitions.change(store, KEY, IllegalStateException::new, row -> {
            seen.add(row.status());
            if (seen.size() == 1) { // another writer gets in between the read and the write
                store.update(store.get(KEY).orElseThrow().withDocument("Stopping", T0, doc("other")));
            }
            return row.withDocument("Stopped", T0.plusSeconds(1), doc("mine"));
        });
        assertThat(seen).containsExactly("Running", "Stopping");
        assertThat(written).map(StoredResource::status).contains("Stopped");
        assertThat(store.get(KEY).orElseThrow().document()).isEqualTo(doc("mine"));
    }

    @Test
    void aChangeThatChangesNothingWritesNothingAndTheCallersErrorsPassThrough() {
        long version = store.get(KEY).orElseThrow().version();
        assertThat(Transitions.change(store, KEY, IllegalStateException::new, row -> null)).isEmpty();
        assertThat(store.get(KEY).orElseThrow().version()).isEqualTo(version);

        assertThatThrownBy(() -> Transitions.change(store, KEY, IllegalStateException::new, row -> {
            throw new IllegalArgumentException("status " + row.status() + " does not allow it");
        })).isInstanceOf(IllegalArgumentException.class).hasMessage("status Running does not allow it");

        ResourceKey gone = new ResourceKey("000000000000", "us-east-1", "test-kind", "gone");
        assertThatThrownBy(() -> Transitions.change(store, gone, () -> new IllegalStateException("no such resource"),
                row -> row)).isInstanceOf(IllegalStateException.class).hasMessage("no such resource");
    }

    @Test
    void deleteAsksFirstAndSaysWhetherItDeleted() {
        assertThat(Transitions.delete(store, KEY, null, row -> row.status().equals("Deleting"))).isFalse();
        assertThat(store.get(KEY)).isPresent();
        assertThatThrownBy(() -> Transitions.delete(store, KEY, IllegalStateException::new, row -> {
            throw new IllegalArgumentException("not while " + row.status());
        })).hasMessage("not while Running");

        assertThat(Transitions.delete(store, KEY, IllegalStateException::new, row -> true)).isTrue();
        assertThat(store.get(KEY)).isEmpty();
        assertThat(Transitions.delete(store, KEY, null, row -> true)).isFalse();
        assertThatThrownBy(() -> Transitions.delete(store, KEY, () -> new IllegalStateException("gone"), row -> true))
                .hasMessage("gone");
    }

    @Test
    void controllersMoveOnlyOutOfTheStatusesTheyExpect() {
        assertThat(Transitions.apply(store, KEY, null, List.of("Pending"), row -> row.withDocument("X", T0, doc("x"))))
                .isEmpty();
        assertThat(Transitions.apply(store, KEY, null, List.of("Running"), row -> row.withDocument("Done", T0, doc("d"))))
                .map(StoredResource::status).contains("Done");
    }
}
