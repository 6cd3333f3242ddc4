package dev.ferrymta.relay.delivery;

import dev.ferrymta.relay.attempt.DeliveryOutcome;
import dev.ferrymta.relay.message.OutboxMessage;
import java.time.Instant;

/**
 * One message waiting in a lane, and what to do when the lane is done with it. Exactly one of
 * {@link #completed}, {@link #deferred}, {@link #abandoned} is called, once, unless {@link #begin}
 * returned false.
 */
public interface DeliveryJob {

    /** The message to deliver. */
    OutboxMessage message();

    /**
     * Called right before the SMTP transaction starts. False: the message can no longer be
     * settled (the channel it came on was lost, so the broker hands it out again); the lane drops
     * it unsent and calls nothing else.
     */
    boolean begin();

    /** The attempt is over: publish the outcome, then ack. */
    void completed(DeliveryOutcome outcome);

    /** Not attempted, and not to be before {@code notBefore} (a pause): back through a delay queue. */
    void deferred(Instant notBefore, String why);

    /** Not attempted because the relay is stopping: hand the message back to the outbox as it is. */
    void abandoned();
}
