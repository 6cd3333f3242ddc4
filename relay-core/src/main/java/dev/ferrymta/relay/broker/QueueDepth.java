package dev.ferrymta.relay.broker;

import com.rabbitmq.client.Connection;
import java.io.IOException;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How many ready messages a queue holds, for people watching. Asked in the background every
 * {@code every}, on a connection of its own with short timeouts ({@link BrokerLink#sideConnection}),
 * never on the relay's: a console page reads the last answer and never waits on the broker, even
 * while the broker blocks the relay's connection or does not answer at all. Empty while the broker
 * cannot answer. Thread-safe.
 */
public final class QueueDepth implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(QueueDepth.class);

    /** Opens the side connection; throws when the broker cannot be reached. */
    @FunctionalInterface
    public interface Connector {
        Connection open() throws IOException, TimeoutException;
    }

    private final Connector connector;
    private final String queue;
    private final Duration every;
    private final ScheduledExecutorService timer;
    private volatile OptionalLong last = OptionalLong.empty();
    private volatile String problem = "not asked yet";
    private Connection connection;

    /**
     * @param connector opens a connection of the depth's own, with short timeouts
     * @param every     how often to ask
     */
    public QueueDepth(Connector connector, String queue, Duration every) {
        this.connector = connector;
        this.queue = queue;
        this.every = every;
        this.timer = Executors.newSingleThreadScheduledExecutor(Thread.ofVirtual().name("queue-depth").factory());
    }

    /** Starts asking. */
    public QueueDepth start() {
        timer.scheduleWithFixedDelay(this::refresh, 0, every.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    /** The depth as last asked; empty when the broker did not answer the last time. */
    public OptionalLong get() {
        return last;
    }

    /** Why {@link #get()} is empty, when it is. */
    public String problem() {
        return problem;
    }

    private void refresh() {
        try {
            if (connection == null || !connection.isOpen()) {
                connection = connector.open();
            }
            try (var channel = connection.createChannel()) {
                last = OptionalLong.of(channel.queueDeclarePassive(queue).getMessageCount());
                problem = null;
            }
        } catch (IOException | TimeoutException | RuntimeException e) {
            last = OptionalLong.empty();
            problem = "the broker did not answer: " + e.getMessage();
            log.debug("asking the depth of '{}' failed: {}", queue, e.toString());
            abortConnection();
        }
    }

    private void abortConnection() {
        var current = connection;
        connection = null;
        if (current != null) {
            current.abort(1_000);
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
        try {
            timer.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        abortConnection();
    }
}
