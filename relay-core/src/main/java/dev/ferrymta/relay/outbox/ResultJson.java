package dev.ferrymta.relay.outbox;

import dev.ferrymta.relay.bounce.BounceCategory;
import dev.ferrymta.relay.bounce.BounceRules;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferrymta.relay.attempt.Attempt;
import dev.ferrymta.relay.message.MessageParser;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
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

    /**
     * {@link #result} as the bytes that are published, written straight from the message as
     * received: no copy of its tree is made (issue 19: a copy per result, then its serialisation,
     * was a measurable part of a delivered message's CPU). The same bytes as serialising
     * {@link #result} with {@code mapper}: the keys in their order, {@code "mime"} left out unless
     * {@code keepMime}, the attempts appended to {@code "results"} where it stands (put last when
     * the message has none, and in place of a {@code "results"} that is not an array).
     */
    public static byte[] resultBytes(ObjectMapper mapper, ObjectNode message, List<Attempt> attempts, boolean keepMime) {
        var out = new ByteArrayOutputStream(256 + (keepMime ? message.path("mime").asText("").length() : 0) + 320 * attempts.size());
        try (var json = mapper.getFactory().createGenerator(out)) {
            json.setCodec(mapper);
            json.writeStartObject();
            boolean appended = false;
            for (var field : message.properties()) {
                var name = field.getKey();
                if (name.equals("mime") && !keepMime) {
                    continue;
                }
                json.writeFieldName(name);
                if (name.equals("results")) {
                    writeResults(json, field.getValue() instanceof ArrayNode earlier ? earlier : null, attempts);
                    appended = true;
                } else {
                    json.writeTree(field.getValue());
                }
            }
            if (!appended) {
                json.writeFieldName("results");
                writeResults(json, null, attempts);
            }
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("a result could not be written", e);
        }
        return out.toByteArray();
    }

    private static void writeResults(JsonGenerator json, ArrayNode earlier, List<Attempt> attempts) throws IOException {
        json.writeStartArray();
        if (earlier != null) {
            for (var entry : earlier) {
                json.writeTree(entry);
            }
        }
        for (var attempt : attempts) {
            json.writeTree(attempt(attempt));
        }
        json.writeEndArray();
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
