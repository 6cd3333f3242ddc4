package dev.ferrymta.relay.broker;

import com.rabbitmq.client.Address;
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
import java.net.Inet6Address;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The instance's connection to a RabbitMQ broker. The first connect retries with backoff until the
 * broker answers; after that the client's automatic recovery reconnects and reopens the channels.
 * A broker given as several nodes ({@link AmqpAddress#nodes()}) is one broker: the link is on one
 * node at a time, any that answers, and recovery moves it to another when that node goes away;
 * {@link #node()} says which one it is on now, and the log says each move.
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
    /** The node the connection is on, {@code ip:port}; null while there is none. */
    private volatile String node;
    private volatile LinkState state = LinkState.CONNECTING;
    private volatile String problem;
    private volatile String blockedReason;
    private final java.util.List<Runnable> recoveryListeners = new java.util.concurrent.CopyOnWriteArrayList<>();

    /**
     * @param address        where the broker is: one node or several
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
     * Connects to a node that answers, retrying with growing backoff while none does.
     *
     * <p>The nodes are tried in random order, at the first connect and at each recovery alike: that
     * is what the client does with several addresses (its {@code ListAddressResolver} keeps
     * {@code AddressResolver.maybeShuffle}'s {@code Collections.shuffle}), and Ferry keeps it on
     * purpose rather than try them in the configured order. Instances then spread over the nodes
     * instead of all sitting on the first, and when a node goes away only the connections it had
     * move, each to a random survivor, instead of all piling onto the next node in the list.
     *
     * @return false when {@link #close()} was called before a connection was made
     */
    public boolean connect() throws InterruptedException {
        var factory = factory();
        var made = connectLoop.untilConnected("RabbitMQ", address.toString(), Backoff.standard(), () -> {
            try {
                return factory.newConnection(Executors.newVirtualThreadPerTaskExecutor(), addresses(), connectionName);
            } catch (IOException | RuntimeException e) {
                problem = ConnectLoop.reason(e);
                throw e;
            }
        });
        if (made == null) {
            return false;
        }
        node = nodeOf(made);
        watch(made);
        connection = made;
        problem = null;
        state = LinkState.UP;
        log.info("{}: connected to RabbitMQ node {} of {}", linkName, node, address);
        return true;
    }

    /**
     * One attempt at each node, in random order as {@link #connect()} tries them, no retries and no
     * link state: for a command that asks something and exits ({@code --list-cluster}). The caller
     * closes the connection.
     *
     * @throws IOException when no node answers (the last node's failure)
     */
    public Connection connectOnce() throws IOException, TimeoutException {
        return factory().newConnection(addresses(), connectionName);
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

    /** The configured address, every node of it, without the password. */
    @Override
    public String address() {
        return address.toString();
    }

    /**
     * The node the link is on now, {@code ip:port} ({@code [v6]:port} for IPv6), e.g.
     * {@code 127.0.0.1:5682}: the one the connection was made to, or recovered to after its node went
     * away. Empty before the first connect, while the connection is lost and being recovered, and
     * after {@link #close()}.
     */
    @Override
    public Optional<String> node() {
        return Optional.ofNullable(node);
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
     * or failed. Each node is tried once, in random order as {@link #connect()} tries them, each
     * within {@code timeout}. The caller closes it.
     *
     * @throws IOException when no node answers (the last node's failure)
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
        // Without automatic recovery the client tries the addresses in the order given: shuffle
        // them here, so that side connections spread over the nodes as the main ones do.
        var shuffled = new ArrayList<>(addresses());
        Collections.shuffle(shuffled);
        return factory.newConnection(shuffled, connectionName + " " + purpose);
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
        node = null;
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

    /**
     * The node a connection is on: its peer's IP address and port, {@code 10.0.0.2:5672} or
     * {@code [2001:db8::2]:5672}. For a recovering connection, the node of the connection it has now.
     */
    public static String nodeOf(Connection connection) {
        var ip = connection.getAddress();
        var shown = ip instanceof Inet6Address ? "[" + ip.getHostAddress() + "]" : ip.getHostAddress();
        return shown + ":" + connection.getPort();
    }

    /** The nodes as the client takes them, in the configured order. */
    private List<Address> addresses() {
        return address.nodes().stream().map(n -> new Address(n.host(), n.port())).toList();
    }

    private ConnectionFactory factory() {
        var factory = new ConnectionFactory();
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
            var lost = node;
            state = LinkState.DOWN;
            node = null;
            problem = ConnectLoop.reason(cause);
            log.warn("{}: lost the connection to RabbitMQ node {} of {}: {}; reconnecting", linkName, lost, address, problem);
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
                        node = nodeOf(made);
                        state = LinkState.UP;
                        problem = null;
                        log.info("{}: reconnected to RabbitMQ node {} of {}", linkName, node, address);
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
