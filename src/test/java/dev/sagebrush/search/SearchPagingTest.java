package dev.sagebrush.search;

import static dev.sagebrush.search.TestJobs.and;
import static dev.sagebrush.search.TestJobs.filter;
import static dev.sagebrush.search.TestJobs.job;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sagebrush.errors.AwsException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sagemaker.model.Relation;
import software.amazon.awssdk.services.sagemaker.model.SearchRequest;

/** Sorting, top-k paging with signed position tokens, TotalHits. */
class SearchPagingTest {
    private final TrainingJobIndex index = new TrainingJobIndex(TestJobs.KEY);

    private static SearchRequest all() {
        return SearchRequest.builder().resource("TrainingJob").maxResults(100).build();
    }

    @Test
    void defaultOrderIsLastModifiedTimeDescendingWithArnTieBreak() {
        index.put(job("old").lastModified(100).build());
        index.put(job("new").lastModified(300).build());
        index.put(job("mid-b").lastModified(200).build());
        index.put(job("mid-a").lastModified(200).build());
        assertThat(TestJobs.names(index.search(all()))).containsExactly("new", "mid-a", "mid-b", "old");
        assertThat(TestJobs.names(index.search(all().toBuilder().sortOrder("Ascending").build())))
                .containsExactly("old", "mid-a", "mid-b", "new");
    }

    @Test
    void sortOnMetricsPutsRecordsWithoutTheMetricLastInBothDirections() {
        index.put(job("low").metric("auc", 0.5).build());
        index.put(job("none1").build());
        index.put(job("high").metric("auc", 0.9).build());
        index.put(job("none0").metric("other", 1).build());
        SearchRequest byAuc = all().toBuilder().sortBy("Metrics.auc").build();
        assertThat(TestJobs.names(index.search(byAuc))).containsExactly("high", "low", "none0", "none1");
        assertThat(TestJobs.names(index.search(byAuc.toBuilder().sortOrder("Ascending").build())))
                .containsExactly("low", "high", "none0", "none1");
    }

    @Test
    void sortOnHyperParametersTagsTextAndLists() {
        index.put(job("a").hp("depth", "10").tag("t", "b").channel("z", "s3://x").channel("b", "s3://x").build());
        index.put(job("b").hp("depth", "9").tag("t", "a").channel("m", "s3://x").build());
        index.put(job("c").hp("depth", "auto").build());
        // numeric, not lexicographic ("10" > "9"); text values after numbers ascending
        assertThat(TestJobs.names(index.search(all().toBuilder().sortBy("HyperParameters.depth")
                .sortOrder("Ascending").build()))).containsExactly("b", "a", "c");
        assertThat(TestJobs.names(index.search(all().toBuilder().sortBy("Tags.t").sortOrder("Ascending").build())))
                .containsExactly("b", "a", "c");
        // a list sorts by its smallest value ascending (a: "b" < b: "m"), largest descending (a: "z" > "m")
        SearchRequest byChannel = all().toBuilder().sortBy("InputDataConfig.ChannelName").build();
        assertThat(TestJobs.names(index.search(byChannel.toBuilder().sortOrder("Ascending").build())))
                .containsExactly("a", "b", "c");
        assertThat(TestJobs.names(index.search(byChannel))).containsExactly("a", "b", "c");
        index.put(job("d").channel("y", "s3://x").build());
        assertThat(TestJobs.names(index.search(byChannel))).containsExactly("a", "d", "b", "c");
    }

    private List<String> pageThrough(SearchRequest first, List<Runnable> betweenPages) {
        List<String> seen = new ArrayList<>();
        SearchRequest r = first;
        int page = 0;
        while (true) {
            SearchPage p = index.search(r);
            assertThat(p.trainingJobs().size()).isLessThanOrEqualTo(first.maxResults());
            seen.addAll(TestJobs.names(p));
            if (p.nextToken() == null) {
                return seen;
            }
            if (page < betweenPages.size()) {
                betweenPages.get(page).run();
            }
            page++;
            r = r.toBuilder().nextToken(p.nextToken()).build();
        }
    }

