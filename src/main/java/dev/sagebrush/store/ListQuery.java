package dev.sagebrush.store;

import java.time.Instant;
import java.util.Optional;

/**
 * A page request over one kind of resource of one account and region. Filters are optional; the sort is by one
 * column with the name as tie-breaker, so keyset paging ({@link #after}) is stable while resources are added.
 */
public record ListQuery(String account, String region, String kind,
                        Optional<String> nameContains, Optional<String> statusEquals,
                        Optional<Instant> createdAfter, Optional<Instant> createdBefore,
                        Optional<Instant> modifiedAfter, Optional<Instant> modifiedBefore,
                        SortColumn sortBy, boolean descending, int limit, Optional<Cursor> after) {

    public enum SortColumn { NAME, CREATED, STATUS, MODIFIED }

    /** The last row of the previous page: its sort value and name. */
    public record Cursor(String sortValue, String name) {
        /** The cursor that resumes after {@code row} in a listing sorted by {@code column}. */
        public static Cursor of(SortColumn column, StoredResource row) {
            return new Cursor(SqlListQuery.sortValue(column, row), row.key().name());
        }
    }

    public static Builder builder(String account, String region, String kind) {
        return new Builder(account, region, kind);
    }

    public static final class Builder {
        private final String account, region, kind;
        private Optional<String> nameContains = Optional.empty(), statusEquals = Optional.empty();
        private Optional<Instant> createdAfter = Optional.empty(), createdBefore = Optional.empty();
        private Optional<Instant> modifiedAfter = Optional.empty(), modifiedBefore = Optional.empty();
        private SortColumn sortBy = SortColumn.CREATED;
        private boolean descending;
        private int limit = 10;
        private Optional<Cursor> after = Optional.empty();

        private Builder(String account, String region, String kind) {
            this.account = account; this.region = region; this.kind = kind;
        }
        public Builder nameContains(String v) { nameContains = Optional.ofNullable(v); return this; }
        public Builder statusEquals(String v) { statusEquals = Optional.ofNullable(v); return this; }
        public Builder createdAfter(Instant v) { createdAfter = Optional.ofNullable(v); return this; }
        public Builder createdBefore(Instant v) { createdBefore = Optional.ofNullable(v); return this; }
        public Builder modifiedAfter(Instant v) { modifiedAfter = Optional.ofNullable(v); return this; }
        public Builder modifiedBefore(Instant v) { modifiedBefore = Optional.ofNullable(v); return this; }
        public Builder sort(SortColumn column, boolean desc) { sortBy = column; descending = desc; return this; }
        public Builder limit(int v) { limit = v; return this; }
        public Builder after(Cursor v) { after = Optional.ofNullable(v); return this; }

        /**
         * What a NextToken is bound to: every filter and the sort set so far, plus any filters the caller applies
         * outside the store; not the page size or position, which may change between pages.
         */
        public String identity(Object... otherFilters) {
            return fingerprint(account, region, kind, nameContains, statusEquals, createdAfter, createdBefore,
                    modifiedAfter, modifiedBefore, sortBy, descending, java.util.Arrays.asList(otherFilters));
        }
        public ListQuery build() {
            return new ListQuery(account, region, kind, nameContains, statusEquals, createdAfter, createdBefore,
                    modifiedAfter, modifiedBefore, sortBy, descending, limit, after);
        }
    }

    /** A query's identity for its tokens: every value that shapes the result (kind, caller, filters, sort). */
    static String fingerprint(Object... parts) {
        StringBuilder b = new StringBuilder();
        for (Object p : parts) b.append(p).append('\u0001');
        return b.toString();
    }
}
