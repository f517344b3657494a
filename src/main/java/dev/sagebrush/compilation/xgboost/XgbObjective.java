package dev.sagebrush.compilation.xgboost;

import java.util.Map;

/**
 * What an XGBoost objective means at prediction time: how base_score becomes a margin and how the margin becomes
 * the prediction. Mirrors XGBoost 1.7's {@code ProbToMargin} and {@code PredTransform}; the float32 arithmetic is
 * intentional (XGBoost computes these in float, and the base margin must match bit for bit).
 */
public record XgbObjective(String name, Margin margin, Transform transform) {

    /** base_score to base margin. */
    public enum Margin {
        /** margin = base_score. */
        IDENTITY,
        /** margin = -logf(1/b - 1) (logistic objectives). */
        LOGIT,
        /** margin = logf(b) (log-link objectives). */
        LOG
    }

    /** margin to prediction. */
    public enum Transform {
        IDENTITY,
        /** 1 / (1 + expf(-m)). */
        SIGMOID,
        /** expf(m). */
        EXP,
        /** m &gt; 0 ? 1 : 0 (binary:hinge). */
        HINGE,
        /** softmax over the groups: float max, double sum, float division (XGBoost's common::Softmax). */
        SOFTMAX,
        /** index of the first maximal margin, as a float (multi:softmax). */
        ARGMAX
    }

    private static final Map<String, XgbObjective> KNOWN = Map.ofEntries(
            id("reg:squarederror"), id("reg:linear"), id("reg:squaredlogerror"), id("reg:pseudohubererror"),
            id("reg:absoluteerror"), id("rank:pairwise"), id("rank:ndcg"), id("rank:map"),
            // binary:logitraw keeps base_score unchanged as the margin: using the logit was off by exactly
            // logit(b) against xgboost 1.7.4 (research COMPILATION.md §3; the fixtures check it).
            id("binary:logitraw"),
            of("reg:logistic", Margin.LOGIT, Transform.SIGMOID), of("binary:logistic", Margin.LOGIT, Transform.SIGMOID),
            of("binary:hinge", Margin.IDENTITY, Transform.HINGE),
            of("count:poisson", Margin.LOG, Transform.EXP), of("reg:gamma", Margin.LOG, Transform.EXP),
            of("reg:tweedie", Margin.LOG, Transform.EXP), of("survival:cox", Margin.LOG, Transform.EXP),
            of("multi:softprob", Margin.IDENTITY, Transform.SOFTMAX),
            of("multi:softmax", Margin.IDENTITY, Transform.ARGMAX));

    private static Map.Entry<String, XgbObjective> id(String n) { return of(n, Margin.IDENTITY, Transform.IDENTITY); }

    private static Map.Entry<String, XgbObjective> of(String n, Margin m, Transform t) {
        return Map.entry(n, new XgbObjective(n, m, t));
    }

    /** Looks up a supported objective; anything else is rejected rather than guessed. */
    public static XgbObjective forName(String name) throws XgbUnsupportedModelException {
        XgbObjective o = KNOWN.get(name);
        if (o == null) {
            throw new XgbUnsupportedModelException("objective '" + name + "' is not supported: its prediction"
                    + " transform is not implemented, so compiled outputs could not be guaranteed to match XGBoost"
                    + " (supported: " + String.join(", ", new java.util.TreeSet<>(KNOWN.keySet())) + ")");
        }
        return o;
    }

    /** base_score to margin, in float32 like XGBoost. */
    public float toMargin(float b) throws XgbModelException {
        switch (margin) {
            case LOGIT:
                if (!(b > 0.0f && b < 1.0f)) {
                    throw new XgbModelException("base_score must be in (0,1) for " + name + ", got " + b);
                }
                return -logf(1.0f / b - 1.0f);
            case LOG:
                if (!(b > 0.0f)) {
                    throw new XgbModelException("base_score must be > 0 for " + name + ", got " + b);
                }
                return logf(b);
            default:
                return b;
        }
    }

    /**
     * logf via double: the double log is accurate to well under a float ulp, so rounding it to float gives the
     * correctly rounded logf, which is what glibc's logf returns in practice (checked by the fixtures).
     */
    static float logf(float x) { return (float) Math.log(x); }
}
