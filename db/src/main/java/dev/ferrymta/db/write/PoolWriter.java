package dev.ferrymta.db.write;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * Writes IP pools: the {@code ip_pools} row and its addresses in {@code ip_pool_ips}, whose
 * {@code position} keeps the order the console gave. Any change to a pool's addresses is a change
 * of the pool and bumps its revision.
 */
final class PoolWriter {

    private static final SettingsTable TABLE = SettingsTable.IP_POOLS;

    private final WriteTransaction transaction;

    PoolWriter(WriteTransaction transaction) {
        this.transaction = transaction;
    }

    WriteResult create(Validated.Pool pool) {
        return transaction.run(TABLE, "created", errors(pool), connection -> {
            Row row;
            try (var statement = connection.prepareStatement("INSERT INTO ip_pools (name) VALUES (?) RETURNING id, revision")) {
                statement.setString(1, pool.name());
                try (var result = statement.executeQuery()) {
                    result.next();
                    row = new Row(result.getLong(1), result.getInt(2));
                }
            }
            insertIps(connection, row.id(), pool.ips());
            return row;
        });
    }

    WriteResult update(long id, int expectedRevision, Validated.Pool pool) {
        return transaction.run(TABLE, "updated", errors(pool), connection -> {
            RowRevision.lock(connection, TABLE, id, expectedRevision);
            Row row;
            try (var statement = connection.prepareStatement(
                    "UPDATE ip_pools SET name = ?, revision = revision + 1 WHERE id = ? RETURNING id, revision")) {
                statement.setString(1, pool.name());
                statement.setLong(2, id);
                try (var result = statement.executeQuery()) {
                    result.next();
                    row = new Row(result.getLong(1), result.getInt(2));
                }
            }
            // Replaced whole: the console sends the complete list in its new order.
            try (var statement = connection.prepareStatement("DELETE FROM ip_pool_ips WHERE pool_id = ?")) {
                statement.setLong(1, id);
                statement.executeUpdate();
            }
            insertIps(connection, id, pool.ips());
            return row;
        });
    }

    WriteResult delete(long id, int expectedRevision) {
        // ON DELETE CASCADE takes the pool's addresses with it.
        return transaction.run(TABLE, "deleted", ConstraintErrors.none(),
                connection -> RowRevision.delete(connection, TABLE, id, expectedRevision));
    }

    WriteResult addIp(Validated.PoolIp poolIp) {
        // The pool's row lock makes the foreign key hold already; mapped anyway so the meaning
        // stays right should the locking change.
        var errors = ConstraintErrors.none()
                .on("ip_pool_ips_pkey", new FieldError("ip", "%s is already in pool '%s'".formatted(poolIp.ip(), poolIp.pool())))
                .on("ip_pool_ips_pool_id_fkey", new FieldError("pool", "no pool named " + FieldChecks.quote(poolIp.pool())));
        return transaction.run(TABLE, "added " + poolIp.ip() + " to", errors, connection -> {
            long id = lockByName(connection, poolIp.pool());
            // After the existing ones; positions need not be dense, only ordered.
            try (var statement = connection.prepareStatement("""
                    INSERT INTO ip_pool_ips (pool_id, position, ip)
                    SELECT ?, coalesce(max(position) + 1, 0), CAST(? AS inet) FROM ip_pool_ips WHERE pool_id = ?""")) {
                statement.setLong(1, id);
                statement.setString(2, poolIp.ip());
                statement.setLong(3, id);
                statement.executeUpdate();
            }
            return RowRevision.bump(connection, TABLE, id);
        });
    }

    WriteResult removeIp(Validated.PoolIp poolIp) {
        return transaction.run(TABLE, "removed " + poolIp.ip() + " from", ConstraintErrors.none(), connection -> {
            long id = lockByName(connection, poolIp.pool());
            try (var statement = connection.prepareStatement("DELETE FROM ip_pool_ips WHERE pool_id = ? AND ip = CAST(? AS inet)")) {
                statement.setLong(1, id);
                statement.setString(2, poolIp.ip());
                if (statement.executeUpdate() == 0) {
                    throw new InvalidSettingsException(List.of(
                            new FieldError("ip", "%s is not in pool '%s'".formatted(poolIp.ip(), poolIp.pool()))));
                }
            }
            return RowRevision.bump(connection, TABLE, id);
        });
    }

    private static ConstraintErrors errors(Validated.Pool pool) {
        return ConstraintErrors.none()
                .on("ip_pools_name_key", new FieldError("name", "a pool named '%s' already exists".formatted(pool.name())));
    }

    /** The pool's id, its row locked until the transaction ends so nobody renames or deletes it meanwhile. */
    private static long lockByName(Connection connection, String name) throws SQLException {
        try (var statement = connection.prepareStatement("SELECT id FROM ip_pools WHERE name = ? FOR UPDATE")) {
            statement.setString(1, name);
            try (var result = statement.executeQuery()) {
                if (!result.next()) {
                    throw new InvalidSettingsException(List.of(new FieldError("pool", "no pool named " + FieldChecks.quote(name))));
                }
                return result.getLong(1);
            }
        }
    }

    private static void insertIps(Connection connection, long poolId, List<String> ips) throws SQLException {
        try (var statement = connection.prepareStatement("INSERT INTO ip_pool_ips (pool_id, position, ip) VALUES (?, ?, CAST(? AS inet))")) {
            for (int position = 0; position < ips.size(); position++) {
                statement.setLong(1, poolId);
                statement.setInt(2, position);
                statement.setString(3, ips.get(position));
                statement.executeUpdate();
            }
        }
    }
}
