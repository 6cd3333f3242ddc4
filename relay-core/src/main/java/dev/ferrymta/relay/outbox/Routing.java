package dev.ferrymta.relay.outbox;

import dev.ferrymta.relay.attempt.Attempt;
import dev.ferrymta.relay.attempt.AttemptResult;
import dev.ferrymta.relay.delivery.LaneKey;
import dev.ferrymta.relay.message.OutboxMessage;
import dev.ferrymta.relay.message.ParsedMessage;
import java.net.InetAddress;
import java.time.Instant;
import java.util.List;

/**
 * What is to become of an outbox message, as {@link OutboxRouting} decides it: a value, acted on
 * by the {@link OutboxHandler}.
 */
public sealed interface Routing {

    /** Not a valid message: a {@code process}/{@code invalid} failure result. */
    record Invalid(ParsedMessage.Invalid invalid) implements Routing {
    }

    /**
     * Not to be attempted (again): a failure result with a closing {@code process} entry.
     *
     * @param result {@code timeout} for a limit reached, {@code invalid} for a message too large
     */
    record GiveUp(OutboxMessage message, AttemptResult result, String reason) implements Routing {
    }

    /** Not yet: back through a delay queue until {@code notBefore}, unattempted. */
    record Defer(OutboxMessage message, Instant notBefore, String why) implements Routing {
    }

    /** Cannot be sent now for a reason of its own (no source IP): a temporary failure, retried later. */
    record Retry(OutboxMessage message, Attempt attempt) implements Routing {
    }

    /** None of its source IPs is owned here: to the live instance that owns one. */
    record Forward(OutboxMessage message, List<InetAddress> ips) implements Routing {
        public Forward {
            ips = List.copyOf(ips);
        }
    }

    /** Sent from here: into the lane of {@code key}. */
    record DeliverHere(OutboxMessage message, LaneKey key) implements Routing {
    }
}
