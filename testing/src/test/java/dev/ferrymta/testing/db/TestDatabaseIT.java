package dev.ferrymta.testing.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.sql.DriverManager;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.platform.testkit.engine.EngineTestKit;

class TestDatabaseIT {

    /** Database names the sample classes below used, read after they ran. */
    static final List<String> USED = new CopyOnWriteArrayList<>();

    @Test
    void givesATestClassAFreshDatabaseAndDropsItAfter() throws Exception {
        run(WritesATable.class);

        assertThat(USED).hasSize(1);
        assertThat(databasesNamed(USED.getFirst())).isZero();
    }

    @Test
    void givesTwoClassesDifferentDatabases() {
        run(WritesATable.class, AlsoWritesATable.class);

        assertThat(USED).hasSize(2).doesNotHaveDuplicates();
    }

    @Test
    void dropsTheDatabaseEvenWithAConnectionLeftOpen() throws Exception {
        run(LeavesAConnectionOpen.class);

        assertThat(databasesNamed(USED.getFirst())).isZero();
    }

    private static void run(Class<?>... samples) {
        USED.clear();
        for (var sample : samples) {
            EngineTestKit.engine("junit-jupiter").selectors(selectClass(sample)).execute()
                    .testEvents().assertStatistics(stats -> stats.failed(0).succeeded(1));
        }
    }

    private static int databasesNamed(String name) throws Exception {
        var admin = java.net.URI.create(TestDatabase.ADMIN_ADDRESS);
        var properties = new Properties();
        var info = admin.getUserInfo().split(":", 2);
        properties.setProperty("user", info[0]);
        properties.setProperty("password", info.length > 1 ? info[1] : "");
        var url = "jdbc:postgresql://%s:%d%s".formatted(admin.getHost(), admin.getPort() < 0 ? 5432 : admin.getPort(), admin.getPath());
        try (var connection = DriverManager.getConnection(url, properties);
                var statement = connection.prepareStatement("SELECT count(*) FROM pg_database WHERE datname = ?")) {
            statement.setString(1, name);
            try (var result = statement.executeQuery()) {
                result.next();
                return result.getInt(1);
            }
        }
    }

    static class WritesATable {
        @RegisterExtension
        static final TestDatabase database = new TestDatabase();

        @Test
        void writes() throws Exception {
            try (var connection = database.connect(); var statement = connection.createStatement()) {
                statement.execute("CREATE TABLE mark (id int)");
                statement.execute("INSERT INTO mark VALUES (1)");
            }
            assertThat(database.address()).startsWith("postgresql://").endsWith("/" + database.name());
            USED.add(database.name());
        }
    }

    static class AlsoWritesATable {
        @RegisterExtension
        static final TestDatabase database = new TestDatabase();

        @Test
        void writes() throws Exception {
            try (var connection = database.connect(); var statement = connection.createStatement()) {
                // Would fail if the database were shared with WritesATable.
                statement.execute("CREATE TABLE mark (id int)");
            }
            USED.add(database.name());
        }
    }

    static class LeavesAConnectionOpen {
        @RegisterExtension
        static final TestDatabase database = new TestDatabase();

        @Test
        @SuppressWarnings("resource")
        void leaks() throws Exception {
            database.connect().createStatement().execute("SELECT 1");
            USED.add(database.name());
        }
    }
}
