package dev.ferrymta.relay.outbox;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferrymta.relay.attempt.Attempt;
import dev.ferrymta.relay.attempt.AttemptResult;
import dev.ferrymta.relay.attempt.AttemptState;
import dev.ferrymta.relay.mail.Domain;
import dev.ferrymta.relay.message.OutboxMessage;
import java.net.InetAddress;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * One outcome this instance published, as the console lists it: the last entry of the message's
 * {@code "results"} (or the forward), with the recipient and the outcome beside it. Texts that
 * come from outside (the recipient of an invalid message, a server's reply) are cut to a bounded
 * length, so that a full buffer stays small whatever the messages and servers send.
 *
 * @param time        when it was decided: the time of the last attempt, or when the forward was confirmed
 * @param outcome     what became of the message
 * @param recipient   the recipient as the message names it; empty when an invalid message names none
 * @param domain      the recipient's domain, when it is a domain name
 * @param sourceIp    the local IP the last attempt went out from, once one was chosen
 * @param remoteIp    the receiving server's IP, once connected
 * @param state       the step the last entry of {@code "results"} ended at; empty for a forward, which adds no entry
 * @param result      how that step went; empty for a forward
 * @param code        the SMTP reply code, when there was a reply
 * @param status      the enhanced status code, when the server gave one
 * @param description a human explanation
 * @param attempts    delivery attempts made so far, this one included (0 for an invalid message)
 * @param mta         the receiving server's greeting name
 */
public record RecentResult(Instant time, Outcome outcome, Optional<String> recipient, Optional<Domain> domain,
        Optional<InetAddress> sourceIp, Optional<InetAddress> remoteIp, Optional<AttemptState> state,
        Optional<AttemptResult> result, OptionalInt code, Optional<String> status, String description, int attempts,
        Optional<String> mta) {

    /** Longest description kept: a server's reply may run to many lines. */
    static final int MAX_DESCRIPTION_CHARS = 1000;

    /** Longest recipient kept (an address is at most 254 characters; an invalid one may be anything). */
    static final int MAX_RECIPIENT_CHARS = 320;

    /** What became of a message, as the console filters on it. */
    public enum Outcome {
        /** Accepted by the receiving server (a success result). */
        DELIVERED,
        /** Failed for good: a permanent reply, or the message's limits reached (a failure result). */
        FAILED,
        /** Failed for now, back through a delay queue for another attempt (a retry result). */
        RETRY,
        /** Not a valid message at all (a {@code process}/{@code invalid} failure result). */
        INVALID,
        /** Handed to the instance of the cluster that owns its source IP, which delivers it. */
        FORWARDED;

        /** The name in the console's JSON: lower case. */
        public String json() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * An outcome that ends with an entry in the message's {@code "results"}.
     *
     * @param attempts delivery attempts made so far, this one included
     * @param last     the last entry published
     */
    static RecentResult of(Outcome outcome, OutboxMessage message, int attempts, Attempt last) {
        return new RecentResult(last.time(), outcome, Optional.of(message.recipient().toString()),
                Optional.of(message.recipient().domain()), last.from(), last.to(), Optional.of(last.state()),
                Optional.of(last.result()), last.code(), last.status(), shorten(last.description(), MAX_DESCRIPTION_CHARS),
                attempts, last.mta());
    }

    /** A body that is not a valid message: its recipient as far as it names one. */
    static RecentResult invalid(Optional<ObjectNode> json, Attempt attempt) {
        var recipient = json.map(body -> body.get("recipient")).filter(node -> node.isTextual())
                .map(node -> shorten(node.textValue().strip(), MAX_RECIPIENT_CHARS));
        return new RecentResult(attempt.time(), Outcome.INVALID, recipient, recipient.flatMap(RecentResult::domainOf),
                Optional.empty(), Optional.empty(), Optional.of(attempt.state()), Optional.of(attempt.result()), OptionalInt.empty(),
                Optional.empty(), shorten(attempt.description(), MAX_DESCRIPTION_CHARS), 0, Optional.empty());
    }

    /** Handed to the owner of one of {@code ips}, confirmed at {@code time}. */
    static RecentResult forwarded(OutboxMessage message, List<InetAddress> ips, Instant time) {
        return new RecentResult(time, Outcome.FORWARDED, Optional.of(message.recipient().toString()),
                Optional.of(message.recipient().domain()), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                OptionalInt.empty(), Optional.empty(), "forwarded to the instance that owns " + PeerRouter.describe(ips),
                message.attempts(), Optional.empty());
    }

    private static Optional<Domain> domainOf(String address) {
        int at = address.lastIndexOf('@');
        if (at < 0) {
            return Optional.empty();
        }
        var text = address.substring(at + 1);
        if (text.endsWith(">")) {
            text = text.substring(0, text.length() - 1);
        }
        try {
            return Optional.of(Domain.parse(text));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static String shorten(String text, int max) {
        return text.length() > max ? text.substring(0, max) + "..." : text;
    }
}
