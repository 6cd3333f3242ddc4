package dev.ferrymta.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferrymta.relay.mail.Domain;
import dev.ferrymta.relay.settings.IpRange;
import dev.ferrymta.relay.settings.RouteKind;
import dev.ferrymta.relay.settings.Settings;
import dev.ferrymta.relay.settings.SettingsUnavailableException;
import dev.ferrymta.relay.settings.Throttle;
import dev.ferrymta.testing.db.TestDatabase;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.security.KeyPairGenerator;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Loads settings written with plain SQL and checks the snapshot field by field. */
class JdbcSettingsSourceIT {

    @RegisterExtension
    static final TestDatabase database = new TestDatabase();

    private static DatabasePool pool;
    private static Settings settings;
    private static String privateKey;

    @BeforeAll
    static void writeAndLoad() throws Exception {
        pool = TestPools.migrated(database);
        privateKey = "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(
                        KeyPairGenerator.getInstance("Ed25519").generateKeyPair().getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
        try (var connection = database.connect(); var statement = connection.createStatement()) {
            statement.execute("INSERT INTO ip_pools (id, name) VALUES (1, 'bulk'), (2, 'empty')");
            statement.execute("INSERT INTO ip_pool_ips (pool_id, position, ip) VALUES (1, 1, '127.0.0.3'), (1, 0, '127.0.0.2')");
            statement.execute("""
                    INSERT INTO throttles (id, local_ip, domain, max_connections, messages_per_minute,
                                           messages_per_connection, idle_timeout_seconds) VALUES
                        (1, NULL, NULL, 1, NULL, NULL, NULL),
                        (2, '127.0.0.0/24', NULL, 2, NULL, NULL, NULL),
                        (3, '127.0.0.2', NULL, 3, NULL, NULL, NULL),
                        (4, NULL, 'example.com', 4, 120, 50, 7),
                        (5, '127.0.0.0/24', 'example.com', 5, NULL, NULL, NULL),
                        (6, '127.0.0.2', 'example.com', 6, NULL, NULL, NULL)""");
            statement.execute("""
                    INSERT INTO domain_routes (domain, kind, host, port) VALUES
                        ('example.com', 'smarthost', 'relay.example.net', 587),
                        ('example.org', 'mx', '127.0.0.1', 25)""");
            statement.execute("""
                    INSERT INTO pauses (local_ip, domain, until, reason) VALUES
                        (NULL, 'paused.example', '2030-01-01T00:00:00Z', 'blocklisted'),
                        ('127.0.0.3', NULL, NULL, 'warming up')""");
            statement.execute("INSERT INTO ehlo_names (local_ip, name) VALUES ('127.0.0.2', 'mail2.example.net')");
            statement.execute("INSERT INTO dkim_keys (domain, selector, private_key) VALUES ('example.com', 's2026', '" + privateKey + "')");
            statement.execute("UPDATE config_version SET version = 17");
        }
        settings = new JdbcSettingsSource(pool.dataSource(), pool.address()).load();
    }

    @AfterAll
    static void close() {
        pool.close();
    }

    private static InetAddress ip(String text) throws Exception {
        return InetAddress.getByName(text);
    }

    @Test
    void tagsTheSnapshotWithTheConfigVersion() {
        assertThat(settings.version()).isEqualTo(17);
        assertThat(new JdbcSettingsSource(pool.dataSource(), pool.address()).currentVersion()).isEqualTo(17);
    }

    @Test
    void readsPoolsWithTheirIpsInOrder() throws Exception {
        assertThat(settings.poolIps("bulk")).contains(java.util.List.of(ip("127.0.0.2"), ip("127.0.0.3")));
        assertThat(settings.poolIps("empty")).contains(java.util.List.of());
    }

    @Test
    void readsThrottlesFieldByField() {
        var throttle = settings.throttles().stream().filter(t -> t.id() == 4).findFirst().orElseThrow();

        assertThat(throttle).isEqualTo(new Throttle(4, 1, Optional.empty(), Optional.of(new Domain("example.com")),
                OptionalInt.of(4), OptionalInt.of(120), OptionalInt.of(50), Optional.of(Duration.ofSeconds(7))));
        assertThat(settings.throttles().stream().filter(t -> t.id() == 2).findFirst().orElseThrow().localIp())
                .contains(IpRange.parse("127.0.0.0/24"));
    }

    @ParameterizedTest(name = "{0} -> {1}: throttle {2}")
    @CsvSource({
            "127.0.0.2, example.com, 6",
            "127.0.0.9, example.com, 5",
            "10.0.0.1, example.com, 4",
            "127.0.0.2, gmail.com, 3",
            "127.0.0.9, gmail.com, 2",
            "10.0.0.1, gmail.com, 1",
    })
    void appliesTheMostSpecificThrottle(String from, String to, long expected) throws Exception {
        assertThat(settings.throttleFor(ip(from), Domain.parse(to))).map(Throttle::id).contains(expected);
    }

    @Test
    void readsRoutes() {
        var route = settings.routeFor(new Domain("example.com")).orElseThrow();

        assertThat(route.kind()).isEqualTo(RouteKind.SMARTHOST);
        assertThat(route.host()).isEqualTo("relay.example.net");
        assertThat(route.port()).isEqualTo(587);
        assertThat(settings.routeFor(new Domain("example.org")).orElseThrow().kind()).isEqualTo(RouteKind.MX);
    }

