package dev.sagebrush.search;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import software.amazon.awssdk.services.sagemaker.model.Relation;
import software.amazon.awssdk.services.sagemaker.model.TotalHits;

/**
 * One page of Search results.
 *
 * @param documents  the matching TrainingJob documents in result order, as compact UTF-8 JSON (shared with the index:
 *                   never modify them)
 * @param totalHits  the exact number of jobs matching the SearchExpression (all pages), so Relation is EqualTo
 * @param nextToken  the token for the next page, or null on the last page (the paginator stops on its absence)
 */
public record SearchPage(List<byte[]> documents, long totalHits, String nextToken) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public TotalHits sdkTotalHits() {
        return TotalHits.builder().value(totalHits).relation(Relation.EQUAL_TO).build();
    }

    /** The TrainingJob documents parsed into trees (a copy: for tests and callers that want to read fields). */
    public List<ObjectNode> trainingJobs() {
        return documents.stream().map(SearchPage::parse).toList();
    }

    /**
     * The SearchResponse in its awsJson wire form: {@code {"Results":[{"TrainingJob":{...}}], "NextToken",
     * "TotalHits"}}, with each document copied in as it is stored.
     */
    public byte[] toResponseBytes() {
        int size = 96 + (nextToken == null ? 0 : nextToken.length() + 16);
        for (byte[] d : documents) size += d.length + 20;
        ByteArrayOutputStream out = new ByteArrayOutputStream(size);
        try {
            out.write(ascii("{\"Results\":["));
            for (int i = 0; i < documents.size(); i++) {
                out.write(ascii(i == 0 ? "{\"TrainingJob\":" : ",{\"TrainingJob\":"));
                out.write(documents.get(i));
                out.write('}');
            }
            out.write(']');
            if (nextToken != null) {
                out.write(ascii(",\"NextToken\":"));
                out.write(JSON.writeValueAsBytes(nextToken));
            }
            out.write(ascii(",\"TotalHits\":{\"Value\":" + totalHits + ",\"Relation\":\"EqualTo\"}}"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** {@link #toResponseBytes()} as a tree. */
    public ObjectNode toResponseJson() {
        return parse(toResponseBytes());
    }

    private static ObjectNode parse(byte[] json) {
        try {
            return (ObjectNode) JSON.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
