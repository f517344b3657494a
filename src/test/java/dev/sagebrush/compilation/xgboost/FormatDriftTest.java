package dev.sagebrush.compilation.xgboost;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;

/**
 * XGBoost 3.x re-saves 1.7 models with a vector base_score string and stores dart as "gbtree" with
 * model.weight_drop (research COMPILATION.md §3). Simulated by editing the 1.7 fixtures; predictions must not move.
 */
class FormatDriftTest {
    private static final ObjectMapper M = new ObjectMapper();

    /** Parsed with our float-exact reader, so re-serializing keeps every float32 (and -0.0) intact. */
    private static ObjectNode tree(String fixture) throws Exception {
        return (ObjectNode) JsonTextReader.parse(Files.readAllBytes(Fixtures.get(fixture).file("json")));
    }

    private static void assertSameMargins(ObjectNode edited, String fixture) throws Exception {
        Fixtures.Fixture fx = Fixtures.get(fixture);
        XgbModel m = XgbLoader.load(M.writeValueAsBytes(edited));
        XgbLoaderTest.assertSameIr(XgbLoader.load(fx.file("json")), m, fixture + " (drifted)");
        float[] got = new ReferenceEvaluator(m).margins(fx.rows(), fx.nrow());
        assertThat(Fixtures.firstBitDifference(got, fx.margins())).isEqualTo(-1);
    }

    @Test
    void vectorBaseScoreString() throws Exception {
        ObjectNode root = tree("binary_logistic");
        ObjectNode param = (ObjectNode) root.at("/learner/learner_model_param");
        assertThat(param.get("base_score").asText()).isEqualTo("3E-1");
        param.put("base_score", "[3E-1]");
        ((ObjectNode) root.at("/learner/gradient_booster/model")).putArray("iteration_indptr").add(0);
        ((ObjectNode) root.at("/learner/gradient_booster/model")).putObject("cats");
        assertSameMargins(root, "binary_logistic");
    }

    @Test
    void multiclassVectorBaseScore() throws Exception {
        ObjectNode root = tree("multi_softprob");
        ((ObjectNode) root.at("/learner/learner_model_param")).put("base_score", "[5E-1,5E-1,5E-1]");
        assertSameMargins(root, "multi_softprob");
    }

    @Test
    void dartStoredAsGbtreeWithWeightDrop() throws Exception {
        ObjectNode root = tree("dart");
        ObjectNode gb = (ObjectNode) root.at("/learner/gradient_booster");
        assertThat(gb.get("name").asText()).isEqualTo("dart");
        ObjectNode model = (ObjectNode) gb.at("/gbtree/model");
        model.set("weight_drop", gb.get("weight_drop"));
        ObjectNode drifted = M.createObjectNode();
        drifted.put("name", "gbtree");
        drifted.set("model", model);
        ((ObjectNode) root.get("learner")).set("gradient_booster", drifted);
        assertSameMargins(root, "dart");
    }
}
