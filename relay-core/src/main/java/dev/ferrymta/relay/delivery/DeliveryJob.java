package dev.ferrymta.relay.delivery;

import dev.ferrymta.relay.message.OutboxMessage;
import java.time.Instant;

/**
 * One message waiting in a lane, and what to do when the lane is done with it. Exactly one of
 * the three methods is called, once.
 */
public interface DeliveryJob {

    /** The message to deliver. */
    OutboxMessage message();

    /** The attempt is over: publish the outcome, then ack. */
    void completed(DeliveryOutcome outcome);

    /** Not attempted, and not to be before {@code notBefore} (a pause): back through a delay queue. */
    void deferred(Instant notBefore, String why);

    /** Not attempted because the relay is stopping: hand the message back to the outbox as it is. */
    void abandoned();
}
