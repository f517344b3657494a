package dev.sagebrush.search;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import software.amazon.awssdk.services.sagemaker.model.Relation;
import software.amazon.awssdk.services.sagemaker.model.TotalHits;

/**
 * One page of Search results.
 *
 * @param trainingJobs the matching TrainingJob documents in result order, as they were put (shared with the index:
 *                     treat them as read-only)
 * @param totalHits    the exact number of jobs matching the SearchExpression (all pages), so Relation is EqualTo
 * @param nextToken    the token for the next page, or null on the last page (the paginator stops on its absence)
 */
public record SearchPage(List<ObjectNode> trainingJobs, long totalHits, String nextToken) {
    public TotalHits sdkTotalHits() {
        return TotalHits.builder().value(totalHits).relation(Relation.EQUAL_TO).build();
    }

    /** The SearchResponse in its awsJson wire form: {@code {"Results":[{"TrainingJob":{...}}], "TotalHits", "NextToken"}}. */
    public ObjectNode toResponseJson() {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode response = f.objectNode();
        ArrayNode results = response.putArray("Results");
        for (ObjectNode job : trainingJobs) {
            results.addObject().set("TrainingJob", job);
        }
        if (nextToken != null) {
            response.put("NextToken", nextToken);
        }
        ObjectNode hits = response.putObject("TotalHits");
        hits.put("Value", totalHits);
        hits.put("Relation", "EqualTo");
        return response;
    }
}