    @Test
    void readsPausesWithAndWithoutAnEnd() throws Exception {
        var now = Instant.parse("2026-11-22T12:00:00Z");

        assertThat(settings.pauseFor(ip("127.0.0.2"), new Domain("paused.example"), now)).map(p -> p.reason()).contains("blocklisted");
        assertThat(settings.pauseFor(ip("127.0.0.2"), new Domain("paused.example"), Instant.parse("2030-01-02T00:00:00Z"))).isEmpty();
        assertThat(settings.pauseFor(ip("127.0.0.3"), new Domain("any.example"), now)).map(p -> p.until()).contains(Optional.empty());
    }

    @Test
    void readsEhloNamesAndDkimKeys() throws Exception {
        assertThat(settings.ehloName(ip("127.0.0.2"))).contains("mail2.example.net");
        assertThat(settings.dkimKeys(new Domain("example.com"))).singleElement()
                .satisfies(key -> {
                    assertThat(key.selector()).isEqualTo("s2026");
                    assertThat(key.privateKeyPem()).isEqualTo(privateKey);
                });
    }

    /**
     * The load is one round trip inside one transaction; when a statement of it fails, the
     * transaction must not stay open on the pooled connection: the next load on the same
     * connection (a single raw connection here) succeeds once the table is back.
     */
    @Test
    void aFailedLoadLeavesTheConnectionUsable() throws Exception {
        try (var connection = database.connect()) {
            var source = new JdbcSettingsSource(new SingleConnection(connection), "the test database");
            assertLoadFailsWhileProvidersIsAway(connection, source);
            assertThat(source.load().version()).isEqualTo(settings.version());
            assertThat(connection.getAutoCommit()).isTrue();
        }
    }

    /**
     * The load is a prepared statement, and PgJDBC prepares it on the server once one connection
     * has run it a few times ({@code prepareThreshold}, 5 by default). Past that point each load
     * still reads what was committed since the last, and a load that failed because a table was
     * away (which invalidates the server's plan) does not keep the next one from succeeding.
     */
    @Test
    void loadsAgainAndAgainOnOneConnection() throws Exception {
        try (var connection = database.connect()) {
            var source = new JdbcSettingsSource(new SingleConnection(connection), "the test database");
            long start = source.load().version();
            try {
                for (int i = 1; i <= 12; i++) {
                    try (var writer = database.connect(); var statement = writer.createStatement()) {
                        statement.execute("UPDATE config_version SET version = version + 1");
                    }
                    assertThat(source.load().version()).as("load %d", i).isEqualTo(start + i);
                }
                try (var statement = connection.createStatement();
                        var rows = statement.executeQuery("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE '%FROM throttles%'")) {
                    rows.next();
                    assertThat(rows.getLong(1)).as("the load's SELECTs prepared on the server").isPositive();
                }
                assertLoadFailsWhileProvidersIsAway(connection, source);
                assertThat(source.load().version()).isEqualTo(start + 12);
                assertThat(connection.getAutoCommit()).isTrue();
            } finally {
                try (var writer = database.connect(); var statement = writer.createStatement()) {
                    statement.execute("UPDATE config_version SET version = " + start);
                }
            }
        }
    }

    /** Renames {@code providers} away, checks that a load fails and names it, and renames it back. */
    private static void assertLoadFailsWhileProvidersIsAway(java.sql.Connection connection, JdbcSettingsSource source)
            throws Exception {
        try (var statement = connection.createStatement()) {
            statement.execute("ALTER TABLE providers RENAME TO providers_away");
        }
        try {
            assertThatThrownBy(source::load).isInstanceOf(SettingsUnavailableException.class).hasMessageContaining("providers");
        } finally {
            try (var statement = connection.createStatement()) {
                statement.execute("ALTER TABLE providers_away RENAME TO providers");
            }
        }
    }

    /** One connection handed out again and again, never closed by its users: to see what a load leaves on it. */
    private static final class SingleConnection extends Unreachable {

        private final java.sql.Connection connection;

        SingleConnection(java.sql.Connection connection) {
            this.connection = connection;
        }

        @Override
        public java.sql.Connection getConnection() {
            return (java.sql.Connection) java.lang.reflect.Proxy.newProxyInstance(getClass().getClassLoader(),
                    new Class<?>[] {java.sql.Connection.class}, (proxy, method, args) -> {
                        if (method.getName().equals("close")) {
                            return null;
                        }
                        try {
                            return method.invoke(connection, args);
                        } catch (java.lang.reflect.InvocationTargetException e) {
                            throw e.getCause();
                        }
                    });
        }
    }

    @Test
    void saysWhereWhenTheDatabaseCannotBeRead() {
        var source = new JdbcSettingsSource(new Unreachable(), "postgresql://ferry@db.invalid:5432/ferry");

        assertThatThrownBy(source::load)
                .isInstanceOf(SettingsUnavailableException.class)
                .hasMessage("PostgreSQL at postgresql://ferry@db.invalid:5432/ferry: Connection refused");
    }

    /** A data source whose every connection attempt is refused. */
    private static class Unreachable implements DataSource {
        @Override
        public java.sql.Connection getConnection() throws SQLException {
            throw new SQLException("Connection refused");
        }

        @Override
        public java.sql.Connection getConnection(String user, String password) throws SQLException {
            return getConnection();
        }

        @Override
        public PrintWriter getLogWriter() {
            return null;
        }

        @Override
        public void setLogWriter(PrintWriter out) {
        }

        @Override
        public void setLoginTimeout(int seconds) {
        }

        @Override
        public int getLoginTimeout() {
            return 0;
        }

        @Override
        public Logger getParentLogger() {
            return Logger.getGlobal();
        }

        @Override
        public <T> T unwrap(Class<T> type) throws SQLException {
            throw new SQLException("not a wrapper");
        }

        @Override
        public boolean isWrapperFor(Class<?> type) {
            return false;
        }
    }
}
