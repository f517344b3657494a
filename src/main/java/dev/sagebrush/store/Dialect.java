package dev.sagebrush.store;

/** The few places where SQLite's and PostgreSQL's SQL differ; everything else the stores share. */
enum Dialect {
    SQLITE("instr(lower(name), lower(?)) > 0", null),
    // NOTIFY is transactional: delivered at commit, never for a write that rolled back.
    POSTGRESQL("strpos(lower(name), lower(?)) > 0", "NOTIFY " + Dialect.CHANNEL);

    /** The PostgreSQL notification channel that wakes other nodes' feed followers. */
    static final String CHANNEL = "sagebrush_changes";

    /**
     * A plain substring test on the name, with no LIKE wildcards for a user's '%' or '_' to smuggle in. Both lower()
     * only fold ASCII (PostgreSQL's because the columns use the C collation), so both stores match alike.
     */
    final String nameContains;
    /** Run in every writing transaction after its change is recorded, or null. */
    final String wakeOthers;

    Dialect(String nameContains, String wakeOthers) {
        this.nameContains = nameContains;
        this.wakeOthers = wakeOthers;
    }
}
