package dev.ferrymta.db;

import dev.ferrymta.testing.db.TestDatabase;

/** Opens Ferry's own pool on a test database, migrated, as the instance would. */
public final class TestPools {

    private TestPools() {
    }

    public static DatabasePool migrated(TestDatabase database) throws InterruptedException {
        var pool = new DatabasePool(DatabaseAddress.parse(database.address()));
        if (!pool.connect()) {
            throw new IllegalStateException("could not connect to " + database.address());
        }
        SchemaMigrator.migrate(pool.dataSource());
        return pool;
    }
}
