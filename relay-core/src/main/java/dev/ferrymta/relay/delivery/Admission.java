package dev.ferrymta.relay.delivery;

import java.time.Instant;

/** Whether a lane took a message, and if not, when to bring it back. */
public sealed interface Admission {

    /** The lane has the message; it will call the job back. */
    record Accepted() implements Admission {
    }

    /** Not now: the lane is paused (or the relay stopping); back through a delay queue unattempted. */
    record Deferred(Instant notBefore, String why) implements Admission {
    }

    /**
     * The lane has more waiting than it can send soon. Holding the message would take prefetch
     * from other domains, so an outbox message goes back through a delay queue; a caller that
     * must keep order (forwarded messages) waits and offers again instead.
     */
    record Full(Instant retryAt, String why) implements Admission {
    }

    /** The one {@link Accepted}. */
    Admission ACCEPTED = new Accepted();
}
