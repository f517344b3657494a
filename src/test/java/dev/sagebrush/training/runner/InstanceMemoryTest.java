package dev.sagebrush.training.runner;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class InstanceMemoryTest {
    static final long GiB = 1L << 30;

    @Test
    void sizesAsAwsDoes() {
        assertThat(InstanceMemory.bytes("ml.m5.large")).contains(8 * GiB);
        assertThat(InstanceMemory.bytes("ml.m5.4xlarge")).contains(64 * GiB);
        assertThat(InstanceMemory.bytes("ml.c5.xlarge")).contains(8 * GiB);
        assertThat(InstanceMemory.bytes("ml.r5.2xlarge")).contains(64 * GiB);
        assertThat(InstanceMemory.bytes("ml.m6i.xlarge")).contains(16 * GiB);
        assertThat(InstanceMemory.bytes("ml.t3.medium")).contains(4 * GiB);
        assertThat(InstanceMemory.bytes("ml.c5n.large")).contains(4 * GiB);
    }

    @Test
    void unknownTypesHaveNoSize() {
        assertThat(InstanceMemory.bytes(null)).isEmpty();
        assertThat(InstanceMemory.bytes("local")).isEmpty();
        assertThat(InstanceMemory.bytes("ml.m5.metal")).isEmpty();
        assertThat(InstanceMemory.bytes("ml.trn1.32xlarge")).isEmpty();
    }
}
