package dev.sagebrush.notebook;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sagebrush.it.Waits;
import dev.sagebrush.notebook.proxy.NotebookRoutes;
import dev.sagebrush.notebook.proxy.SessionSigner;
import dev.sagebrush.notebook.runtime.InstanceKey;
import dev.sagebrush.notebook.runtime.InstanceSpec;
import dev.sagebrush.notebook.runtime.NotebookRuntime;
import dev.sagebrush.notebook.runtime.RuntimeFailure;
import dev.sagebrush.notebook.runtime.Upstream;
import dev.sagebrush.protocol.JsonCodec;
import dev.sagebrush.protocol.RequestContext;
import dev.sagebrush.store.SqliteResourceStore;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.sagemaker.model.CreateNotebookInstanceLifecycleConfigRequest;
import software.amazon.awssdk.services.sagemaker.model.CreateNotebookInstanceRequest;
import software.amazon.awssdk.services.sagemaker.model.DeleteNotebookInstanceLifecycleConfigRequest;
import software.amazon.awssdk.services.sagemaker.model.DescribeNotebookInstanceRequest;
import software.amazon.awssdk.services.sagemaker.model.DescribeNotebookInstanceResponse;
import software.amazon.awssdk.services.sagemaker.model.StartNotebookInstanceRequest;
import software.amazon.awssdk.services.sagemaker.model.StopNotebookInstanceRequest;
import software.amazon.awssdk.services.sagemaker.model.UpdateNotebookInstanceRequest;

/** The controller's status machine against a fake runtime: every path to Failed, and recovery after a restart. */
class NotebookControllerTest {
    @TempDir
    Path dir;
    SqliteResourceStore store;
    FakeRuntime runtime = new FakeRuntime();
    NotebookRoutes routes = new NotebookRoutes();
    NotebookController controller;
    NotebookInstances api;
    static final dev.sagebrush.notebook.runtime.InstanceKey NB =
            new dev.sagebrush.notebook.runtime.InstanceKey("000000000000", "us-east-1", "nb");
    final RequestContext ctx = new RequestContext("000000000000", "us-east-1", "test", "r", Instant.now());

    @BeforeEach
    void setUp() {
        store = new SqliteResourceStore(dir.resolve("db.sqlite"));
        startController();
    }

    void startController() {
        controller = new NotebookController(store, new JsonCodec(), Clock.systemUTC(), runtime, routes, "node-a",
                Duration.ofSeconds(60), Duration.ofMillis(50)).start();
        api = new NotebookInstances(store, new JsonCodec(), controller::wake,
                new SessionSigner(new byte[32]), new dev.sagebrush.notebook.proxy.NotebookOrigins("notebook.localhost",
                () -> URI.create("http://127.0.0.1:1")));
    }

    @AfterEach
    void tearDown() {
        controller.close();
        store.close();
    }

    DescribeNotebookInstanceResponse awaitStatus(String name, String status) throws InterruptedException {
        return Waits.until(() -> api.describe(ctx, DescribeNotebookInstanceRequest.builder().notebookInstanceName(name).build()),
                d -> d.notebookInstanceStatusAsString().equals(status), Duration.ofSeconds(10));
    }

    void create(String name) {
        api.create(ctx, CreateNotebookInstanceRequest.builder().notebookInstanceName(name).instanceType("ml.t3.medium")
                .roleArn("arn:aws:iam::000000000000:role/R").build());
    }

    @Test
    void aFailedStartRecordsTheReasonAndStartClearsIt() throws Exception {
        runtime.failNextStart = "no capacity";
        create("nb");
        assertThat(awaitStatus("nb", "Failed").failureReason()).isEqualTo("no capacity");
        assertThat(routes.isRegistered(NB)).isFalse();
        api.start(ctx, StartNotebookInstanceRequest.builder().notebookInstanceName("nb").build());
        assertThat(awaitStatus("nb", "InService").failureReason()).isNull();
        assertThat(routes.isRegistered(NB)).isTrue();
    }

    @Test
    void aCrashMakesTheInstanceFailedAndStopsWhatIsLeft() throws Exception {
        create("nb");
        awaitStatus("nb", "InService");
        runtime.crash("nb", "exited with code 137");
        assertThat(awaitStatus("nb", "Failed").failureReason()).isEqualTo("exited with code 137");
        assertThat(routes.isRegistered(NB)).isFalse();
        // The stop runs on an operation thread after the Failed status is written: wait for it, not race it.
        Waits.until(() -> runtime.calls.contains("stop nb"), r -> r, Duration.ofSeconds(10));
    }

