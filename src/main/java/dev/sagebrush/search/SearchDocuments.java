package dev.sagebrush.search;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import software.amazon.awssdk.core.SdkField;
import software.amazon.awssdk.services.sagemaker.model.TrainingJob;

/**
 * A training job's Search record straight from its stored DescribeTrainingJob document, in one JSON parse: Search's
 * {@code TrainingJob} shape has the same members as Describe's answer (a subset, with the same nested shapes) plus
 * Tags, so the record is the stored document without the members TrainingJob lacks, with the tags added. The same
 * result as decoding the document into the SDK's TrainingJob and encoding it again
 * ({@code TrainingJobDocuments.searchDocument}), about an order of magnitude cheaper: start-up with 100,000 jobs does
 * this 100,000 times.
 */
final class SearchDocuments {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> MEMBERS = TrainingJob.builder().sdkFields().stream()
            .map(SdkField::locationName).collect(Collectors.toUnmodifiableSet());

    private SearchDocuments() {}

    static ObjectNode of(byte[] describeDocument, Map<String, String> tags) {
        JsonNode tree;
        try {
            tree = JSON.readTree(describeDocument);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (!(tree instanceof ObjectNode doc)) throw new IllegalArgumentException("a training job document is a JSON object");
        for (Iterator<String> names = doc.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!MEMBERS.contains(name) || doc.get(name).isNull()) names.remove();
        }
        ArrayNode list = doc.putArray("Tags"); // present even when empty, as the SDK's encoding has it
        tags.forEach((k, v) -> list.addObject().put("Key", k).put("Value", v));
        return doc;
    }
}
