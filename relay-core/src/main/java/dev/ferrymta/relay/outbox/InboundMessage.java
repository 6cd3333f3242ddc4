package dev.ferrymta.relay.outbox;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One message taken from a queue and not yet settled. It is settled once: acked when what
 * replaces it is confirmed, or handed back (requeued) when that failed. An ack that cannot reach
 * the broker needs no retry: the broker hands the message out again, and receivers tolerate the
 * duplicate.
 */
public final class InboundMessage {

    private static final Logger log = LoggerFactory.getLogger(InboundMessage.class);

    private final Channel channel;
    private final long deliveryTag;
    private final byte[] body;
    private final AMQP.BasicProperties properties;
    private final boolean redelivered;
    private final Runnable onSettled;
    private final AtomicBoolean settled = new AtomicBoolean();

    InboundMessage(Channel channel, long deliveryTag, byte[] body, AMQP.BasicProperties properties, boolean redelivered,
            Runnable onSettled) {
        this.channel = channel;
        this.deliveryTag = deliveryTag;
        this.body = body;
        this.properties = properties;
        this.redelivered = redelivered;
        this.onSettled = onSettled;
    }

    public byte[] body() {
        return body;
    }

    public AMQP.BasicProperties properties() {
        return properties;
    }

    /** Whether the broker handed this message out before (a crash or lost link since). */
    public boolean redelivered() {
        return redelivered;
    }

    /** Done with it: the broker may forget the message. */
    public void ack() {
        settle(true);
    }

    /** Not done: the broker gives the message to a consumer again. */
    public void requeue() {
        settle(false);
    }

    private void settle(boolean ack) {
        if (!settled.compareAndSet(false, true)) {
            return;
        }
        try {
            if (ack) {
                channel.basicAck(deliveryTag, false);
            } else {
                channel.basicNack(deliveryTag, false, true);
            }
        } catch (IOException | RuntimeException e) {
            log.debug("could not {} delivery {}: {}; the broker will redeliver it", ack ? "ack" : "requeue", deliveryTag,
                    e.getMessage());
        } finally {
            onSettled.run();
        }
    }
}
