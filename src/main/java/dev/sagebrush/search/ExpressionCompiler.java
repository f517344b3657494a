package dev.sagebrush.search;

import dev.sagebrush.errors.AwsException;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.services.sagemaker.model.Filter;
import software.amazon.awssdk.services.sagemaker.model.NestedFilters;
import software.amazon.awssdk.services.sagemaker.model.SearchExpression;

/**
 * Validates a {@link SearchExpression} against the model's limits and compiles it into a {@link Condition}.
 *
 * <p>Limits: Filters, NestedFilters, SubExpressions and NestedFilters[].Filters each 1..20 items when present; an
 * expression holds at least one of the three lists; at most 50 Filters + NestedFilters + SubExpressions counted
 * recursively, where the Filters inside NestedFilters count too (they are Filter objects of the expression, and
 * counting them keeps the bound on evaluation work honest); at most one Contains in the whole request (Contains
 * may repeat only on Experiment/Trial/TrialComponent properties, none of which TrainingJob has).
 *
 * <p>Also writes a canonical text of the expression, hashed into page tokens so that a token only continues the
 * query that produced it.
 */
final class ExpressionCompiler {
    static final int MAX_LIST = 20;
    static final int MAX_TOTAL = 50;

    private final PropertyCatalogue catalogue;
    private final FilterCompiler filters;
    private final StringBuilder canonical = new StringBuilder();
    private int total;
    private int contains;

    ExpressionCompiler(PropertyCatalogue catalogue) {
        this.catalogue = catalogue;
        this.filters = new FilterCompiler(catalogue);
    }

    /** The canonical text of everything compiled so far. */
    String canonical() { return canonical.toString(); }

    Condition compile(SearchExpression expression) {
        checkLimits(expression, "searchExpression");
        if (total > MAX_TOTAL) {
            throw AwsException.validation("The SearchExpression contains " + total
                    + " Filters, NestedFilters and SubExpressions; the limit is " + MAX_TOTAL + ".");
        }
        if (contains > 1) {
            throw AwsException.validation("'CONTAINS' operator usage limit of 1 exceeded.");
        }
        return compile(expression, "searchExpression");
    }

    /** First pass: shape limits and counts, so a limit error wins over a deep property error. */
    private void checkLimits(SearchExpression e, String path) {
        if (!e.hasFilters() && !e.hasNestedFilters() && !e.hasSubExpressions()) {
            throw AwsException.validation("The SearchExpression at '" + path
                    + "' must contain at least one of Filters, NestedFilters or SubExpressions.");
        }
        if (e.hasFilters()) {
            checkSize(e.filters(), path + ".filters");
            total += e.filters().size();
            e.filters().forEach(this::countContains);
        }
        if (e.hasNestedFilters()) {
            checkSize(e.nestedFilters(), path + ".nestedFilters");
            total += e.nestedFilters().size();
            for (int i = 0; i < e.nestedFilters().size(); i++) {
                NestedFilters n = e.nestedFilters().get(i);
                String nPath = path + ".nestedFilters." + (i + 1) + ".member.filters";
                if (!n.hasFilters()) {
                    throw SearchErrors.constraint(null, nPath, "not be null");
                }
                checkSize(n.filters(), nPath);
                total += n.filters().size();
                n.filters().forEach(this::countContains);
            }
        }
        if (e.hasSubExpressions()) {
            checkSize(e.subExpressions(), path + ".subExpressions");
            total += e.subExpressions().size();
            for (int i = 0; i < e.subExpressions().size(); i++) {
                checkLimits(e.subExpressions().get(i), path + ".subExpressions." + (i + 1) + ".member");
            }
        }
    }

    private void countContains(Filter f) {
        if (FilterOp.CONTAINS.wire().equals(f.operatorAsString())) {
            contains++;
        }
    }

    private static void checkSize(List<?> list, String path) {
        if (list.size() < 1 || list.size() > MAX_LIST) {
            throw SearchErrors.listLength(list.size(), path, 1, MAX_LIST);
        }
    }

    private Condition compile(SearchExpression e, String path) {
        boolean or;
        String op = e.operatorAsString();
        if (op == null || op.equals("And")) {
            or = false;
        } else if (op.equals("Or")) {
            or = true;
        } else {
            throw SearchErrors.constraint(op, path + ".operator", "satisfy enum value set: [And, Or]");
        }
        canonical.append(or ? "(or" : "(and");
        List<Condition> parts = new ArrayList<>();
        if (e.hasFilters()) {
            for (int i = 0; i < e.filters().size(); i++) {
                Filter f = e.filters().get(i);
                parts.add(filters.compile(f, path + ".filters." + (i + 1) + ".member"));
                appendFilter(f);
            }
        }
        if (e.hasNestedFilters()) {
            for (int i = 0; i < e.nestedFilters().size(); i++) {
                parts.add(compileNested(e.nestedFilters().get(i), path + ".nestedFilters." + (i + 1) + ".member"));
            }
        }
        if (e.hasSubExpressions()) {
            for (int i = 0; i < e.subExpressions().size(); i++) {
                parts.add(compile(e.subExpressions().get(i), path + ".subExpressions." + (i + 1) + ".member"));
            }
        }
        canonical.append(')');
        return or ? Condition.or(parts) : Condition.and(parts);
    }

    private Condition compileNested(NestedFilters nested, String path) {
        String name = nested.nestedPropertyName();
        if (name == null) {
            throw SearchErrors.constraint(null, path + ".nestedPropertyName", "not be null");
        }
        Property axis = catalogue.byName(name);
        if (axis == null || axis.type().isKeyed() && axis.type() != PropertyType.MAP) {
            throw SearchErrors.unknownProperty(name);
        }
        if (axis.axis() != axis) {
            throw AwsException.validation("NestedPropertyName '" + name
                    + "' is not a list property; NestedFilters apply to lists such as InputDataConfig.");
        }
        canonical.append("(nested ");
        appendString(name);
        List<Condition.OnElement> parts = new ArrayList<>();
        for (int i = 0; i < nested.filters().size(); i++) {
            Filter f = nested.filters().get(i);
            parts.add(filters.compileOnElement(f, path + ".filters." + (i + 1) + ".member", axis));
            appendFilter(f);
        }
        canonical.append(')');
        return Condition.someElement(axis, parts);
    }

    private void appendFilter(Filter f) {
        canonical.append("(f ");
        appendString(f.name());
        appendString(String.valueOf(FilterCompiler.operatorOf(f)));
        appendString(f.value());
        canonical.append(')');
    }

    /** Length-prefixed, so no value can imitate the structure around it. */
    private void appendString(String s) {
        if (s == null) {
            canonical.append("-1:");
        } else {
            canonical.append(s.length()).append(':').append(s);
        }
    }
}
