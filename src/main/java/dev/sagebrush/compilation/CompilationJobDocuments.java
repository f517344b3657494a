package dev.sagebrush.compilation;

import dev.sagebrush.protocol.JsonCodec;
import dev.sagebrush.store.StoredResource;
import software.amazon.awssdk.services.sagemaker.model.DescribeCompilationJobResponse;

/** A compilation job is stored as its DescribeCompilationJob answer, in wire form: Describe is a read and a copy. */
final class CompilationJobDocuments {
    private final JsonCodec codec;

    CompilationJobDocuments(JsonCodec codec) {
        this.codec = codec;
    }

    byte[] encode(DescribeCompilationJobResponse job) {
        return codec.encode(job);
    }

    DescribeCompilationJobResponse decode(StoredResource row) {
        return codec.decode(row.document(), DescribeCompilationJobResponse.builder());
    }
}
