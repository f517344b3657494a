package dev.sagebrush.search;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * One property of the search record, e.g. {@code InputDataConfig.DataSource.S3DataSource.S3Uri}.
 *
 * <p>Lists decide how values are stored (see {@link JobRecord}): a property below a list is stored once per element of
 * its outermost list, its {@link #axis()}, so NestedFilters can demand that several conditions hold on the same
 * element. A second list below the axis (e.g. {@code InputDataConfig.DataSource.S3DataSource.AttributeNames}) makes
 * each element's entry itself a list of values ({@link #multi()}).
 */
final class Property {
    private final int id;
    private final String name;
    private final String field;
    private final PropertyType type;
    private final boolean list;
    private final Property axis;
    private final boolean multi;
    private final List<Property> children = new ArrayList<>();

    Property(int id, String name, String field, PropertyType type, boolean list, Property parent, int listCount) {
        this.id = id;
        this.name = name;
        this.field = field;
        this.type = type;
        this.list = list;
        this.axis = parent != null && parent.axis != null ? parent.axis : (list ? this : null);
        this.multi = listCount >= 2;
    }

    /** Dense index of this property, 0..catalogue size-1. */
    int id() { return id; }
    /** The dotted filter name, without list markers. */
    String name() { return name; }
    /** The JSON member name inside the parent object. */
    String field() { return field; }
    PropertyType type() { return type; }
    /** True if the property itself is a JSON array (of structures, or of values). */
    boolean list() { return list; }
    /** The outermost list among this property and its ancestors, or null when no list is on the path. */
    Property axis() { return axis; }
    /** True if each axis element holds several values of this property (a list below the axis). */
    boolean multi() { return multi; }
    List<Property> children() { return Collections.unmodifiableList(children); }

    void addChild(Property child) { children.add(child); }

    @Override
    public String toString() { return name + " " + type.word() + (list ? "[]" : ""); }
}
