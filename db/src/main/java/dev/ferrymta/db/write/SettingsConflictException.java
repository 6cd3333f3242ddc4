package dev.ferrymta.db.write;

/**
 * An update or delete was based on an older revision of the row: someone else changed it since the
 * console showed it. Nothing was changed; the console should show the current row and let the
 * person decide again.
 */
public final class SettingsConflictException extends SettingsWriteException {

    private final SettingsTable table;
    private final long id;
    private final int expectedRevision;
    private final int currentRevision;

    public SettingsConflictException(SettingsTable table, long id, int expectedRevision, int currentRevision) {
        super("%s %d was changed by someone else: it is at revision %d, not %d; reload it and try again"
                .formatted(table.description(), id, currentRevision, expectedRevision));
        this.table = table;
        this.id = id;
        this.expectedRevision = expectedRevision;
        this.currentRevision = currentRevision;
    }

    public SettingsTable table() {
        return table;
    }

    public long id() {
        return id;
    }

    /** The revision the write was based on. */
    public int expectedRevision() {
        return expectedRevision;
    }

    /** The row's revision in the database now. */
    public int currentRevision() {
        return currentRevision;
    }
}
