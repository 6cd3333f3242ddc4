package dev.ferrymta.relay.broker;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Connection;
import dev.ferrymta.relay.broker.PublishFailedException.Reason;
import dev.ferrymta.relay.lifecycle.ConnectLoop;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes with publisher confirms over a few channels of one (auto-recovering) connection and
 * tells each caller, through a future, when the broker has taken responsibility for its message.
 * The single rule of the relay: an outbox message is acked only after what replaces it is confirmed.
 *
 * <p>A future completes normally only on the broker's basic.ack for its message; everything else
 * (nack, return of a mandatory message, timeout, loss of the channel or connection, close) fails it
 * with {@link PublishFailedException}, and a failed message may still have been stored, so the
 * caller publishes it again later. Futures complete on their own virtual threads, never on the
 * connection's reader thread: a callback may block or publish again. The publish id header
 * {@code x-ferry-publish-id} is added to every message to match returns to publishes.
 */
public final class ConfirmingPublisher implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ConfirmingPublisher.class);
    private static final Duration CHANNEL_CLOSE_WAIT = Duration.ofSeconds(2);

    private final Duration confirmTimeout;
    private final LongSupplier nanoTime;
    private final InFlight inFlight;
    private final List<ConfirmChannel> channels;
    private final AtomicInteger nextChannel = new AtomicInteger();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final ScheduledExecutorService sweeper;
    private volatile long maxMessageSize = Long.MAX_VALUE;

    /**
     * @param channels       how many publishing channels (publishes are spread over them; each channel is used under its own lock)
     * @param maxInFlight    bound on unconfirmed messages in total; publish() blocks (backpressure) while it is reached
     * @param confirmTimeout a message not confirmed in this time fails with PublishFailedException
     */
    public ConfirmingPublisher(Connection connection, int channels, int maxInFlight, Duration confirmTimeout) throws IOException {
        this(connection, channels, maxInFlight, confirmTimeout, System::nanoTime,
                task -> Thread.ofVirtual().name("ferry-publish-outcome").start(task));
    }

    ConfirmingPublisher(Connection connection, int channels, int maxInFlight, Duration confirmTimeout,
            LongSupplier nanoTime, Executor callbacks) throws IOException {
        if (channels < 1) {
            throw new IllegalArgumentException("channels must be at least 1, not " + channels);
        }
        if (maxInFlight < 1) {
            throw new IllegalArgumentException("maxInFlight must be at least 1, not " + maxInFlight);
        }
        if (confirmTimeout == null || confirmTimeout.isNegative() || confirmTimeout.isZero()) {
            throw new IllegalArgumentException("confirmTimeout must be positive, not " + confirmTimeout);
        }
        Objects.requireNonNull(connection, "connection");
        this.confirmTimeout = confirmTimeout;
        this.nanoTime = nanoTime;
        this.inFlight = new InFlight(maxInFlight, callbacks);
        var opened = new ArrayList<ConfirmChannel>(channels);
        try {
            for (int i = 1; i <= channels; i++) {
                var channel = new ConfirmChannel(connection, i, inFlight, this::learnedSizeLimit);
                channel.open();
                opened.add(channel);
            }
        } catch (IOException | RuntimeException e) {
            opened.forEach(ConfirmChannel::close);
            throw new IOException("cannot open %d publishing channels: %s".formatted(channels, ConnectLoop.reason(e)), e);
        }
        this.channels = List.copyOf(opened);
        this.sweeper = startSweeper(sweepPeriod(confirmTimeout));
    }

    /**
     * Completes normally when confirmed (basic.ack); completes exceptionally with PublishFailedException on basic.nack,
     * on a basic.return of a mandatory message (unroutable), on timeout, on channel/connection loss before the confirm,
     * or when closed. Never throws for broker trouble. Blocks while maxInFlight messages are unconfirmed or while the
     * broker blocks the connection.
     *
     * @param properties the caller's properties and headers are kept; {@code x-ferry-publish-id} is added
     * @throws IllegalStateException after {@link #close()}
     */
    public CompletableFuture<Void> publish(String exchange, String routingKey, boolean mandatory,
            AMQP.BasicProperties properties, byte[] body) {
        return publish(nextChannel.getAndIncrement(), exchange, routingKey, mandatory, properties, body);
    }

    /**
     * As {@link #publish(String, String, boolean, AMQP.BasicProperties, byte[])}, over the channel
     * {@code affinity} picks: publishes with the same affinity share a channel, so the broker keeps
     * their order (it orders per channel only). Publishes without one are spread over the channels.
     */
    public CompletableFuture<Void> publish(int affinity, String exchange, String routingKey, boolean mandatory,
            AMQP.BasicProperties properties, byte[] body) {
        Objects.requireNonNull(exchange, "exchange");
        Objects.requireNonNull(routingKey, "routingKey");
        Objects.requireNonNull(body, "body");
        if (closed.get()) {
            throw new IllegalStateException("the publisher is closed");
        }
        long limit = maxMessageSize;
        if (body.length > limit) {
            return CompletableFuture.failedFuture(new PublishFailedException(Reason.TOO_LARGE,
                    "%d bytes, and the broker takes at most %d (its max_message_size); nothing was sent".formatted(body.length, limit)));
        }
        Unconfirmed message;
        try {
            message = inFlight.begin(nanoTime.getAsLong());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return CompletableFuture.failedFuture(new PublishFailedException(Reason.INTERRUPTED,
                    "while waiting for room among " + inFlight.limit() + " unconfirmed publishes; nothing was sent"));
        }
        if (closed.get()) {
            message.fail(new PublishFailedException(Reason.CLOSED, "the publisher closed while this publish waited for room"));
            return message.outcome();
        }
        var channel = channels.get(Math.floorMod(affinity, channels.size()));
        channel.publish(message, exchange, routingKey, mandatory, PublishIdHeader.stamp(properties, message.id()), body);
        return message.outcome();
    }

    /**
     * The largest body the broker takes, in bytes, once it has said so (by closing a channel over
     * a larger one); {@link Long#MAX_VALUE} until then. Larger publishes fail at once with
     * {@link Reason#TOO_LARGE} instead of costing the channel and every confirm pending on it.
     */
    public long maxMessageSize() {
        return maxMessageSize;
    }

    private void learnedSizeLimit(long bytes) {
        if (bytes < maxMessageSize) {
            maxMessageSize = bytes;
            log.warn("the broker takes messages of at most {} bytes (its max_message_size); larger publishes now fail at once", bytes);
        }
    }

    /** Messages published (or about to be) and not yet confirmed or failed; never more than maxInFlight. */
    public int inFlight() {
        return inFlight.count();
    }

    /** Waits up to {@code wait} for outstanding confirms, then fails the rest and closes its channels. Later calls do nothing. */
    public void close(Duration wait) {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        boolean drained;
        try {
            drained = inFlight.awaitEmpty(wait);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            drained = false;
        }
        int failed = drained ? 0 : inFlight.failAll(Reason.CLOSED, "the publisher closed before the broker confirmed");
        closeChannels();
        sweeper.shutdownNow();
        // Publishes that passed the closed check just before close() began.
        failed += inFlight.failAll(Reason.CLOSED, "the publisher closed before the broker confirmed");
        if (failed > 0) {
            log.warn("closed the publisher with {} publishes still unconfirmed after {}; failed them", failed, wait);
        } else {
            log.debug("closed the publisher; every publish was settled");
        }
    }

    /** {@code close(Duration.ofSeconds(5))}. */
    @Override
    public void close() {
        close(Duration.ofSeconds(5));
    }

    /**
     * Closes the channels on a thread of its own and waits a little: a channel's close waits for
     * the broker's answer, which never comes while the broker blocks the connection.
     */
    private void closeChannels() {
        var closer = Thread.ofVirtual().name("ferry-publisher-close").start(() -> channels.forEach(ConfirmChannel::close));
        try {
            if (!closer.join(CHANNEL_CLOSE_WAIT)) {
                log.warn("the broker did not answer the close of the publishing channels within {}; leaving them to the connection",
                        CHANNEL_CLOSE_WAIT);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private ScheduledExecutorService startSweeper(Duration period) {
        var executor = new ScheduledThreadPoolExecutor(1, Thread.ofPlatform().daemon().name("ferry-confirm-timeouts").factory());
        executor.setRemoveOnCancelPolicy(true);
        executor.scheduleWithFixedDelay(this::sweep, period.toNanos(), period.toNanos(), TimeUnit.NANOSECONDS);
        return executor;
    }

    private void sweep() {
        try {
            int expired = inFlight.expire(nanoTime.getAsLong(), confirmTimeout);
            if (expired > 0) {
                log.warn("{} publishes were not confirmed within {}; failed them ({} still in flight)",
                        expired, confirmTimeout, inFlight.count());
            }
        } catch (RuntimeException e) {
            // An exception would cancel the periodic task, and with it every later timeout.
            log.error("the confirm timeout sweep failed", e);
        }
    }

    /** Often enough that a timeout fires at most a quarter of it (and at most a second) late, and no more often. */
    static Duration sweepPeriod(Duration confirmTimeout) {
        var quarter = confirmTimeout.dividedBy(4);
        if (quarter.compareTo(Duration.ofMillis(10)) < 0) {
            return Duration.ofMillis(10);
        }
        return quarter.compareTo(Duration.ofSeconds(1)) > 0 ? Duration.ofSeconds(1) : quarter;
    }
}
