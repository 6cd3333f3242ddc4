package dev.ferrymta.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.ferrymta.relay.lifecycle.LinkState;
import dev.ferrymta.relay.mail.Domain;
import dev.ferrymta.relay.settings.CurrentSettings;
import dev.ferrymta.testing.db.TestDatabase;
import java.net.InetAddress;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

/** Change signals end in a reload: NOTIFY, the periodic check, and recovery after the database went away. */
class SettingsReloaderIT {

    @RegisterExtension
    static final TestDatabase database = new TestDatabase();

    private DatabasePool pool;
    private CurrentSettings settings;
    private SettingsReloader reloader;

    @BeforeEach
    void start() throws Exception {
        pool = TestPools.migrated(database);
        settings = new CurrentSettings(new JdbcSettingsSource(pool.dataSource(), pool.address()));
        settings.loadInitial();
    }

    @AfterEach
    void stop() throws SQLException {
        if (reloader != null) {
            reloader.close();
        }
        pool.close();
        try (var connection = database.connectToServer(); var statement = connection.createStatement()) {
            statement.execute("ALTER DATABASE " + database.name() + " ALLOW_CONNECTIONS true");
        }
    }

    /** Adds a throttle for a fresh domain and bumps the version, as a settings write does; returns the version. */
    private static long write(Connection connection, String domain, boolean notify) throws SQLException {
        connection.setAutoCommit(false);
        try (var statement = connection.createStatement()) {
            statement.execute("INSERT INTO throttles (domain, max_connections) VALUES ('" + domain + "', 3)");
            try (var rows = statement.executeQuery("UPDATE config_version SET version = version + 1 RETURNING version")) {
                rows.next();
                long version = rows.getLong(1);
                if (notify) {
                    statement.execute("SELECT pg_notify('" + SettingsChangeListener.CHANNEL + "', '" + version + "')");
                }
                connection.commit();
                return version;
            }
        } finally {
            connection.setAutoCommit(true);
        }
    }

    private boolean hasThrottleFor(String domain) throws Exception {
        return settings.get().throttleFor(InetAddress.getByName("127.0.0.2"), new Domain(domain)).isPresent();
    }

    @Test
    void aListenerSeesAWriteFromAnotherConnectionWithin100Milliseconds() throws Exception {
        var versions = new LinkedBlockingQueue<Long>();
        var connected = new java.util.concurrent.CountDownLatch(1);
        try (var listener = new SettingsChangeListener(pool::openUnpooled, versions::add, connected::countDown);
                var writer = database.connect()) {
            listener.start();
            assertThat(connected.await(10, TimeUnit.SECONDS)).isTrue();
            // The first round trip pays for class loading and JIT; the requirement is about the steady state.
            long warmup = write(writer, "warmup.example", true);
            assertThat(versions.poll(5, TimeUnit.SECONDS)).isEqualTo(warmup);

            for (int i = 0; i < 5; i++) {
                long written = write(writer, "fast" + i + ".example", true);
                long committed = System.nanoTime();

                assertThat(versions.poll(100, TimeUnit.MILLISECONDS)).as("write %d", i).isEqualTo(written);
                assertThat(Duration.ofNanos(System.nanoTime() - committed)).isLessThan(Duration.ofMillis(100));
            }
        }
    }

    @Test
    void aNotifiedWriteIsInForceWithoutWaitingForTheCheck() throws Exception {
        reloader = new SettingsReloader(pool, settings, Duration.ofHours(1));
        reloader.start();
        try (var writer = database.connect()) {
            await().atMost(Duration.ofSeconds(5)).until(() -> {
                write(writer, "probe" + System.nanoTime() + ".example", true);
                return settings.version() > 0;
            });
            long version = write(writer, "notified.example", true);

            await().atMost(Duration.ofSeconds(1)).until(() -> settings.version() == version);
            assertThat(hasThrottleFor("notified.example")).isTrue();
        }
    }

    @Test
    void thePeriodicCheckCatchesAWriteWhoseSignalWasLost() throws Exception {
        reloader = new SettingsReloader(pool, settings, Duration.ofSeconds(1));
        reloader.start();
        try (var writer = database.connect()) {
            long version = write(writer, "silent.example", false);

            await().atMost(Duration.ofSeconds(5)).until(() -> settings.version() == version);
            assertThat(hasThrottleFor("silent.example")).isTrue();
        }
    }

    @Test
    void reconnectsAndReloadsByItselfAfterEveryFerryConnectionIsTerminated() throws Exception {
        reloader = new SettingsReloader(pool, settings, Duration.ofHours(1));
        reloader.start();
        try (var admin = database.connect()) {
            await().atMost(Duration.ofSeconds(10)).until(() -> terminateFerryConnections(admin) >= 2);

            long version = write(admin, "after-terminate.example", true);

            await().atMost(Duration.ofSeconds(10)).until(() -> settings.version() == version);
            assertThat(hasThrottleFor("after-terminate.example")).isTrue();
        }
    }

    @Test
    void keepsTheLastSnapshotWhileTheDatabaseIsAwayAndLogsTheOutageOnce() throws Exception {
        var logged = new ListAppender<ILoggingEvent>();
        logged.start();
        var poolLogger = (Logger) LoggerFactory.getLogger(DatabasePool.class);
        poolLogger.addAppender(logged);
        reloader = new SettingsReloader(pool, settings, Duration.ofSeconds(1));
        reloader.start();
        try (var admin = database.connect(); var server = database.connectToServer(); var statement = server.createStatement()) {
            long before = write(admin, "before-outage.example", true);
            await().atMost(Duration.ofSeconds(5)).until(() -> settings.version() == before);

            statement.execute("ALTER DATABASE " + database.name() + " ALLOW_CONNECTIONS false");
            terminateFerryConnections(admin);
            await().atMost(Duration.ofSeconds(15)).until(() -> pool.state() == LinkState.DOWN);
            // Several pool checks and settings checks fail meanwhile: counted, not waited for blindly.
            long poolFailures = pool.failedChecks();
            long loadFailures = settings.failedLoads();
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> pool.failedChecks() >= poolFailures + 2 && settings.failedLoads() >= loadFailures + 3);
            assertThat(settings.version()).isEqualTo(before);
            assertThat(hasThrottleFor("before-outage.example")).isTrue();
            long lost = logged.list.stream().filter(e -> e.getFormattedMessage().startsWith("lost PostgreSQL")).count();
            assertThat(lost).isEqualTo(1);

            long during = write(admin, "during-outage.example", false);
            statement.execute("ALTER DATABASE " + database.name() + " ALLOW_CONNECTIONS true");

            await().atMost(Duration.ofSeconds(20)).until(() -> settings.version() == during && pool.state() == LinkState.UP);
            assertThat(hasThrottleFor("during-outage.example")).isTrue();
        } finally {
            poolLogger.detachAppender(logged);
        }
    }

    /** Ends every connection Ferry has open on the test database (pool and listener); returns how many. */
    private int terminateFerryConnections(Connection admin) throws SQLException {
        try (var statement = admin.prepareStatement("""
                SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
                 WHERE datname = ? AND application_name = 'ferry' AND pid <> pg_backend_pid()""")) {
            statement.setString(1, database.name());
            try (var rows = statement.executeQuery()) {
                rows.next();
                return rows.getInt(1);
            }
        }
    }
}
