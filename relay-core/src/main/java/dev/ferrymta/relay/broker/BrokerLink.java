package dev.ferrymta.relay.broker;

import com.rabbitmq.client.BlockedListener;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.Recoverable;
import com.rabbitmq.client.RecoveryListener;
import com.rabbitmq.client.impl.AMQConnection;
import dev.ferrymta.relay.config.AmqpAddress;
import dev.ferrymta.relay.lifecycle.Backoff;
import dev.ferrymta.relay.lifecycle.ConnectLoop;
import dev.ferrymta.relay.lifecycle.Link;
import dev.ferrymta.relay.lifecycle.LinkState;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The instance's connection to a RabbitMQ broker. The first connect retries with backoff until the
 * broker answers; after that the client's automatic recovery reconnects and reopens the channels.
 * The client's own topology recovery is off: it re-declared on channels Ferry had closed, and a
 * broker that came back empty would not get Ferry's queues back. Ferry declares its queues itself
 * whenever a {@link WatchedConsumer} subscribes, and {@link #onRecovery} tells the rest. Tracks the
 * state for the health page, including the broker's flow-control block.
 */
public final class BrokerLink implements Link, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(BrokerLink.class);

    /** How long a channel request (declare, cancel, close) may wait for the broker's answer. */
    static final Duration RPC_TIMEOUT = Duration.ofSeconds(15);

    private final AmqpAddress address;
    private final String connectionName;
    private final String linkName;
    private final ConnectLoop connectLoop = new ConnectLoop();
    private volatile Connection connection;
    private volatile LinkState state = LinkState.CONNECTING;
    private volatile String problem;
    private volatile String blockedReason;
    private final java.util.List<Runnable> recoveryListeners = new java.util.concurrent.CopyOnWriteArrayList<>();

    /**
     * @param address        where the broker is
     * @param connectionName shown in the broker's management UI, e.g. {@code ferry mail1}
     */
    public BrokerLink(AmqpAddress address, String connectionName) {
        this(address, connectionName, "rabbitmq");
    }

    /**
     * @param linkName how the health page names this link, e.g. {@code cluster} for the cluster broker
     */
    public BrokerLink(AmqpAddress address, String connectionName, String linkName) {
        this.address = address;
        this.connectionName = connectionName;
        this.linkName = linkName;
    }

    /**
     * Connects, retrying with growing backoff.
     *
     * @return false when {@link #close()} was called before a connection was made
     */
    public boolean connect() throws InterruptedException {
        var factory = factory();
        var made = connectLoop.untilConnected("RabbitMQ", address.toString(), Backoff.standard(), () -> {
            try {
                return factory.newConnection(Executors.newVirtualThreadPerTaskExecutor(), connectionName);
            } catch (IOException | RuntimeException e) {
                problem = ConnectLoop.reason(e);
                throw e;
            }
        });
        if (made == null) {
            return false;
        }
        watch(made);
        connection = made;
        problem = null;
        state = LinkState.UP;
        return true;
    }

    /**
     * One attempt, no retries and no link state: for a command that asks something and exits
     * ({@code --list-cluster}). The caller closes the connection.
     */
    public Connection connectOnce() throws IOException, TimeoutException {
        return factory().newConnection(connectionName);
    }

    /** The open connection; only valid after {@link #connect()} returned true. */
    public Connection connection() {
        var current = connection;
        if (current == null) {
            throw new IllegalStateException("not connected to RabbitMQ at " + address);
        }
        return current;
    }

    /** Runs {@code listener} after each automatic recovery of the connection (on the client's recovery thread). */
    public void onRecovery(Runnable listener) {
        recoveryListeners.add(listener);
    }

    @Override
    public String name() {
        return linkName;
    }

    @Override
    public String address() {
        return address.toString();
    }

    @Override
    public LinkState state() {
        var current = state;
        return current == LinkState.UP && blockedReason != null ? LinkState.BLOCKED : current;
    }

    /** Whether the broker blocks this connection's publishes now ({@code connection.blocked}). */
    public boolean blocked() {
        return blockedReason != null;
    }

    /**
     * A connection of its own to the same broker, for asking things while the main one may be
     * blocked or busy: no automatic recovery, and every request answered within {@code timeout}
     * or failed. The caller closes it.
     */
    public Connection sideConnection(String purpose, Duration timeout) throws IOException, TimeoutException {
        var factory = factory();
        factory.setAutomaticRecoveryEnabled(false);
        factory.setConnectionTimeout((int) timeout.toMillis());
        factory.setHandshakeTimeout((int) timeout.toMillis());
        factory.setChannelRpcTimeout((int) timeout.toMillis());
        factory.setShutdownTimeout((int) timeout.toMillis());
        var properties = new HashMap<>(factory.getClientProperties());
        properties.put("connection_name", connectionName + " " + purpose);
        factory.setClientProperties(properties);
        return factory.newConnection(connectionName + " " + purpose);
    }

    @Override
    public Optional<String> problem() {
        var blocked = blockedReason;
        return Optional.ofNullable(blocked != null ? "blocked by the broker: " + blocked : problem);
    }

    @Override
    public void close() {
        connectLoop.stop();
        state = LinkState.CLOSED;
        var current = connection;
        if (current != null) {
            try {
                if (current.isOpen()) {
                    current.close(5_000);
                    if (current.isOpen()) {
                        // No close-ok in time (a blocked connection): drop it.
                        current.abort(1_000);
                    }
                } else {
                    // Lost and being recovered: abort ends the recovery, which would otherwise go on for good.
                    current.abort(1_000);
                }
            } catch (IOException | RuntimeException e) {
                log.debug("closing the connection to {} failed: {}", address, ConnectLoop.reason(e));
            }
        }
    }

    private ConnectionFactory factory() {
        var factory = new ConnectionFactory();
        factory.setHost(address.host());
        factory.setPort(address.port());
        factory.setUsername(address.user());
        factory.setPassword(address.password());
        factory.setVirtualHost(address.vhost());
        if (address.tls()) {
            try {
                factory.useSslProtocol(javax.net.ssl.SSLContext.getDefault());
                factory.enableHostnameVerification();
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("no TLS context for " + address, e);
            }
        }
        factory.setAutomaticRecoveryEnabled(true);
        factory.setTopologyRecoveryEnabled(false);
        factory.setNetworkRecoveryInterval(Duration.ofSeconds(2).toMillis());
        factory.setConnectionTimeout((int) Duration.ofSeconds(10).toMillis());
        factory.setRequestedHeartbeat(30);
        // Declares, cancels and closes answer within seconds unless the broker blocks the
        // connection (an alarm); waiting ten minutes, the client's default, would stall a stop.
        factory.setChannelRpcTimeout((int) RPC_TIMEOUT.toMillis());
        // Add to the client's defaults, never replace them: they carry the capabilities without which
        // the broker sends no connection.blocked and no consumer cancel notifications.
        var properties = new HashMap<>(AMQConnection.defaultClientProperties());
        properties.put("product", "Ferry");
        properties.put("connection_name", connectionName);
        factory.setClientProperties(properties);
        return factory;
    }

    private void watch(Connection made) {
        made.addShutdownListener(cause -> {
            if (state == LinkState.CLOSED || cause.isInitiatedByApplication()) {
                return;
            }
            state = LinkState.DOWN;
            problem = ConnectLoop.reason(cause);
            log.warn("lost the connection to RabbitMQ at {}: {}; reconnecting", address, problem);
        });
        made.addBlockedListener(new BlockedListener() {
            @Override
            public void handleBlocked(String reason) {
                blockedReason = reason;
                log.warn("RabbitMQ at {} blocks publishing: {}", address, reason);
            }

            @Override
            public void handleUnblocked() {
                blockedReason = null;
                log.info("RabbitMQ at {} accepts publishing again", address);
            }
        });
        if (made instanceof Recoverable recoverable) {
            recoverable.addRecoveryListener(new RecoveryListener() {
                @Override
                public void handleRecovery(Recoverable recovered) {
                    if (state != LinkState.CLOSED) {
                        state = LinkState.UP;
                        problem = null;
                        log.info("reconnected to RabbitMQ at {}", address);
                        for (var listener : recoveryListeners) {
                            try {
                                listener.run();
                            } catch (RuntimeException e) {
                                log.warn("after reconnecting to RabbitMQ at {}: {}", address, ConnectLoop.reason(e));
                            }
                        }
                    }
                }

                @Override
                public void handleRecoveryStarted(Recoverable recovering) {
                    // The shutdown listener has already logged the loss.
                }
            });
        }
    }
}
