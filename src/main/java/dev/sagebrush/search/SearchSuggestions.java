package dev.sagebrush.search;

import dev.sagebrush.errors.AwsException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;
import java.util.function.Supplier;
import software.amazon.awssdk.services.sagemaker.model.GetSearchSuggestionsRequest;
import software.amazon.awssdk.services.sagemaker.model.GetSearchSuggestionsResponse;
import software.amazon.awssdk.services.sagemaker.model.PropertyNameSuggestion;

/**
 * GetSearchSuggestions: every property name usable in a Search filter that starts with PropertyNameHint
 * (case-sensitive, like property names themselves), sorted. That is the catalogue's names plus the
 * {@code Metrics.*}, {@code HyperParameters.*} and {@code Tags.*} names present in the index right now. The model
 * sets no limit on the count, so none is applied; the names are bounded by the record schema and the data.
 * A missing SuggestionQuery means no restriction.
 */
final class SearchSuggestions {
    static final int MAX_HINT = 100;

    private final List<String> staticNames;
    private final Supplier<Collection<String>> keyedNames;

    SearchSuggestions(PropertyCatalogue catalogue, Supplier<Collection<String>> keyedNames) {
        List<String> names = new ArrayList<>();
        for (Property p : catalogue.all()) {
            if (p.type() != PropertyType.METRICS) {
                names.add(p.name());
            }
        }
        this.staticNames = names;
        this.keyedNames = keyedNames;
    }

    GetSearchSuggestionsResponse suggest(GetSearchSuggestionsRequest request) {
        SearchQuery.checkResource(request.resourceAsString());
        String hint = "";
        if (request.suggestionQuery() != null && request.suggestionQuery().propertyNameQuery() != null) {
            hint = request.suggestionQuery().propertyNameQuery().propertyNameHint();
            if (hint == null) {
                throw SearchErrors.constraint(null, "suggestionQuery.propertyNameQuery.propertyNameHint",
                        "not be null");
            }
            if (hint.length() > MAX_HINT) {
                throw AwsException.validation("1 validation error detected: Value '" + hint
                        + "' at 'suggestionQuery.propertyNameQuery.propertyNameHint' failed to satisfy constraint: "
                        + "Member must have length less than or equal to " + MAX_HINT);
            }
        }
        TreeSet<String> matches = new TreeSet<>();
        for (String name : staticNames) {
            if (name.startsWith(hint)) {
                matches.add(name);
            }
        }
        for (String name : keyedNames.get()) {
            if (name.startsWith(hint)) {
                matches.add(name);
            }
        }
        List<PropertyNameSuggestion> out = new ArrayList<>(matches.size());
        for (String name : matches) {
            out.add(PropertyNameSuggestion.builder().propertyName(name).build());
        }
        return GetSearchSuggestionsResponse.builder().propertyNameSuggestions(out).build();
    }
}
