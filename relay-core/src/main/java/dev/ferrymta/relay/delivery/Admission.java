package dev.ferrymta.relay.delivery;

import java.time.Instant;

/** Whether a lane took a message, and if not, when to bring it back. */
public sealed interface Admission {

    /** The lane has the message; it will call the job back. */
    record Accepted() implements Admission {
    }

    /**
     * Not now: the lane is paused or has more waiting than it can send soon. Holding the message
     * would take prefetch from other domains, so it goes back through a delay queue unattempted.
     */
    record Deferred(Instant notBefore, String why) implements Admission {
    }

    /** The one {@link Accepted}. */
    Admission ACCEPTED = new Accepted();
}
