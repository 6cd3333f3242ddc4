package dev.ferrymta.testing.broker;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import dev.ferrymta.testing.TestNames;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A JUnit extension giving each test its own names on the real RabbitMQ, deleting whatever was
 * declared under them after the test, pass or fail:
 *
 * <pre>{@code
 * @RegisterExtension final TestBroker broker = new TestBroker();
 *
 * var outbox = broker.queue("outbox");        // ferrytest.myit.1a2b3c4d.outbox
 * broker.track(outbox + ".delay.60");         // a name the code under test derives
 * }</pre>
 *
 * The broker is {@code amqp://guest:guest@127.0.0.1:5672/} unless the system property
 * {@code ferry.test.rabbitmq-address} names another.
 */
public final class TestBroker implements BeforeEachCallback, AfterEachCallback {

    private static final Logger log = LoggerFactory.getLogger(TestBroker.class);

    /** The broker the tests use. */
    public static final String ADDRESS = System.getProperty("ferry.test.rabbitmq-address", "amqp://guest:guest@127.0.0.1:5672/");

    private final Set<String> queues = new LinkedHashSet<>();
    private final Set<String> exchanges = new LinkedHashSet<>();
    private final List<Connection> connections = new ArrayList<>();
    private String prefix;

    @Override
    public void beforeEach(ExtensionContext context) {
        prefix = "%s.%s.%s.".formatted(TestNames.PREFIX, TestNames.classPart(context, 30), TestNames.randomId());
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        try (var connection = newConnection("ferry test cleanup")) {
            for (var queue : queues) {
                delete(connection, channel -> channel.queueDelete(queue));
            }
            for (var exchange : exchanges) {
                delete(connection, channel -> channel.exchangeDelete(exchange));
            }
        } finally {
            for (var connection : connections) {
                if (connection.isOpen()) {
                    connection.abort(2_000);
                }
            }
            connections.clear();
            queues.clear();
            exchanges.clear();
        }
    }

    /** A queue name of this test's own, deleted after the test. */
    public String queue(String base) {
        var name = name(base);
        queues.add(name);
        return name;
    }

    /** An exchange name of this test's own, deleted after the test. */
    public String exchange(String base) {
        var name = name(base);
        exchanges.add(name);
        return name;
    }

    /** Registers a queue the code under test declares under a derived name, for deletion after the test. */
    public String track(String queue) {
        queues.add(queue);
        return queue;
    }

    /** The prefix of every name of this test, e.g. to give the code under test as a namespace. */
    public String prefix() {
        return requirePrefix();
    }

    /** The broker's address as Ferry's {@code rabbitmq-address} takes it. */
    public String address() {
        return ADDRESS;
    }

    /** A connection for the test's own use; closed after the test. */
    public Connection connection() throws IOException, TimeoutException {
        var connection = newConnection("ferry test");
        connections.add(connection);
        return connection;
    }

    /** A connection factory for the test broker, for tests that manage connections themselves. */
    public static ConnectionFactory factory() {
        var uri = URI.create(ADDRESS);
        var factory = new ConnectionFactory();
        factory.setHost(uri.getHost());
        factory.setPort(uri.getPort() < 0 ? 5672 : uri.getPort());
        if (uri.getUserInfo() != null) {
            var parts = uri.getUserInfo().split(":", 2);
            factory.setUsername(parts[0]);
            factory.setPassword(parts.length > 1 ? parts[1] : "");
        }
        // A bare "/" is the default vhost; the client alone would take it for the empty one.
        var path = uri.getPath() == null ? "" : uri.getPath();
        factory.setVirtualHost(path.isEmpty() || path.equals("/") ? "/" : path.substring(1));
        factory.setAutomaticRecoveryEnabled(false);
        return factory;
    }

    private Connection newConnection(String name) throws IOException, TimeoutException {
        try {
            return factory().newConnection(name);
        } catch (IOException e) {
            throw new IOException("the test broker at %s is not reachable; run dev/services".formatted(ADDRESS), e);
        }
    }

    private String name(String base) {
        return requirePrefix() + base;
    }

    private String requirePrefix() {
        if (prefix == null) {
            throw new IllegalStateException("TestBroker is used outside a test: register it with @RegisterExtension");
        }
        return prefix;
    }

    @FunctionalInterface
    private interface ChannelAction {
        void run(Channel channel) throws IOException;
    }

    /** Each deletion on a channel of its own: a failed one closes its channel, not the others. */
    private static void delete(Connection connection, ChannelAction action) {
        try (var channel = connection.createChannel()) {
            action.run(channel);
        } catch (IOException | TimeoutException | RuntimeException e) {
            log.warn("test cleanup could not delete: {}", e.toString());
        }
    }
}
