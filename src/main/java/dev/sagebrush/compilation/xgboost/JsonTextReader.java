package dev.sagebrush.compilation.xgboost;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;

/**
 * Parses XGBoost JSON into a Jackson tree in which every non-integer number is a FloatNode holding the float32
 * nearest to the token's decimal text.
 *
 * <p>Why not the stock tree with USE_BIG_DECIMAL_FOR_FLOATS: BigDecimal has no negative zero, and XGBoost writes
 * leaves of exactly "-0.0"; the sign matters for bit-exact margins. Why not doubles: text to double to float rounds
 * twice and can be one ulp off. Parsing the token text straight to float gives the exact value XGBoost wrote.
 * NaN/Infinity tokens are accepted because XGBoost writes them (e.g. categorical nodes).
 */
final class JsonTextReader {
    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    private static final int MAX_DEPTH = 64;
    private static final JsonFactory FACTORY = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).build())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .build();

    private final long budget;
    private long elementsLeft;

    private JsonTextReader(long budget) {
        this.budget = budget;
        this.elementsLeft = budget;
    }

    static JsonNode parse(byte[] data) throws XgbModelException {
        try (JsonParser p = FACTORY.createParser(data)) {
            JsonToken t = p.nextToken();
            if (t == null) {
                throw new XgbModelException("empty JSON model");
            }
            JsonNode n = new JsonTextReader(XgbLimits.elementBudget(data.length)).value(p, t);
            if (p.nextToken() != null) {
                throw new XgbModelException("trailing data after the JSON model");
            }
            return n;
        } catch (BudgetExceeded e) {
            throw e.reason;
        } catch (IOException e) {
            throw new XgbModelException("invalid JSON model: " + e.getMessage(), e);
        }
    }

    /** Carries the budget's own message through Jackson's IOException-only parsing code. */
    private static final class BudgetExceeded extends IOException {
        final XgbModelException reason;

        BudgetExceeded(XgbModelException reason) {
            super(reason.getMessage(), null);
            this.reason = reason;
        }
    }

    private JsonNode value(JsonParser p, JsonToken t) throws IOException {
        if (--elementsLeft < 0) {
            throw new BudgetExceeded(XgbLimits.tooManyElements(budget));
        }
        switch (t) {
            case START_OBJECT: {
                ObjectNode o = F.objectNode();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String key = p.currentName();
                    o.set(key, value(p, p.nextToken()));
                }
                return o;
            }
            case START_ARRAY: {
                ArrayNode a = F.arrayNode();
                JsonToken e;
                while ((e = p.nextToken()) != JsonToken.END_ARRAY) {
                    a.add(value(p, e));
                }
                return a;
            }
            case VALUE_STRING: return F.textNode(p.getText());
            case VALUE_NUMBER_INT: return F.numberNode(p.getBigIntegerValue());
            case VALUE_NUMBER_FLOAT: return F.numberNode(Float.parseFloat(p.getText()));
            case VALUE_TRUE: return F.booleanNode(true);
            case VALUE_FALSE: return F.booleanNode(false);
            case VALUE_NULL: return F.nullNode();
            default: throw new IOException("unexpected JSON token " + t);
        }
    }
}
