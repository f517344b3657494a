package dev.sagebrush.search;

/**
 * The best {@code k} matches of one search in result order: a binary max-heap on the order (its root is the worst of
 * the best seen so far), of slots and their sort values in two arrays. A match that does not beat the root costs one
 * comparison of sort values; ARNs (the tie-breaker) are read from the view only on a tie.
 */
final class TopK {
    private final int k;
    private final SortSpec sort;
    private final ColumnStore.View view;
    private final int[] slots;
    private final Object[] keys;
    private int size;

    TopK(int k, SortSpec sort, ColumnStore.View view) {
        this.k = k;
        this.sort = sort;
        this.view = view;
        this.slots = new int[k];
        this.keys = new Object[k];
    }

    void offer(int slot, Object key) {
        if (k == 0) {
            return;
        }
        if (size < k) {
            slots[size] = slot;
            keys[size] = key;
            up(size++);
        } else if (before(slot, key, slots[0], keys[0])) {
            slots[0] = slot;
            keys[0] = key;
            down(0);
        }
    }

    /** The kept slots, best first. */
    int[] sorted() {
        int n = size;
        int[] out = new int[n];
        while (size > 0) { // pop the worst into the back
            out[--size] = slots[0];
            slots[0] = slots[size];
            keys[0] = keys[size];
            down(0);
        }
        return out;
    }

    /** True when (slotA, keyA) comes before (slotB, keyB) in the result order. */
    private boolean before(int slotA, Object keyA, int slotB, Object keyB) {
        int c = sort.compareKeys(keyA, keyB);
        return c != 0 ? c < 0 : view.arn(slotA).compareTo(view.arn(slotB)) < 0;
    }

    private void up(int i) {
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (!before(slots[parent], keys[parent], slots[i], keys[i])) {
                return;
            }
            swap(i, parent);
            i = parent;
        }
    }

    private void down(int i) {
        while (true) {
            int l = 2 * i + 1;
            if (l >= size) {
                return;
            }
            int worst = l;
            int r = l + 1;
            if (r < size && before(slots[l], keys[l], slots[r], keys[r])) {
                worst = r;
            }
            if (!before(slots[i], keys[i], slots[worst], keys[worst])) {
                return;
            }
            swap(i, worst);
            i = worst;
        }
    }

    private void swap(int a, int b) {
        int s = slots[a];
        slots[a] = slots[b];
        slots[b] = s;
        Object o = keys[a];
        keys[a] = keys[b];
        keys[b] = o;
    }
}
