package dev.ferrymta.relay.broker;

import com.rabbitmq.client.Connection;
import java.io.IOException;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * How many ready messages a queue holds, for people watching: asked of the broker (a passive
 * declare on a short-lived channel) at most once per {@code maxAge}, so a console refreshed
 * in a loop does not load the broker. Empty while the broker cannot answer. Thread-safe.
 */
public final class QueueDepth {

    private final Supplier<Connection> connection;
    private final String queue;
    private final long maxAgeNanos;
    private final LongSupplier nanoTime;
    private long askedAt;
    private OptionalLong last = OptionalLong.empty();
    private boolean asked;

    public QueueDepth(Supplier<Connection> connection, String queue, Duration maxAge) {
        this(connection, queue, maxAge, System::nanoTime);
    }

    QueueDepth(Supplier<Connection> connection, String queue, Duration maxAge, LongSupplier nanoTime) {
        this.connection = connection;
        this.queue = queue;
        this.maxAgeNanos = maxAge.toNanos();
        this.nanoTime = nanoTime;
    }

    /** The depth, at most {@code maxAge} old. */
    public synchronized OptionalLong get() {
        long now = nanoTime.getAsLong();
        if (asked && now - askedAt < maxAgeNanos) {
            return last;
        }
        asked = true;
        askedAt = now;
        try (var channel = connection.get().createChannel()) {
            last = OptionalLong.of(channel.queueDeclarePassive(queue).getMessageCount());
        } catch (IOException | TimeoutException | RuntimeException e) {
            last = OptionalLong.empty();
        }
        return last;
    }
}
