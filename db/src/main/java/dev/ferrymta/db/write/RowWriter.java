package dev.ferrymta.db.write;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Creates, updates and deletes the rows of one settings table that is a single row per setting
 * (everything but pools, whose IPs live in a second table).
 *
 * @param <V> the validated input
 */
final class RowWriter<V> {

    /** A column and the SQL expression its parameter goes into, such as {@code CAST(? AS cidr)}. */
    record Column(String name, String parameter) {

        static Column plain(String name) {
            return new Column(name, "?");
        }

        static Column cast(String name, String type) {
            return new Column(name, "CAST(? AS " + type + ")");
        }
    }

    /** Binds a value's fields to parameters 1 to n, in the order of the columns. */
    @FunctionalInterface
    interface Binder<V> {
        void bind(PreparedStatement statement, V value) throws SQLException;
    }

    private final WriteTransaction transaction;
    private final SettingsTable table;
    private final Binder<V> binder;
    private final Function<V, ConstraintErrors> constraintErrors;
    private final int columnCount;
    private final String insert;
    private final String update;

    /**
     * @param constraintErrors what each constraint of the table means for a given input
     */
    RowWriter(WriteTransaction transaction, SettingsTable table, List<Column> columns, Binder<V> binder,
            Function<V, ConstraintErrors> constraintErrors) {
        this.transaction = transaction;
        this.table = table;
        this.binder = binder;
        this.constraintErrors = constraintErrors;
        this.columnCount = columns.size();
        this.insert = "INSERT INTO %s (%s) VALUES (%s) RETURNING id, revision".formatted(table.tableName(),
                columns.stream().map(Column::name).collect(Collectors.joining(", ")),
                columns.stream().map(Column::parameter).collect(Collectors.joining(", ")));
        this.update = "UPDATE %s SET %s, revision = revision + 1 WHERE id = ? RETURNING id, revision".formatted(table.tableName(),
                columns.stream().map(c -> c.name() + " = " + c.parameter()).collect(Collectors.joining(", ")));
    }

    WriteResult create(V value) {
        return transaction.run(table, "created", constraintErrors.apply(value), connection -> {
            try (var statement = connection.prepareStatement(insert)) {
                binder.bind(statement, value);
                return returnedRow(statement);
            }
        });
    }

    WriteResult update(long id, int expectedRevision, V value) {
        return transaction.run(table, "updated", constraintErrors.apply(value), connection -> {
            RowRevision.lock(connection, table, id, expectedRevision);
            try (var statement = connection.prepareStatement(update)) {
                binder.bind(statement, value);
                statement.setLong(columnCount + 1, id);
                return returnedRow(statement);
            }
        });
    }

    WriteResult delete(long id, int expectedRevision) {
        return transaction.run(table, "deleted", ConstraintErrors.none(),
                connection -> RowRevision.delete(connection, table, id, expectedRevision));
    }

    private Row returnedRow(PreparedStatement statement) throws SQLException {
        try (var result = statement.executeQuery()) {
            if (!result.next()) {
                // RETURNING always gives the row written; without it the statement would have failed.
                throw new IllegalStateException("writing a " + table.description() + " returned no row");
            }
            return new Row(result.getLong(1), result.getInt(2));
        }
    }
}
