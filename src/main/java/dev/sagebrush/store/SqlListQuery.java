package dev.sagebrush.store;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** Turns a {@link ListQuery} into SQL with keyset paging: rows strictly after the cursor in (sort value, name) order. */
record SqlListQuery(String sql, List<Object> params) {

    static SqlListQuery of(ListQuery q, String columns, Dialect dialect) {
        StringBuilder where = new StringBuilder("account=? AND region=? AND kind=?");
        List<Object> params = new ArrayList<>(List.of(q.account(), q.region(), q.kind()));
        q.nameContains().ifPresent(v -> {
            where.append(" AND ").append(dialect.nameContains);
            params.add(v);
        });
        q.statusEquals().ifPresent(v -> { where.append(" AND status=?"); params.add(v); });
        q.createdAfter().ifPresent(v -> { where.append(" AND created_at>?"); params.add(v.toEpochMilli()); });
        q.createdBefore().ifPresent(v -> { where.append(" AND created_at<?"); params.add(v.toEpochMilli()); });
        q.modifiedAfter().ifPresent(v -> { where.append(" AND modified_at>?"); params.add(v.toEpochMilli()); });
        q.modifiedBefore().ifPresent(v -> { where.append(" AND modified_at<?"); params.add(v.toEpochMilli()); });
        String column = switch (q.sortBy()) {
            case NAME -> "name";
            case CREATED -> "created_at";
            case STATUS -> "status";
            case MODIFIED -> "modified_at";
        };
        String cmp = q.descending() ? "<" : ">";
        q.after().ifPresent(cur -> {
            if (column.equals("name")) {
                where.append(" AND name ").append(cmp).append(" ?");
                params.add(cur.name());
            } else {
                where.append(" AND (").append(column).append(", name) ").append(cmp).append(" (?, ?)");
                params.add(column.endsWith("_at") ? (Object) Long.parseLong(cur.sortValue()) : cur.sortValue());
                params.add(cur.name());
            }
        });
        String dir = q.descending() ? " DESC" : " ASC";
        String order = column.equals("name") ? "name" + dir : column + dir + ", name" + dir;
        String sql = "SELECT " + columns + " FROM resources WHERE " + where + " ORDER BY " + order + " LIMIT ?";
        params.add(q.limit() + 1);
        return new SqlListQuery(sql, params);
    }

    void bind(PreparedStatement ps) throws SQLException {
        for (int i = 0; i < params.size(); i++) {
            ps.setObject(i + 1, params.get(i));
        }
    }

    /** The cursor value of a row for this sort column. */
    static String sortValue(ListQuery.SortColumn column, StoredResource r) {
        return switch (column) {
            case NAME -> r.key().name();
            case CREATED -> Long.toString(r.createdAt().toEpochMilli());
            case STATUS -> r.status();
            case MODIFIED -> Long.toString(r.modifiedAt().toEpochMilli());
        };
    }
}
