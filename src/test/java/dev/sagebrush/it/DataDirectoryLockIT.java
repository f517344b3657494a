package dev.sagebrush.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sagebrush.Sagebrush;
import dev.sagebrush.config.Config;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sagemaker.SageMakerClient;

/** One server per data directory: a second one is refused and leaves the first's data alone; the next may start. */
class DataDirectoryLockIT {
    @Test
    void aSecondServerOnTheSameDataDirectoryIsRefused() throws Exception {
        try (ServerFixture fixture = ServerFixture.start()) {
            SageMakerClient sm = fixture.sagemaker();
            sm.createNotebookInstanceLifecycleConfig(r -> r.notebookInstanceLifecycleConfigName("kept"));

            assertThatThrownBy(() -> Sagebrush.start(Config.defaults(fixture.dataDir).withPort(0)))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("is in use by another Sagebrush server");
            assertThat(sm.describeNotebookInstanceLifecycleConfig(r -> r.notebookInstanceLifecycleConfigName("kept"))
                    .notebookInstanceLifecycleConfigName()).isEqualTo("kept");

            fixture.server.close(); // the lock goes with the server: the same directory starts again
            try (Sagebrush again = Sagebrush.start(Config.defaults(fixture.dataDir).withPort(0))) {
                assertThat(again.port()).isPositive();
            }
        }
    }
}
