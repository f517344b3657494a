package dev.sagebrush.compilation.xgboost;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * XGBoost's legacy binary model format (the default of {@code save_model("x.model")} before 2.1): raw little-endian
 * C structs. Struct sizes are fixed by XGBoost's on-disk layout: LearnerModelParamLegacy 136 B, GBTreeModelParam
 * 160 B, TreeParam 148 B, Node 20 B, RTreeNodeStat 16 B. Only the fields prediction needs are read; the rest is
 * skipped by size. Strings and vectors are a uint64 length followed by the data.
 */
final class LegacyBinaryReader {
    static final int LEARNER_PARAM_SIZE = 136;
    static final int GBTREE_PARAM_SIZE = 160;
    static final int TREE_PARAM_SIZE = 148;
    static final int NODE_SIZE = 20;
    static final int NODE_STAT_SIZE = 16;

    private final ByteBuffer buf;

    private LegacyBinaryReader(byte[] data) {
        buf = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
    }

    static XgbModel read(byte[] data) throws XgbModelException {
        try {
            return new LegacyBinaryReader(data).model();
        } catch (BufferUnderflowException | IndexOutOfBoundsException e) {
            throw new XgbModelException("legacy binary model is truncated or corrupt");
        }
    }

    private XgbModel model() throws XgbModelException {
        // Files written by XGBoost >= 0.82 start with "binf"; older ones start directly with the struct.
        if (buf.remaining() >= 4 && buf.getInt(0) == 0x666e6962) {
            buf.position(4);
        }
        int start = buf.position();
        float baseScore = buf.getFloat(start);
        int numFeature = buf.getInt(start + 4);
        int numClass = buf.getInt(start + 8);
        int major = buf.getInt(start + 20);
        int minor = buf.getInt(start + 24);
        int numTarget = buf.getInt(start + 28); // a reserved (zero) field before 1.6: treat 0 as 1
        buf.position(start + LEARNER_PARAM_SIZE);
        String objective = string();
        String booster = string();
        ModelAssembler.rejectBooster(booster);
        ModelAssembler.rejectMultiTarget(numTarget);

        int p = buf.position();
        int numTrees = buf.getInt(p);
        int sizeLeafVector = buf.getInt(p + 28);
        if (numTrees < 0 || (long) numTrees * (TREE_PARAM_SIZE + NODE_SIZE) > buf.remaining()) {
            throw new XgbModelException("legacy binary model declares " + numTrees + " trees, more than the file holds");
        }
        if (sizeLeafVector > 1) {
            throw new XgbUnsupportedModelException("model has vector leaves (size_leaf_vector=" + sizeLeafVector
                    + "): multi-target trees are not supported");
        }
        buf.position(p + GBTREE_PARAM_SIZE);
        List<XgbTree> trees = new ArrayList<>(numTrees);
        for (int t = 0; t < numTrees; t++) {
            trees.add(tree(t));
        }
        int[] treeInfo = new int[numTrees];
        for (int t = 0; t < numTrees; t++) {
            treeInfo[t] = buf.getInt();
        }
        float[] weights = null;
        if ("dart".equals(booster)) {
            long n = buf.getLong();
            if (n != numTrees) {
                throw new XgbModelException("dart weight_drop has " + n + " entries for " + numTrees + " trees");
            }
            weights = new float[numTrees];
            for (int t = 0; t < numTrees; t++) {
                weights[t] = buf.getFloat();
            }
        }
        String version = major == 0 && minor == 0 ? "unknown" : major + "." + minor;
        return ModelAssembler.assemble(objective, numFeature, numClass, new float[] {baseScore}, trees, treeInfo,
                weights, version);
    }

    private XgbTree tree(int t) throws XgbModelException {
        int p = buf.position();
        int numNodes = buf.getInt(p + 4);
        int sizeLeafVector = buf.getInt(p + 20);
        if (numNodes <= 0 || (long) numNodes * (NODE_SIZE + NODE_STAT_SIZE) > buf.remaining()) {
            throw new XgbModelException("tree " + t + " declares " + numNodes + " nodes, more than the file holds");
        }
        if (sizeLeafVector > 1) {
            throw new XgbUnsupportedModelException("tree " + t + " has vector leaves (size_leaf_vector="
                    + sizeLeafVector + "): multi-target trees are not supported");
        }
        buf.position(p + TREE_PARAM_SIZE);
        int[] left = new int[numNodes];
        int[] right = new int[numNodes];
        int[] split = new int[numNodes];
        float[] threshold = new float[numNodes];
        boolean[] defaultLeft = new boolean[numNodes];
        float[] leaf = new float[numNodes];
        for (int n = 0; n < numNodes; n++) {
            buf.getInt(); // parent
            left[n] = buf.getInt();
            right[n] = buf.getInt();
            int sindex = buf.getInt(); // top bit: default left; low 31 bits: feature
            float value = buf.getFloat(); // union of leaf value and split condition
            if (left[n] == -1) {
                leaf[n] = value;
            } else {
                split[n] = sindex & 0x7fffffff;
                defaultLeft[n] = sindex < 0;
                threshold[n] = value;
            }
        }
        buf.position(buf.position() + numNodes * NODE_STAT_SIZE);
        return new XgbTree(left, right, split, threshold, defaultLeft, leaf);
    }

    private String string() throws XgbModelException {
        long n = buf.getLong();
        if (n < 0 || n > 4096 || n > buf.remaining()) {
            throw new XgbModelException("legacy binary model has an invalid string length " + n);
        }
        byte[] b = new byte[(int) n];
        buf.get(b);
        return new String(b, StandardCharsets.UTF_8);
    }
}
