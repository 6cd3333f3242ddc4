package dev.ferrymta.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.ferrymta.relay.lifecycle.Backoff;
import dev.ferrymta.relay.lifecycle.ConnectLoop;
import dev.ferrymta.relay.lifecycle.Link;
import dev.ferrymta.relay.lifecycle.LinkState;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HikariCP pool on the shared database. The first connect retries with backoff until
 * PostgreSQL answers, naming where it tried; after that a periodic check keeps the state current
 * for the health page and logs a lost or regained database once, not once per check.
 */
public final class DatabasePool implements Link, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(DatabasePool.class);
    private static final Duration CHECK_INTERVAL = Duration.ofSeconds(5);
    private static final org.postgresql.Driver DRIVER = new org.postgresql.Driver();

    private final DatabaseAddress address;
    private final ConnectLoop connectLoop = new ConnectLoop();
    private final ScheduledExecutorService checker =
            Executors.newSingleThreadScheduledExecutor(Thread.ofVirtual().name("database-check").factory());
    private volatile HikariDataSource dataSource;
    private volatile LinkState state = LinkState.CONNECTING;
    private volatile String problem;
    private final java.util.concurrent.atomic.LongAdder failedChecks = new java.util.concurrent.atomic.LongAdder();

    public DatabasePool(DatabaseAddress address) {
        this.address = address;
    }

    /**
     * Connects, retrying with growing backoff, then opens the pool.
     *
     * @return false when {@link #close()} was called before a connection was made
     */
    public boolean connect() throws InterruptedException {
        var probe = connectLoop.untilConnected("PostgreSQL", address.toString(), Backoff.standard(), () -> {
            try {
                openUnpooled().close();
                return Boolean.TRUE;
            } catch (SQLException | RuntimeException e) {
                problem = ConnectLoop.reason(e);
                throw e;
            }
        });
        if (probe == null) {
            return false;
        }
        dataSource = new HikariDataSource(hikariConfig());
        problem = null;
        state = LinkState.UP;
        checker.scheduleWithFixedDelay(this::check, CHECK_INTERVAL.toMillis(), CHECK_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
        return true;
    }

    /**
     * A new connection outside the pool, for a job that holds one for long (listening for
     * notifications) and must not take a pooled connection away from the rest. The caller closes it.
     */
    public Connection openUnpooled() throws SQLException {
        var properties = credentials();
        properties.setProperty("connectTimeout", "10");
        properties.setProperty("tcpKeepAlive", "true");
        var connection = DRIVER.connect(address.jdbcUrl(), properties);
        if (connection == null) {
            throw new SQLException("the PostgreSQL driver does not accept " + address.jdbcUrl());
        }
        return connection;
    }

    /** The pool; only valid after {@link #connect()} returned true. */
    public DataSource dataSource() {
        var current = dataSource;
        if (current == null) {
            throw new IllegalStateException("not connected to PostgreSQL at " + address);
        }
        return current;
    }

    @Override
    public String name() {
        return "postgresql";
    }

    @Override
    public String address() {
        return address.toString();
    }

    /** Health checks of the pool that failed since start; one is made every few seconds. */
    public long failedChecks() {
        return failedChecks.sum();
    }

    @Override
    public LinkState state() {
        return state;
    }

    @Override
    public Optional<String> problem() {
        return Optional.ofNullable(problem);
    }

    @Override
    public void close() {
        connectLoop.stop();
        state = LinkState.CLOSED;
        checker.shutdownNow();
        var current = dataSource;
        if (current != null) {
            current.close();
        }
    }

    private void check() {
        try (Connection connection = dataSource.getConnection()) {
            if (!connection.isValid(2)) {
                throw new SQLException("the connection did not answer within 2 s");
            }
            if (state == LinkState.DOWN) {
                log.info("PostgreSQL at {} is reachable again", address);
            }
            problem = null;
            state = LinkState.UP;
        } catch (SQLException | RuntimeException e) {
            if (state == LinkState.CLOSED) {
                return;
            }
            problem = ConnectLoop.reason(e);
            failedChecks.increment();
            if (state != LinkState.DOWN) {
                log.warn("lost PostgreSQL at {}: {}; checking again every {} s", address, problem, CHECK_INTERVAL.toSeconds());
            }
            state = LinkState.DOWN;
        }
    }

    private HikariConfig hikariConfig() {
        var config = new HikariConfig();
        config.setPoolName("ferry-db");
        config.setJdbcUrl(address.jdbcUrl());
        config.setDataSourceProperties(credentials());
        config.setMaximumPoolSize(8);
        config.setMinimumIdle(1);
        config.setConnectionTimeout(Duration.ofSeconds(5).toMillis());
        // The probe above proved the database is there; should it vanish now, start anyway and let
        // the periodic check report it rather than fail the start a second time.
        config.setInitializationFailTimeout(-1);
        return config;
    }

    private Properties credentials() {
        var properties = new Properties();
        address.user().ifPresent(u -> properties.setProperty("user", u));
        address.password().ifPresent(p -> properties.setProperty("password", p));
        properties.setProperty("ApplicationName", "ferry");
        return properties;
    }
}
