package dev.sagebrush.compilation.xgboost;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads XGBoost's JSON model schema from a Jackson tree (parsed from JSON text or from UBJSON). Handles the
 * 1.x/2.x layout and the 3.x drift: vector base_score strings like "[3E-1]", and dart saved as "gbtree" with
 * {@code model.weight_drop}.
 */
final class JsonModelReader {
    private JsonModelReader() { }

    static XgbModel read(JsonNode root) throws XgbModelException {
        JsonNode learner = require(root, "learner");
        JsonNode param = require(learner, "learner_model_param");
        JsonNode booster = require(learner, "gradient_booster");
        String boosterName = require(booster, "name").asText();
        ModelAssembler.rejectBooster(boosterName);
        ModelAssembler.rejectMultiTarget(param.has("num_target") ? intOf(param.get("num_target")) : 1);

        JsonNode model;
        JsonNode weightNode;
        if ("dart".equals(boosterName)) {
            model = require(require(booster, "gbtree"), "model");
            weightNode = require(booster, "weight_drop");
        } else {
            model = require(booster, "model");
            weightNode = model.get("weight_drop"); // xgboost 3.x stores dart this way
        }
        JsonNode treesNode = require(model, "trees");
        List<XgbTree> trees = new ArrayList<>(treesNode.size());
        for (int i = 0; i < treesNode.size(); i++) {
            trees.add(tree(i, treesNode.get(i)));
        }
        int[] treeInfo = ints(require(model, "tree_info"));
        float[] weights = weightNode == null || weightNode.isNull() ? null : floats(weightNode);
        String version = "unknown";
        if (root.has("version") && root.get("version").isArray()) {
            List<String> parts = new ArrayList<>();
            root.get("version").forEach(v -> parts.add(v.asText()));
            version = String.join(".", parts);
        }
        return ModelAssembler.assemble(require(require(learner, "objective"), "name").asText(),
                intOf(require(param, "num_feature")), intOf(require(param, "num_class")),
                baseScore(require(param, "base_score")), trees, treeInfo, weights, version);
    }

    private static XgbTree tree(int t, JsonNode n) throws XgbModelException {
        JsonNode tp = n.get("tree_param");
        if (tp != null && tp.has("size_leaf_vector") && intOf(tp.get("size_leaf_vector")) > 1) {
            throw new XgbUnsupportedModelException("tree " + t + " has vector leaves (size_leaf_vector="
                    + tp.get("size_leaf_vector").asText() + "): multi-target trees are not supported");
        }
        int[] left = ints(require(n, "left_children"));
        int[] right = ints(require(n, "right_children"));
        int[] split = ints(require(n, "split_indices"));
        float[] cond = floats(require(n, "split_conditions"));
        JsonNode dl = require(n, "default_left");
        int nodes = left.length;
        if (right.length != nodes || split.length != nodes || cond.length != nodes || dl.size() != nodes) {
            throw new XgbModelException("tree " + t + " has node arrays of different lengths");
        }
        boolean[] defaultLeft = new boolean[nodes];
        for (int i = 0; i < nodes; i++) {
            JsonNode v = dl.get(i);
            defaultLeft[i] = v.isBoolean() ? v.booleanValue() : v.asInt() != 0;
        }
        JsonNode st = n.get("split_type");
        if (st != null) {
            for (int i = 0; i < st.size() && i < nodes; i++) {
                if (st.get(i).asInt() != 0 && left[i] != -1) {
                    ModelAssembler.rejectCategorical(t, i, split[i], st.get(i).asInt());
                }
            }
        }
        // XGBoost keeps a leaf's value in split_conditions; split fields of leaves are meaningless.
        float[] threshold = new float[nodes];
        float[] leaf = new float[nodes];
        for (int i = 0; i < nodes; i++) {
            if (left[i] == -1) {
                leaf[i] = cond[i];
                split[i] = 0;
                defaultLeft[i] = false;
            } else {
                threshold[i] = cond[i];
            }
        }
        return new XgbTree(left, right, split, threshold, defaultLeft, leaf);
    }

    /** base_score is a number, a numeric string ("5E-1"), or since 3.x a vector string ("[3E-1]", "[5E-1,5E-1]"). */
    static float[] baseScore(JsonNode node) throws XgbModelException {
        if (node.isNumber()) {
            return new float[] {floatOf(node)};
        }
        String s = node.asText().trim();
        if (s.startsWith("[") && s.endsWith("]")) {
            s = s.substring(1, s.length() - 1);
        }
        String[] parts = s.split(",");
        float[] out = new float[parts.length];
        for (int i = 0; i < parts.length; i++) {
            out[i] = parseFloat(parts[i].trim(), "base_score");
        }
        return out;
    }

    static JsonNode require(JsonNode parent, String field) throws XgbModelException {
        JsonNode n = parent.get(field);
        if (n == null || n.isNull()) {
            throw new XgbModelException("model JSON lacks field '" + field + "'");
        }
        return n;
    }

    /** Integer parameters are stored as strings ("10") in XGBoost JSON, as numbers in some writers. */
    static int intOf(JsonNode n) throws XgbModelException {
        if (n.isIntegralNumber()) {
            if (!n.canConvertToInt()) {
                throw new XgbModelException("integer " + n.asText() + " is out of range");
            }
            return n.intValue();
        }
        try {
            return Integer.parseInt(n.asText().trim());
        } catch (NumberFormatException e) {
            throw new XgbModelException("expected an integer, got '" + n.asText() + "'");
        }
    }

    /**
     * Exact float32 of a number node. JSON floats arrive as FloatNodes parsed from their text (JsonTextReader),
     * UBJSON float32 as FloatNodes with the stored bits; a BigDecimal is converted from its decimal text, never
     * via double, which could round twice.
     */
    static float floatOf(JsonNode n) throws XgbModelException {
        if (n.isFloat()) {
            return n.floatValue();
        }
        if (n.isBigDecimal()) {
            return Float.parseFloat(n.decimalValue().toString());
        }
        if (n.isIntegralNumber()) {
            return Float.parseFloat(n.bigIntegerValue().toString());
        }
        if (n.isDouble()) {
            return (float) n.doubleValue(); // UBJSON float64: a single rounding, same as XGBoost's own cast
        }
        return parseFloat(n.asText(), "number");
    }

    private static float parseFloat(String s, String what) throws XgbModelException {
        try {
            return Float.parseFloat(s);
        } catch (NumberFormatException e) {
            throw new XgbModelException("invalid " + what + " '" + s + "'");
        }
    }

    private static int[] ints(JsonNode a) throws XgbModelException {
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = intOf(a.get(i));
        }
        return out;
    }

    private static float[] floats(JsonNode a) throws XgbModelException {
        float[] out = new float[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = floatOf(a.get(i));
        }
        return out;
    }
}
