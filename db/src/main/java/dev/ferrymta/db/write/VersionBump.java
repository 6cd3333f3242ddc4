package dev.ferrymta.db.write;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * Bumps {@code config_version} and announces the new version, inside the caller's transaction,
 * as its last statement. The {@code UPDATE} takes the row lock on the single version row and keeps it until the
 * transaction ends, so concurrent writers queue there and get strictly increasing versions in
 * commit order. PostgreSQL delivers the notification only at commit, and not at all after a
 * rollback, so a listener never hears of a version before its data can be read.
 */
final class VersionBump {

    private VersionBump() {
    }

    /** @return the new version */
    static long bump(Connection connection) throws SQLException {
        long version;
        try (var statement = connection.prepareStatement("UPDATE config_version SET version = version + 1 RETURNING version");
                var result = statement.executeQuery()) {
            if (!result.next()) {
                throw new IllegalStateException("config_version has no row; the schema migration inserts it, so the database was edited by hand");
            }
            version = result.getLong(1);
        }
        try (var statement = connection.prepareStatement("SELECT pg_notify(?, ?)")) {
            statement.setString(1, SettingsWriter.NOTIFY_CHANNEL);
            statement.setString(2, Long.toString(version));
            statement.execute();
        }
        return version;
    }
}
