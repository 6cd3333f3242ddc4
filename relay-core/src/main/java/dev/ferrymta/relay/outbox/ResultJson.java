package dev.ferrymta.relay.outbox;

import dev.ferrymta.relay.bounce.BounceCategory;
import dev.ferrymta.relay.bounce.BounceRules;
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

    /**
     * One attempt as an entry of {@code "results"}, as MailerQ writes it: {@code state},
     * {@code result}, {@code time} and {@code description} always; {@code from}, {@code to},
     * {@code mta}, {@code code}, {@code status} when known; {@code messages} and {@code dsn} once
     * a message went over a session; {@code cipher} and {@code certificate} for a TLS session;
     * {@code dkim} when the message was signed; {@code category} (a {@link dev.ferrymta.relay.bounce.BounceCategory})
     * when it was not accepted. Keys that do not apply are left out, never null.
     */
    public static ObjectNode attempt(Attempt attempt) {
        var node = JsonNodeFactory.instance.objectNode();
        node.put("state", attempt.state().json());
        node.put("result", attempt.result().json());
        node.put("time", time(attempt.time()));
        attempt.from().ifPresent(from -> node.put("from", from.getHostAddress()));
        attempt.to().ifPresent(to -> node.put("to", to.getHostAddress()));
        attempt.mta().ifPresent(mta -> node.put("mta", mta));
        attempt.code().ifPresent(code -> node.put("code", code));
        attempt.status().ifPresent(status -> node.put("status", status));
        node.put("description", attempt.description());
        attempt.category().or(() -> BounceRules.shipped().categorize(attempt).map(BounceCategory::json))
                .ifPresent(category -> node.put("category", category));
        if (!attempt.dkim().isEmpty()) {
            var dkim = node.putArray("dkim");
            attempt.dkim().forEach(dkim::add);
        }
        attempt.session().ifPresent(session -> {
            node.put("messages", session.messages());
            node.put("dsn", session.dsn());
            session.authentication().ifPresent(mechanism -> node.put("authentication", mechanism));
            session.tls().ifPresent(tls -> {
                var cipher = node.putObject("cipher");
                cipher.put("name", tls.cipher());
                cipher.put("version", tls.version());
                cipher.put("bits", tls.bits());
                var certificate = node.putObject("certificate");
                certificate.put("subject", tls.subject());
                certificate.put("issuer", tls.issuer());
                certificate.put("notbefore", time(tls.notBefore()));
                certificate.put("notafter", time(tls.notAfter()));
                certificate.put("verified", tls.verified());
            });
        });
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
