package dev.ferrymta.db.write;

import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one settings change in one transaction together with the {@link VersionBump}: either both
 * commit or neither does. A refused change (invalid input, missing row, stale revision, violated
 * constraint) rolls everything back, the version included.
 */
final class WriteTransaction {

    /** One change to the settings tables, run inside the transaction. */
    @FunctionalInterface
    interface Change {
        /** @return the row changed, with its revision afterwards */
        Row apply(Connection connection) throws SQLException;
    }

    private static final Logger log = LoggerFactory.getLogger(WriteTransaction.class);

    private final DataSource dataSource;

    WriteTransaction(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * @param table  the table changed, for the log and errors
     * @param action what the change does, past tense, for the log: {@code created}, {@code deleted}
     * @param errors what a constraint violation means for this input
     */
    WriteResult run(SettingsTable table, String action, ConstraintErrors errors, Change change) {
        try (var connection = dataSource.getConnection()) {
            return runIn(connection, table, action, change);
        } catch (SQLException e) {
            var invalid = errors.translate(e);
            if (invalid.isPresent()) {
                throw invalid.get();
            }
            throw failed(table, e);
        }
    }

    private WriteResult runIn(Connection connection, SettingsTable table, String action, Change change) throws SQLException {
        boolean autoCommit = connection.getAutoCommit();
        connection.setAutoCommit(false);
        try {
            var row = change.apply(connection);
            // The version last: once a writer holds its lock it takes no other, so writers cannot
            // deadlock on each other (nor on a psql script that changes a row, then bumps), and the
            // lock is held only from the bump to the commit.
            long version = VersionBump.bump(connection);
            connection.commit();
            log.info("settings: {} {} {} (revision {}), config version {}", action, table.description(), row.id(), row.revision(), version);
            return new WriteResult(row.id(), row.revision(), version);
        } catch (SQLException | RuntimeException e) {
            rollback(connection, e);
            log.debug("settings: refused to change {}: {}", table.description(), e.getMessage());
            throw e;
        } finally {
            restore(connection, autoCommit);
        }
    }

    private static void rollback(Connection connection, Exception cause) {
        try {
            connection.rollback();
        } catch (SQLException e) {
            // The connection is likely broken; PostgreSQL rolls back when it goes, and the pool drops it.
            cause.addSuppressed(e);
        }
    }

    private static void restore(Connection connection, boolean autoCommit) {
        try {
            if (!connection.isClosed()) {
                connection.setAutoCommit(autoCommit);
            }
        } catch (SQLException e) {
            log.debug("settings: could not restore auto-commit on a connection going back to the pool: {}", e.getMessage());
        }
    }

    private static SettingsWriteFailedException failed(SettingsTable table, SQLException e) {
        return new SettingsWriteFailedException("the database failed while changing a %s: %s (SQLState %s)"
                .formatted(table.description(), e.getMessage(), e.getSQLState()), e);
    }
}
