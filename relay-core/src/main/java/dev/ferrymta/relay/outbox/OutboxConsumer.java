package dev.ferrymta.relay.outbox;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consumes a queue with manual acks and a bounded prefetch, on several channels with one consumer
 * each. Hands every message to the handler, which settles it later; the prefetch bounds how many
 * are unsettled at once. Stopping cancels the consumers first, so in-flight messages can still be
 * settled before the channels close.
 */
public final class OutboxConsumer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(OutboxConsumer.class);

    private final Connection connection;
    private final String queue;
    private final int consumers;
    private final int prefetch;
    private final String tagPrefix;
    private final Consumer<InboundMessage> handler;
    private final Clock clock;
    private final List<Channel> channels = new ArrayList<>();
    private final List<String> tags = new ArrayList<>();
    private final AtomicInteger unsettled = new AtomicInteger();

    /**
     * @param consumers how many channels consume the queue side by side
     * @param prefetch  unacked messages per consumer ({@code rabbitmq-qos})
     * @param tagPrefix consumer tags start with it, so the broker shows whose consumers these are
     * @param handler   takes each message; must settle it exactly once, now or later
     */
    public OutboxConsumer(Connection connection, String queue, int consumers, int prefetch, String tagPrefix,
            Consumer<InboundMessage> handler, Clock clock) {
        this.connection = connection;
        this.queue = queue;
        this.consumers = consumers;
        this.prefetch = prefetch;
        this.tagPrefix = tagPrefix;
        this.handler = handler;
        this.clock = clock;
    }

    /** Starts consuming. */
    public synchronized void start() throws IOException {
        for (int i = 0; i < consumers; i++) {
            var channel = connection.createChannel();
            channel.basicQos(prefetch, false);
            var tag = channel.basicConsume(queue, false, tagPrefix + "-" + (i + 1), new Delivery(channel));
            channels.add(channel);
            tags.add(tag);
        }
        log.debug("consuming {} with {} consumers, prefetch {}", queue, consumers, prefetch);
    }

    /** Messages taken and not yet settled. */
    public int unsettled() {
        return unsettled.get();
    }

    /** Takes no more messages; those taken can still be settled. */
    public synchronized void stopConsuming() {
        for (int i = 0; i < channels.size(); i++) {
            try {
                if (channels.get(i).isOpen()) {
                    channels.get(i).basicCancel(tags.get(i));
                }
            } catch (IOException | RuntimeException e) {
                log.debug("cancelling consumer {} failed: {}", tags.get(i), e.getMessage());
            }
        }
    }

    /** Waits until every taken message is settled, or the deadline. */
    public boolean awaitSettled(Instant deadline) throws InterruptedException {
        while (unsettled.get() > 0) {
            if (!clock.instant().isBefore(deadline)) {
                return false;
            }
            Thread.sleep(Duration.ofMillis(20));
        }
        return true;
    }

    /** Closes the channels; the broker requeues whatever is still unsettled. */
    @Override
    public synchronized void close() {
        for (var channel : channels) {
            try {
                if (channel.isOpen()) {
                    channel.close();
                }
            } catch (IOException | TimeoutException | RuntimeException e) {
                log.debug("closing a consumer channel failed: {}", e.getMessage());
            }
        }
        channels.clear();
    }

    private final class Delivery extends DefaultConsumer {

        Delivery(Channel channel) {
            super(channel);
        }

        @Override
        public void handleDelivery(String consumerTag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
            unsettled.incrementAndGet();
            var message = new InboundMessage(getChannel(), envelope.getDeliveryTag(), body, properties, envelope.isRedeliver(),
                    unsettled::decrementAndGet);
            try {
                handler.accept(message);
            } catch (RuntimeException e) {
                // A bug must not kill the consumer or lose the message: hand it back.
                log.error("handling an outbox message failed; requeueing it", e);
                message.requeue();
            }
        }
    }
}
