package dev.sagebrush.notebook;

import dev.sagebrush.store.ListQuery;
import dev.sagebrush.store.ResourceStore;
import dev.sagebrush.store.StoredResource;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.function.Predicate;

/**
 * Keyset paging with filters the store has no column for (the lifecycle config and code repository filters of
 * ListNotebookInstances): reads the store's pages in order, keeps the rows that pass, and stops once it has one more
 * than asked. The cursor of the next page is the last row returned, so paging stays stable however many rows the
 * filter skips.
 */
final class FilteredPages {
    private static final int SCAN_BATCH = 100;

    private FilteredPages() {}

    /** @param query a query builder with every store-side filter and the sort set; limit and cursor are set here */
    static ResourceStore.Page list(ResourceStore store, Supplier<ListQuery.Builder> query,
                                   ListQuery.SortColumn sort, ListQuery.Cursor after, int limit,
                                   Predicate<StoredResource> keep) {
        List<StoredResource> out = new ArrayList<>();
        ListQuery.Cursor cursor = after;
        while (true) {
            ResourceStore.Page page = store.list(query.get().limit(SCAN_BATCH).after(cursor).build());
            for (StoredResource row : page.rows()) {
                if (!keep.test(row)) continue;
                if (out.size() == limit) return new ResourceStore.Page(out, true);
                out.add(row);
            }
            if (!page.more() || page.rows().isEmpty()) return new ResourceStore.Page(out, false);
            cursor = ListQuery.Cursor.of(sort, page.rows().get(page.rows().size() - 1));
        }
    }
}