    @Test
    void aRestartedControllerStartsInServiceInstancesAgain() throws Exception {
        create("nb");
        awaitStatus("nb", "InService");
        controller.close(); // stops every Jupyter, leaves the status
        assertThat(runtime.running).isEmpty();
        assertThat(api.describe(ctx, DescribeNotebookInstanceRequest.builder().notebookInstanceName("nb").build())
                .notebookInstanceStatusAsString()).isEqualTo("InService");
        runtime.calls.clear();
        startController();
        awaitStatus("nb", "InService");
        Waits.until(() -> runtime.running.containsKey("nb"), r -> r, Duration.ofSeconds(10));
        assertThat(runtime.calls).containsSubsequence("reset nb", "start nb");
    }

    @Test
    void aLifecycleConfigDeletedMeanwhileFailsTheStart() throws Exception {
        LifecycleConfigs lccs = new LifecycleConfigs(store, new JsonCodec(), null);
        lccs.create(ctx, CreateNotebookInstanceLifecycleConfigRequest.builder().notebookInstanceLifecycleConfigName("gone").build());
        api.create(ctx, CreateNotebookInstanceRequest.builder().notebookInstanceName("nb").instanceType("ml.t3.medium")
                .roleArn("arn:aws:iam::000000000000:role/R").lifecycleConfigName("gone").build());
        awaitStatus("nb", "InService");
        api.stop(ctx, StopNotebookInstanceRequest.builder().notebookInstanceName("nb").build());
        awaitStatus("nb", "Stopped");
        lccs.delete(ctx, DeleteNotebookInstanceLifecycleConfigRequest.builder().notebookInstanceLifecycleConfigName("gone").build());
        api.start(ctx, StartNotebookInstanceRequest.builder().notebookInstanceName("nb").build());
        assertThat(awaitStatus("nb", "Failed").failureReason()).isEqualTo("Notebook Instance Lifecycle Config 'gone' for "
                + "Notebook Instance 'arn:aws:sagemaker:us-east-1:000000000000:notebook-instance/nb' does not exist.");
    }

    @Test
    void anUpdateTheHostCannotApplyFailsTheInstance() throws Exception {
        create("nb");
        awaitStatus("nb", "InService");
        api.stop(ctx, StopNotebookInstanceRequest.builder().notebookInstanceName("nb").build());
        awaitStatus("nb", "Stopped");
        runtime.failNextUpdate = "Could not resize the volume: disk full";
        api.update(ctx, UpdateNotebookInstanceRequest.builder().notebookInstanceName("nb").volumeSizeInGB(50).build());
        assertThat(awaitStatus("nb", "Failed").failureReason()).isEqualTo("Could not resize the volume: disk full");
        assertThat(runtime.calls).contains("update nb");
    }

    /** Records calls; "runs" instances in a map. */
    static final class FakeRuntime implements NotebookRuntime {
        final Map<String, Upstream> running = new ConcurrentHashMap<>();
        final Map<String, String> exits = new ConcurrentHashMap<>();
        final List<String> calls = new CopyOnWriteArrayList<>();
        volatile String failNextStart;
        volatile String failNextUpdate;

        void crash(String name, String reason) {
            exits.put(name, reason);
            running.remove(name);
        }

        @Override public Upstream start(InstanceSpec spec) throws RuntimeFailure {
            calls.add("start " + spec.name());
            String f = failNextStart;
            failNextStart = null;
            if (f != null) throw new RuntimeFailure(f);
            Upstream u = new Upstream(URI.create("http://127.0.0.1:9"), "t");
            running.put(spec.name(), u);
            return u;
        }
        @Override public Optional<String> exitReason(InstanceKey k) { return Optional.ofNullable(exits.get(k.name())); }
        @Override public boolean isRunning(InstanceKey k) { return running.containsKey(k.name()); }
        @Override public void stop(InstanceKey k) { calls.add("stop " + k.name()); running.remove(k.name()); exits.remove(k.name()); }
        @Override public void reset(InstanceKey k) { calls.add("reset " + k.name()); }
        @Override public void update(InstanceSpec spec) throws RuntimeFailure {
            calls.add("update " + spec.name());
            String f = failNextUpdate;
            failNextUpdate = null;
            if (f != null) throw new RuntimeFailure(f);
        }
        @Override public void destroy(InstanceKey k) { calls.add("destroy " + k.name()); }
        @Override public Path logDirectory(InstanceKey k) { return Path.of("/nonexistent"); }
        @Override public String describeHost() { return "fake"; }
        @Override public void close() { running.keySet().forEach(n -> stop(new InstanceKey("000000000000", "us-east-1", n))); }
    }
}