    @Test
    void pagesFollowTokensToTheEndAndReportTotalHits() {
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            String name = String.format("job-%02d", i);
            index.put(job(name).lastModified(1000 + i / 2).metric("auc", i % 3).build());
        }
        SearchRequest byTime = SearchRequest.builder().resource("TrainingJob").maxResults(7).build();
        SearchPage first = index.search(byTime);
        assertThat(first.totalHits()).isEqualTo(25);
        assertThat(first.sdkTotalHits().relation()).isEqualTo(Relation.EQUAL_TO);
        assertThat(first.trainingJobs()).hasSize(7);
        List<String> all = TestJobs.names(index.search(all()));
        assertThat(pageThrough(byTime, List.of())).isEqualTo(all).hasSize(25).doesNotHaveDuplicates();
        // a sort key with many ties and missing values pages the same way
        SearchRequest byAuc = byTime.toBuilder().sortBy("Metrics.auc").sortOrder("Ascending").maxResults(4).build();
        assertThat(pageThrough(byAuc, List.of())).isEqualTo(TestJobs.names(index.search(byAuc.toBuilder()
                .maxResults(100).build())));
        // an exact last page has no token
        SearchPage exact = index.search(byTime.toBuilder().maxResults(25).build());
        assertThat(exact.nextToken()).isNull();
        assertThat(exact.toResponseJson().has("NextToken")).isFalse();
        assertThat(exact.toResponseJson().get("Results").get(0).get("TrainingJob").get("TrainingJobName").asText())
                .isEqualTo(all.get(0));
    }

    @Test
    void pagingIsStableWhenJobsAreAddedOrRemovedBetweenPages() {
        for (int i = 0; i < 10; i++) {
            index.put(job(String.format("job-%02d", i)).lastModified(1000 + i).build());
        }
        SearchRequest byTime = SearchRequest.builder().resource("TrainingJob").maxResults(3).build();
        List<String> seen = pageThrough(byTime, List.of(
                () -> index.put(job("newest").lastModified(5000).build()),      // before the position: not seen
                () -> {
                    index.remove(TestJobs.ARN_PREFIX + "job-01");                 // ahead of the position: gone
                    index.put(job("older").lastModified(1).build());              // ahead: appears at the end
                }));
        assertThat(seen).containsExactly("job-09", "job-08", "job-07", "job-06", "job-05", "job-04", "job-03",
                "job-02", "job-00", "older");
    }

    @Test
    void tamperedOrForeignTokensAreRejected() {
        for (int i = 0; i < 5; i++) {
            index.put(job("job-" + i).lastModified(i).build());
        }
        SearchRequest r = TestJobs.request(and(filter("TrainingJobStatus", "Equals", "Completed"))).toBuilder()
                .maxResults(2).build();
        String token = index.search(r).nextToken();
        assertThat(token).isNotNull();
        byte[] raw = Base64.getUrlDecoder().decode(token);
        raw[20] ^= 1;
        String tampered = Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
        for (String bad : List.of(tampered, token.substring(1), "not a token!", "AAAA")) {
            assertThatThrownBy(() -> index.search(r.toBuilder().nextToken(bad).build()))
                    .isInstanceOf(AwsException.class).hasMessage(PageTokens.INVALID);
        }
        TrainingJobIndex otherServer = new TrainingJobIndex("another-key-another-key".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> otherServer.search(r.toBuilder().nextToken(token).build()))
                .hasMessage(PageTokens.INVALID);
        // the same token with a different query, sort or order
        for (SearchRequest other : List.of(
                r.toBuilder().searchExpression(and(filter("TrainingJobStatus", "Equals", "Failed"))).build(),
                r.toBuilder().sortBy("CreationTime").build(),
                r.toBuilder().sortOrder("Ascending").build())) {
            assertThatThrownBy(() -> index.search(other.toBuilder().nextToken(token).build()))
                    .isInstanceOf(AwsException.class).hasMessage(PageTokens.MISMATCH);
        }
        // MaxResults may change between pages
        assertThat(index.search(r.toBuilder().maxResults(3).nextToken(token).build()).trainingJobs()).hasSize(3);
        // an empty token means the first page
        assertThat(TestJobs.names(index.search(r.toBuilder().nextToken("").build())))
                .isEqualTo(TestJobs.names(index.search(r)));
    }

    @Test
    void putReplacesByArnAndResultsAreTheStoredCopy() {
        ObjectNode doc = job("x").status("InProgress").build();
        index.put(doc);
        doc.put("TrainingJobStatus", "Mutated"); // the caller's later edits do not reach the index
        index.put(job("x").status("Completed").build());
        assertThat(index.size()).isEqualTo(1);
        SearchPage p = index.search(all());
        assertThat(p.trainingJobs()).singleElement()
                .satisfies(j -> assertThat(j.get("TrainingJobStatus").asText()).isEqualTo("Completed"));
        assertThat(index.remove(TestJobs.ARN_PREFIX + "x")).isTrue();
        assertThat(index.remove(TestJobs.ARN_PREFIX + "x")).isFalse();
        assertThat(index.search(all()).totalHits()).isZero();
    }
}
