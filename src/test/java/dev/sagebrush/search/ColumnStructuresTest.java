package dev.sagebrush.search;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.IntPredicate;
import org.junit.jupiter.api.Test;

/** The index's storage pieces on their own: dictionary, runs, per-property columns, compression, the top-k heap. */
class ColumnStructuresTest {
    @Test
    void dictionaryHandsOutDenseStableCodesThroughManyRehashes() {
        StringDictionary d = new StringDictionary();
        for (int i = 0; i < 50_000; i++) {
            assertThat(d.add("value-" + i)).isEqualTo(i);
        }
        assertThat(d.size()).isEqualTo(50_000);
        for (int i = 0; i < 50_000; i += 997) {
            assertThat(d.add("value-" + i)).isEqualTo(i); // adding again returns the same code
            assertThat(d.codeOf("value-" + i)).isEqualTo(i);
            assertThat(d.value(i)).isEqualTo("value-" + i);
        }
        assertThat(d.codeOf("value-50000")).isEqualTo(StringDictionary.MISSING);
        assertThat(d.codeOf("")).isEqualTo(StringDictionary.MISSING);
        assertThat(d.add("")).isEqualTo(50_000);
    }

    @Test
    void dictionaryKeepsStringsWhoseHashesCollide() {
        StringDictionary d = new StringDictionary();
        // "Aa" and "BB" have the same hashCode, as do all their concatenations
        String[] colliding = {"AaAa", "AaBB", "BBAa", "BBBB"};
        for (int i = 0; i < colliding.length; i++) {
            assertThat(d.add(colliding[i])).isEqualTo(i);
        }
        for (int i = 0; i < colliding.length; i++) {
            assertThat(d.codeOf(colliding[i])).isEqualTo(i);
        }
    }

    @Test
    void runsGiveEachOwnerItsOwnRangeAndOwnersWithoutChildrenNone() {
        Columns.Runs runs = new Columns.Runs();
        assertThat(runs.add(0, 2)).isEqualTo(0);
        assertThat(runs.add(2, 3)).isEqualTo(2); // owner 1 has none
        assertThat(runs.add(40, 1)).isEqualTo(5); // grows
        assertThat(Columns.Runs.count(runs.count, 1)).isZero();
        assertThat(Columns.Runs.count(runs.count, 2)).isEqualTo(3);
        assertThat(runs.start[40]).isEqualTo(5);
        assertThat(Columns.Runs.count(runs.count, 10_000)).isZero();
    }

    @Test
    void multiValuesAndMapsAreRunsPerOwner() {
        Property attributeNames = PropertyCatalogue.trainingJob()
                .byName("InputDataConfig.DataSource.S3DataSource.AttributeNames");
        assertThat(attributeNames.multi()).isTrue();
        PropertyColumns multi = new PropertyColumns(attributeNames);
        multi.store(0, new Object[] {"a", "b"});
        multi.store(1, new Object[] {"c"});
        IntPredicate hasB = multi.owners(ColumnTests.text((Columns.TextColumn) multi.values, FilterOp.EQUALS, "b"), null);
        assertThat(hasB.test(0)).isTrue();
        assertThat(hasB.test(1)).isFalse();
        assertThat(hasB.test(7)).isFalse();
        assertThat(multi.extreme(0, null, false, null)).isEqualTo("b");
        assertThat(multi.extreme(0, null, true, "0")).isEqualTo("0");

        PropertyColumns env = new PropertyColumns(PropertyCatalogue.trainingJob().byName("Environment"));
        Map<String, String> m = new LinkedHashMap<>();
        m.put("A", "1");
        m.put("B", "2");
        env.store(3, m);
        env.store(4, Map.of("B", "1"));
        IntPredicate aIs1 = env.owners(ColumnTests.text((Columns.TextColumn) env.values, FilterOp.EQUALS, "1"), "A");
        assertThat(aIs1.test(3)).isTrue();
        assertThat(aIs1.test(4)).isFalse(); // "1" is B's value there, not A's
        assertThat(env.owners(null, "B").test(4)).isTrue();
        assertThat(env.owners(null, "C").test(3)).isFalse();
        assertThat(env.owners(null, null).test(3)).isTrue();
        assertThat(env.owners(null, null).test(2)).isFalse();
        assertThat(env.extreme(3, "B", true, null)).isEqualTo("2");
    }

    @Test
    void compressionRoundTripsSmallAndLargeDocuments() {
        Random r = new Random(7);
        for (int size : new int[] {0, 2, 1700, 40_000}) {
            StringBuilder b = new StringBuilder("{\"TrainingJobName\":\"");
            while (b.length() < size) b.append((char) ('a' + r.nextInt(26)));
            byte[] doc = b.append("\"}").toString().getBytes(StandardCharsets.UTF_8);
            assertThat(DocumentCompression.decompress(DocumentCompression.compress(doc))).isEqualTo(doc);
        }
        byte[] typical = TestJobs.job("a-typical-job").instance("ml.m5.large", 1).hp("eta", "0.1").metric("auc", 0.9)
                .tag("team", "vision").build().toString().getBytes(StandardCharsets.UTF_8);
        assertThat(DocumentCompression.compress(typical).length).isLessThan(typical.length / 2);
    }

    @Test
    void topKKeepsTheBestInResultOrderWithTheArnAsTieBreaker() {
        ColumnStore store = new ColumnStore(PropertyCatalogue.trainingJob(), 4);
        RecordExtractor extractor = new RecordExtractor(PropertyCatalogue.trainingJob());
        Random r = new Random(11);
        List<Object[]> all = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            JobRecord rec = extractor.extract(TestJobs.job(String.format("j%03d", r.nextInt(1000)) + "-" + i).build());
            int slot = store.append(rec, rec.document(), 0);
            all.add(new Object[] {slot, (long) r.nextInt(20), rec.arn()});
        }
        store.publish();
        SortSpec sort = SortSpec.compile(PropertyCatalogue.trainingJob(), "CreationTime", "Ascending");
        TopK top = new TopK(37, sort, store.view());
        for (Object[] e : all) top.offer((Integer) e[0], e[1]);
        all.sort(Comparator.<Object[], Long>comparing(e -> (Long) e[1]).thenComparing(e -> (String) e[2]));
        int[] best = top.sorted();
        assertThat(best).hasSize(37);
        for (int i = 0; i < best.length; i++) {
            assertThat(best[i]).isEqualTo(all.get(i)[0]);
        }
    }
}
