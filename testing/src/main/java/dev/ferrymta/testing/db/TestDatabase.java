package dev.ferrymta.testing.db;

import dev.ferrymta.testing.TestNames;
import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A JUnit extension that creates a fresh PostgreSQL database for a test class and drops it after
 * the class, pass or fail:
 *
 * <pre>{@code
 * @RegisterExtension static final TestDatabase database = new TestDatabase();
 *
 * var config = "--database-address=" + database.address();
 * }</pre>
 *
 * It connects to {@code postgresql://ferry:ferry@127.0.0.1:5432/ferry} (the role dev/services
 * creates, which may create databases) unless the system property
 * {@code ferry.test.database-address} names another.
 */
public final class TestDatabase implements BeforeAllCallback, AfterAllCallback {

    /** The server and role the tests use, as a Ferry {@code database-address}. */
    public static final String ADMIN_ADDRESS =
            System.getProperty("ferry.test.database-address", "postgresql://ferry:ferry@127.0.0.1:5432/ferry");

    private final URI admin = URI.create(ADMIN_ADDRESS);
    private String name;

    @Override
    public void beforeAll(ExtensionContext context) throws SQLException {
        name = "%s_%s_%s".formatted(TestNames.PREFIX, TestNames.classPart(context, 30), TestNames.randomId());
        try (var connection = connectTo(adminDatabase()); var statement = connection.createStatement()) {
            statement.execute("CREATE DATABASE " + name);
        }
    }

    @Override
    public void afterAll(ExtensionContext context) throws SQLException {
        if (name == null) {
            return;
        }
        try (var connection = connectTo(adminDatabase()); var statement = connection.createStatement()) {
            // FORCE: a pool the test forgot to close must not keep the database alive.
            statement.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
        }
        name = null;
    }

    /** The fresh database's name. */
    public String name() {
        if (name == null) {
            throw new IllegalStateException("TestDatabase is used outside a test class: register it as a static @RegisterExtension");
        }
        return name;
    }

    /** The fresh database as a Ferry {@code database-address}. */
    public String address() {
        return "postgresql://%s@%s:%d/%s".formatted(admin.getRawUserInfo(), admin.getHost(), port(), name());
    }

    /** The fresh database's JDBC URL; the credentials are in {@link #user()} and {@link #password()}. */
    public String jdbcUrl() {
        return jdbcUrl(name());
    }

    public String user() {
        return userInfo()[0];
    }

    public String password() {
        var info = userInfo();
        return info.length > 1 ? info[1] : "";
    }

    /**
     * A new connection to the server's administrative database, for statements that may not run
     * in the fresh database itself ({@code ALTER DATABASE ... ALLOW_CONNECTIONS false}, to simulate
     * an outage). The caller closes it.
     */
    public Connection connectToServer() throws SQLException {
        return connectTo(adminDatabase());
    }

    /** A new connection to the fresh database; the caller closes it. */
    public Connection connect() throws SQLException {
        return connectTo(name());
    }

    private Connection connectTo(String database) throws SQLException {
        var properties = new Properties();
        properties.setProperty("user", user());
        properties.setProperty("password", password());
        try {
            return DriverManager.getConnection(jdbcUrl(database), properties);
        } catch (SQLException e) {
            throw new SQLException("the test database server at %s is not reachable; run dev/services: %s"
                    .formatted(ADMIN_ADDRESS.replaceAll(":[^:@/]*@", "@"), e.getMessage()), e);
        }
    }

    private String jdbcUrl(String database) {
        return "jdbc:postgresql://%s:%d/%s".formatted(admin.getHost(), port(), database);
    }

    private String adminDatabase() {
        return admin.getPath().substring(1);
    }

    private int port() {
        return admin.getPort() < 0 ? 5432 : admin.getPort();
    }

    private String[] userInfo() {
        return admin.getUserInfo() == null ? new String[] {System.getProperty("user.name")} : admin.getUserInfo().split(":", 2);
    }
}
