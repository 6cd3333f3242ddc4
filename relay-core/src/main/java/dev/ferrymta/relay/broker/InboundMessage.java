package dev.ferrymta.relay.broker;

import com.rabbitmq.client.AMQP;
import dev.ferrymta.relay.message.MessageParser;
import dev.ferrymta.relay.message.ParsedMessage;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One message taken from a queue with manual acks and not yet settled (docs/ARCHITECTURE.md,
 * "A message's way out"). It is settled once: acked when what replaces it is confirmed, or handed
 * back (requeued). While it waits, the channel it came on may be lost: the broker then hands it
 * out again, and acking it here does nothing. {@link #held()} says whether an ack would still
 * count; {@link #onLoss} lets the one who started work on it hear of the loss.
 */
public final class InboundMessage {

    private static final Logger log = LoggerFactory.getLogger(InboundMessage.class);

    /**
     * Settles deliveries on the channel they came on: the seam between a message and its channel,
     * so the settling logic can be tested without a broker. On a RabbitMQ channel it is the
     * channel's {@link AckWriter}.
     */
    public interface Acknowledger {

        void ack(long deliveryTag) throws IOException;

        /** basic.nack with requeue. */
        void requeue(long deliveryTag) throws IOException;

        /** Whether the channel is open. */
        boolean isOpen();
    }

    private final Acknowledger channel;
    private final long deliveryTag;
    private final byte[] body;
    private final AMQP.BasicProperties properties;
    private final boolean redelivered;
    private final Runnable onSettled;
    private final AtomicBoolean settled = new AtomicBoolean();
    private volatile boolean lost;
    private volatile ParsedMessage parsed;
    private Runnable lossListener;

    /**
     * @param channel   settles it on the channel it was delivered on; null for a message taken
     *                  with auto-ack, which is settled already
     * @param onSettled runs once, when the message is settled (acked, handed back or lost and then settled)
     */
    public InboundMessage(Acknowledger channel, long deliveryTag, byte[] body, AMQP.BasicProperties properties, boolean redelivered,
            Runnable onSettled) {
        this.channel = channel;
        this.deliveryTag = deliveryTag;
        this.body = body;
        this.properties = properties;
        this.redelivered = redelivered;
        this.onSettled = onSettled;
        if (channel == null) {
            settled.set(true);
        }
    }

    public byte[] body() {
        return body;
    }

    public AMQP.BasicProperties properties() {
        return properties;
    }

    /** The message's headers; empty when it has none. */
    public Map<String, Object> headers() {
        return AmqpHeaders.of(properties);
    }

    /** Whether the broker handed this message out before (a crash or lost link since). */
    public boolean redelivered() {
        return redelivered;
    }

    /** The body parsed as an outbox message, once: later calls return the same result. */
    public ParsedMessage parsed() {
        var result = parsed;
        if (result == null) {
            result = MessageParser.parse(body);
            parsed = result;
        }
        return result;
    }

    /**
     * Whether an ack would still reach the broker for this delivery: not settled, and its channel
     * neither lost nor closed. Work that cannot be undone (an SMTP transaction) starts only on a
     * held message; one that is no longer held is handed out again by the broker.
     */
    public boolean held() {
        return !settled.get() && !lost && channel != null && channel.isOpen();
    }

    /** Whether its channel was lost: the broker has handed it, or will hand it, out again. */
    public boolean isLost() {
        return lost;
    }

    /**
     * Runs {@code listener} when the channel is lost before the message is settled (at once when
     * it is lost already). One listener; a later one replaces it.
     */
    public void onLoss(Runnable listener) {
        boolean now;
        synchronized (this) {
            lossListener = listener;
            now = lost;
        }
        if (now) {
            listener.run();
        }
    }

    /** The consumer's channel is gone: the broker requeues this delivery by itself. */
    public void lost() {
        Runnable listener;
        synchronized (this) {
            if (lost) {
                return;
            }
            lost = true;
            listener = lossListener;
        }
        if (listener != null && !settled.get()) {
            listener.run();
        }
    }

    /**
     * Done with it: the broker may forget the message.
     *
     * @return whether the ack was written on a channel still holding the delivery (false: the
     *         broker hands the message out again)
     */
    public boolean ack() {
        return settle(true);
    }

    /** Not done: the broker gives the message to a consumer again. */
    public void requeue() {
        settle(false);
    }

    private boolean settle(boolean ack) {
        if (!settled.compareAndSet(false, true)) {
            return false;
        }
        try {
            if (lost) {
                return false;
            }
            if (ack) {
                channel.ack(deliveryTag);
            } else {
                channel.requeue(deliveryTag);
            }
            return true;
        } catch (IOException | RuntimeException e) {
            log.debug("could not {} delivery {}: {}; the broker will redeliver it", ack ? "ack" : "requeue", deliveryTag,
                    e.getMessage());
            return false;
        } finally {
            onSettled.run();
        }
    }
}
