package dev.sagebrush.notebook;

import dev.sagebrush.protocol.JsonCodec;
import dev.sagebrush.store.StoredResource;
import software.amazon.awssdk.services.sagemaker.model.DescribeNotebookInstanceLifecycleConfigResponse;
import software.amazon.awssdk.services.sagemaker.model.DescribeNotebookInstanceResponse;

/**
 * Notebook instances and lifecycle configs are stored as their Describe answers in wire form. The instance's Url is
 * not stored: it names this server's address, which can change between runs, so Describe fills it in.
 */
final class NotebookDocuments {
    private final JsonCodec codec;

    NotebookDocuments(JsonCodec codec) {
        this.codec = codec;
    }

    byte[] encode(DescribeNotebookInstanceResponse doc) {
        return codec.encode(doc);
    }

    DescribeNotebookInstanceResponse instance(StoredResource row) {
        return codec.decode(row.document(), DescribeNotebookInstanceResponse.builder());
    }

    byte[] encode(DescribeNotebookInstanceLifecycleConfigResponse doc) {
        return codec.encode(doc);
    }

    DescribeNotebookInstanceLifecycleConfigResponse lifecycleConfig(StoredResource row) {
        return codec.decode(row.document(), DescribeNotebookInstanceLifecycleConfigResponse.builder());
    }
}
