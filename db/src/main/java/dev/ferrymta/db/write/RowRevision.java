package dev.ferrymta.db.write;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * Optimistic concurrency on one settings row: the console sends back the revision it showed, and a
 * change goes ahead only while the row is still at that revision.
 */
final class RowRevision {

    private RowRevision() {
    }

    /**
     * Locks the row until the transaction ends and checks its revision, so nobody (the console on
     * another instance, psql) can change it between this check and the caller's change.
     *
     * @throws SettingsNotFoundException when there is no such row
     * @throws SettingsConflictException when the row is at another revision
     */
    static void lock(Connection connection, SettingsTable table, long id, int expectedRevision) throws SQLException {
        try (var statement = connection.prepareStatement("SELECT revision FROM " + table.tableName() + " WHERE id = ? FOR UPDATE")) {
            statement.setLong(1, id);
            try (var result = statement.executeQuery()) {
                if (!result.next()) {
                    throw new SettingsNotFoundException(table, id);
                }
                int current = result.getInt(1);
                if (current != expectedRevision) {
                    throw new SettingsConflictException(table, id, expectedRevision, current);
                }
            }
        }
    }

    /** Deletes the row if it is at the expected revision. */
    static Row delete(Connection connection, SettingsTable table, long id, int expectedRevision) throws SQLException {
        lock(connection, table, id, expectedRevision);
        try (var statement = connection.prepareStatement("DELETE FROM " + table.tableName() + " WHERE id = ?")) {
            statement.setLong(1, id);
            statement.executeUpdate();
        }
        return new Row(id, expectedRevision);
    }

    /** Adds one to the revision of a row the caller has locked or changed. */
    static Row bump(Connection connection, SettingsTable table, long id) throws SQLException {
        try (var statement = connection.prepareStatement(
                "UPDATE " + table.tableName() + " SET revision = revision + 1 WHERE id = ? RETURNING revision")) {
            statement.setLong(1, id);
            try (var result = statement.executeQuery()) {
                if (!result.next()) {
                    throw new SettingsNotFoundException(table, id);
                }
                return new Row(id, result.getInt(1));
            }
        }
    }
}
