package dev.ferrymta.relay.outbox;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferrymta.relay.attempt.Attempt;
import dev.ferrymta.relay.message.MessageParser;
import java.net.InetAddress;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

/**
 * Builds the JSON that leaves the relay, in MailerQ's format: a result is the message as it came,
 * every unknown key included, with the attempts appended to {@code "results"} and the MIME
 * stripped unless {@code "keepmime"}; a retry is the whole message again, MIME kept, with the
 * attempt appended and {@code "nextattempt"} set. A pure function of its inputs.
 */
public final class ResultJson {

    private ResultJson() {
    }

    /**
     * A result for the result queues.
     *
     * @param message  the message as received (not changed)
     * @param attempts the attempts to append, oldest first
     * @param keepMime whether to keep {@code "mime"}
     */
    public static ObjectNode result(ObjectNode message, List<Attempt> attempts, boolean keepMime) {
        var copy = withAttempts(message, attempts);
        if (!keepMime) {
            copy.remove("mime");
        }
        return copy;
    }

    /** The message to put back on the outbox (through a delay queue) for its next attempt. */
    public static ObjectNode retry(ObjectNode message, List<Attempt> attempts, Instant nextAttempt) {
        var copy = withAttempts(message, attempts);
        copy.putObject("nextattempt").put("time", time(nextAttempt));
        return copy;
    }

    /** One attempt as an entry of {@code "results"}: every key present, {@code null} where unknown. */
    public static ObjectNode attempt(Attempt attempt) {
        var node = JsonNodeFactory.instance.objectNode();
        node.put("state", attempt.state().json());
        node.put("result", attempt.result().json());
        node.put("time", time(attempt.time()));
        node.put("from", attempt.from().map(InetAddress::getHostAddress).orElse(null));
        node.put("to", attempt.to().map(InetAddress::getHostAddress).orElse(null));
        node.put("mta", attempt.mta().orElse(null));
        if (attempt.code().isPresent()) {
            node.put("code", attempt.code().getAsInt());
        } else {
            node.putNull("code");
        }
        node.put("status", attempt.status().orElse(null));
        node.put("description", attempt.description());
        if (!attempt.dkim().isEmpty()) {
            var dkim = node.putArray("dkim");
            attempt.dkim().forEach(dkim::add);
        }
        attempt.dsn().ifPresent(dsn -> node.put("dsn", dsn));
        return node;
    }

    /** MailerQ's time format, UTC. */
    public static String time(Instant instant) {
        return MessageParser.TIME.format(instant.atOffset(ZoneOffset.UTC));
    }

    private static ObjectNode withAttempts(ObjectNode message, List<Attempt> attempts) {
        var copy = message.deepCopy();
        ArrayNode results = copy.get("results") instanceof ArrayNode existing ? existing : copy.putArray("results");
        attempts.forEach(attempt -> results.add(attempt(attempt)));
        return copy;
    }
}
