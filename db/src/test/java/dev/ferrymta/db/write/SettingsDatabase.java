package dev.ferrymta.db.write;

import dev.ferrymta.db.DatabasePool;
import dev.ferrymta.db.TestPools;
import dev.ferrymta.testing.db.TestDatabase;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;

/**
 * A migrated settings schema in a {@link TestDatabase}, with a pool, plain-SQL read-backs, and
 * names no other test of the class uses.
 */
final class SettingsDatabase implements AutoCloseable {

    private final DatabasePool pool;
    private final AtomicInteger sequence = new AtomicInteger();

    private SettingsDatabase(DatabasePool pool) {
        this.pool = pool;
    }

    /** Ferry's own pool on the test database, migrated, as an instance opens it. */
    static SettingsDatabase migrated(TestDatabase database) {
        try {
            return new SettingsDatabase(TestPools.migrated(database));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while connecting to " + database.address(), e);
        }
    }

    DataSource dataSource() {
        return pool.dataSource();
    }

    long version() {
        return (Long) value("SELECT version FROM config_version");
    }

    /** A name unique in this database: {@code prefix-7}. */
    String unique(String prefix) {
        return prefix + "-" + sequence.incrementAndGet();
    }

    /** A domain unique in this database. */
    String uniqueDomain() {
        return "d" + sequence.incrementAndGet() + ".example.com";
    }

    /** An address unique in this database, in 10.0.0.0/8. */
    String uniqueIp() {
        int n = sequence.incrementAndGet();
        return "10.%d.%d.%d".formatted((n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff);
    }

    /** The first column of the first row, or null when there is none. */
    Object value(String sql, Object... parameters) {
        var rows = rows(sql, parameters);
        return rows.isEmpty() ? null : rows.getFirst().values().iterator().next();
    }

    long count(String sql, Object... parameters) {
        return (Long) value("SELECT count(*) FROM (" + sql + ") AS counted", parameters);
    }

    /** Each row as column name to value, in column order. */
    List<Map<String, Object>> rows(String sql, Object... parameters) {
        try (var connection = dataSource().getConnection(); var statement = connection.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                statement.setObject(i + 1, parameters[i]);
            }
            try (var result = statement.executeQuery()) {
                var rows = new ArrayList<Map<String, Object>>();
                var meta = result.getMetaData();
                while (result.next()) {
                    var row = new LinkedHashMap<String, Object>();
                    for (int column = 1; column <= meta.getColumnCount(); column++) {
                        row.put(meta.getColumnLabel(column), result.getObject(column));
                    }
                    rows.add(row);
                }
                return rows;
            }
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }

    /** The one row of a query. */
    Map<String, Object> row(String sql, Object... parameters) {
        var rows = rows(sql, parameters);
        if (rows.size() != 1) {
            throw new AssertionError("expected one row from " + sql + ", got " + rows.size());
        }
        return rows.getFirst();
    }

    @Override
    public void close() {
        pool.close();
    }
}
