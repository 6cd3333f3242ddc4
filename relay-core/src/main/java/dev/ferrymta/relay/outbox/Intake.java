package dev.ferrymta.relay.outbox;

import dev.ferrymta.relay.broker.InboundMessage;
import dev.ferrymta.relay.broker.WatchedConsumer;

/**
 * A way into the delivery pipeline for messages that do not come from the outbox consumer: what
 * peers forwarded here, and what is drained from a departed peer's forward queue. Besides taking a
 * message, it can refuse one with a failure result, so a message that cannot be trusted still
 * ends in a result and is never dropped unseen.
 */
public interface Intake extends WatchedConsumer.Handler {

    /**
     * Settles {@code message} with a failure result whose closing {@code process} entry says
     * {@code reason} (a message that does not parse gets the invalid-message result), and acks it
     * once the result is confirmed.
     */
    void refuse(InboundMessage message, String reason);
}
