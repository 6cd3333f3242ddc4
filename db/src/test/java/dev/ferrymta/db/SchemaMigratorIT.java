package dev.ferrymta.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferrymta.testing.db.TestDatabase;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class SchemaMigratorIT {

    @RegisterExtension
    static final TestDatabase database = new TestDatabase();

    private static DatabasePool pool;

    @BeforeAll
    static void connect() throws InterruptedException {
        pool = new DatabasePool(DatabaseAddress.parse(database.address()));
        pool.connect();
    }

    @AfterAll
    static void close() {
        pool.close();
    }

    private static List<String> tables() throws SQLException {
        var tables = new ArrayList<String>();
        try (var connection = database.connect();
                var rows = connection.createStatement().executeQuery(
                        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name")) {
            while (rows.next()) {
                tables.add(rows.getString(1));
            }
        }
        return tables;
    }

    @Test
    void migratesAnEmptyDatabaseAndIsANoOpTheSecondTime() throws Exception {
        assertThat(SchemaMigrator.migrate(pool.dataSource())).isEqualTo("4");
        assertThat(SchemaMigrator.migrate(pool.dataSource())).isEqualTo("4");

        assertThat(tables()).containsExactly("back_offs", "config_version", "dkim_keys", "domain_routes", "ehlo_names",
                "ferry_schema_history", "ip_pool_ips", "ip_pools", "pauses", "providers", "response_rules", "throttles");
        try (var connection = database.connect();
                var rows = connection.createStatement().executeQuery("SELECT version FROM config_version")) {
            assertThat(rows.next()).isTrue();
            assertThat(rows.getLong(1)).isZero();
        }
    }

    @Test
    void refusesADatabaseNewerThanItself() throws Exception {
        SchemaMigrator.migrate(pool.dataSource());
        try (var connection = database.connect(); var statement = connection.createStatement()) {
            statement.execute("""
                    INSERT INTO ferry_schema_history (installed_rank, version, description, type, script, checksum,
                                                      installed_by, execution_time, success)
                    VALUES (99, '99', 'from a newer ferry', 'SQL', 'V99__from_a_newer_ferry.sql', 0, 'ferry', 1, true)""");
        }
        try {
            assertThatThrownBy(() -> SchemaMigrator.migrate(pool.dataSource()))
                    .isInstanceOf(DatabaseTooNewException.class)
                    .hasMessage("the database schema is at version 99, newer than this Ferry knows (up to 4): "
                            + "upgrade Ferry to the version the other instances run");
        } finally {
            try (var connection = database.connect(); var statement = connection.createStatement()) {
                statement.execute("DELETE FROM ferry_schema_history WHERE version = '99'");
            }
        }
    }

    @Test
    void theDatabaseRefusesWhatMustNeverBeStored() throws Exception {
        SchemaMigrator.migrate(pool.dataSource());
        var refused = List.of(
                "INSERT INTO ip_pools (name) VALUES ('has space')",
                "INSERT INTO throttles (max_connections) VALUES (-1)",
                "INSERT INTO throttles (domain) VALUES ('NotCanonical.COM')",
                "INSERT INTO throttles (local_ip) VALUES ('not an ip')",
                "INSERT INTO ehlo_names (local_ip, name) VALUES ('127.0.0.0/24', 'mail.example.com')",
                "INSERT INTO domain_routes (domain, kind, host, port) VALUES ('example.com', 'mx', 'mx.example.com', 70000)",
                "INSERT INTO dkim_keys (domain, selector, private_key) VALUES ('example.com', 's1', 'not a key')");
        try (var connection = database.connect()) {
            for (var sql : refused) {
                assertThatThrownBy(() -> connection.createStatement().execute(sql)).as(sql).isInstanceOf(SQLException.class);
            }
            var statement = connection.createStatement();
            statement.execute("INSERT INTO throttles (local_ip, domain) VALUES (NULL, 'example.com')");
            assertThatThrownBy(() -> statement.execute("INSERT INTO throttles (local_ip, domain) VALUES (NULL, 'example.com')"))
                    .as("a second throttle for the same scope").isInstanceOf(SQLException.class);
            statement.execute("DELETE FROM throttles");
        }
    }
}
