package dev.ferrymta.db;

import java.util.Arrays;
import java.util.Comparator;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationState;
import org.flywaydb.core.api.MigrationVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings the shared database's schema up to this build's version with Flyway, from the
 * versioned SQL files under {@code db/migration}. Refuses to run against a schema newer than
 * this build knows: an older instance must not write into tables it does not understand.
 */
public final class SchemaMigrator {

    private static final Logger log = LoggerFactory.getLogger(SchemaMigrator.class);

    private SchemaMigrator() {
    }

    /**
     * Applies the pending migrations.
     *
     * @return the schema version afterwards
     * @throws DatabaseTooNewException when the database has migrations this build does not know
     */
    public static String migrate(DataSource dataSource) {
        var flyway = Flyway.configure()
                .dataSource(dataSource)
                .locations("classpath:db/migration")
                .table("ferry_schema_history")
                // An empty database is the normal start; a database with tables of something else is not ours.
                .baselineOnMigrate(false)
                .load();
        var info = flyway.info();
        // Flyway calls an applied migration this build has no file for a "future" one.
        var future = Arrays.stream(info.all())
                .filter(m -> m.getState() == MigrationState.FUTURE_SUCCESS || m.getState() == MigrationState.FUTURE_FAILED)
                .map(MigrationInfo::getVersion)
                .max(Comparator.naturalOrder());
        if (future.isPresent()) {
            var known = Arrays.stream(info.all())
                    .filter(m -> m.getState() != MigrationState.FUTURE_SUCCESS && m.getState() != MigrationState.FUTURE_FAILED)
                    .map(MigrationInfo::getVersion)
                    .filter(v -> v != null)
                    .max(Comparator.naturalOrder())
                    .orElse(MigrationVersion.EMPTY);
            throw new DatabaseTooNewException(future.get().getVersion(), known.getVersion());
        }
        var applied = Arrays.stream(info.applied())
                .map(MigrationInfo::getVersion)
                .filter(v -> v != null)
                .max(Comparator.naturalOrder());
        var result = flyway.migrate();
        var version = result.targetSchemaVersion != null ? result.targetSchemaVersion : applied.map(MigrationVersion::getVersion).orElse("0");
        if (result.migrationsExecuted > 0) {
            log.info("database schema migrated to version {} ({} migrations applied)", version, result.migrationsExecuted);
        }
        return version;
    }
}
