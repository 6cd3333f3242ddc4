package dev.ferrymta.db.write;

/** An update or delete named a row that does not exist (any more); nothing was changed. */
public final class SettingsNotFoundException extends SettingsWriteException {

    private final SettingsTable table;
    private final long id;

    public SettingsNotFoundException(SettingsTable table, long id) {
        super("there is no %s with id %d".formatted(table.description(), id));
        this.table = table;
        this.id = id;
    }

    public SettingsTable table() {
        return table;
    }

    public long id() {
        return id;
    }
}
