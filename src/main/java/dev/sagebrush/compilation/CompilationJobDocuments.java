package dev.sagebrush.compilation;

import dev.sagebrush.protocol.JsonCodec;
import dev.sagebrush.store.StoredResource;
import software.amazon.awssdk.services.sagemaker.model.DescribeCompilationJobResponse;

/**
 * A compilation job is stored as its DescribeCompilationJob answer, in wire form: Describe is a read and a copy, with
 * the members AWS always returns filled in on the way out ({@link DescribeCompilationDefaults}), so jobs stored before
 * they were get them too.
 */
final class CompilationJobDocuments {
    private final JsonCodec codec;

    CompilationJobDocuments(JsonCodec codec) {
        this.codec = codec;
    }

    byte[] encode(DescribeCompilationJobResponse job) {
        return codec.encode(job);
    }

    DescribeCompilationJobResponse decode(StoredResource row) {
        return DescribeCompilationDefaults.apply(codec.decode(row.document(), DescribeCompilationJobResponse.builder()));
    }
}
