package dev.ferrymta.relay.message;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferrymta.relay.mail.MailAddress;
import dev.ferrymta.relay.settings.IpLiteral;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Parses and validates outbox messages in MailerQ's JSON format. A pure function of the bytes:
 * every problem becomes {@link ParsedMessage.Invalid} with a description naming the field, never
 * an exception.
 */
public final class MessageParser {

    /** MailerQ's time format, always UTC. */
    public static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    /** Large enough for a big message with attachments, small enough to bound a hostile body. */
    static final int MAX_MIME_CHARS = 100 * 1024 * 1024;

    private static final ObjectMapper JSON = mapper();

    private MessageParser() {
    }

    /** The mapper every JSON reader of messages shares, with limits for hostile input. */
    public static ObjectMapper mapper() {
        var mapper = new ObjectMapper();
        mapper.getFactory().setStreamReadConstraints(StreamReadConstraints.builder()
                .maxStringLength(MAX_MIME_CHARS)
                .maxNestingDepth(64)
                .build());
        return mapper;
    }

    /** Parses one outbox body. */
    public static ParsedMessage parse(byte[] body) {
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (JsonProcessingException e) {
            return new ParsedMessage.Invalid("the message is not valid JSON: " + e.getOriginalMessage(), Optional.empty());
        } catch (IOException e) {
            return new ParsedMessage.Invalid("the message cannot be read: " + e.getMessage(), Optional.empty());
        }
        if (root == null || !root.isObject()) {
            return new ParsedMessage.Invalid("the message is not a JSON object", Optional.empty());
        }
        var json = (ObjectNode) root;
        try {
            return new ParsedMessage.Valid(read(json));
        } catch (IllegalArgumentException e) {
            return new ParsedMessage.Invalid(e.getMessage(), Optional.of(json));
        }
    }

    private static OutboxMessage read(ObjectNode json) {
        for (var property : MailerQProperty.values()) {
            var refusal = property.refusal(json.get(property.key()));
            if (refusal.isPresent()) {
                throw new IllegalArgumentException(refusal.get());
            }
        }
        // MailerQ: without an envelope the message goes with the null sender, MAIL FROM:<>.
        var envelope = text(json, "envelope", false).orElse("").strip();
        var recipient = text(json, "recipient", true).orElseThrow();
        var edits = HeaderEdits.parse(json.get("headers"));
        return new OutboxMessage(
                json,
                envelope.isEmpty() || envelope.equals("<>") ? Optional.empty() : Optional.of(address("envelope", envelope)),
                address("recipient", recipient),
                edits.apply(text(json, "mime", true).orElseThrow()),
                ips(json),
                text(json, "pool", false).filter(p -> !p.isEmpty()),
                time(json.get("maxdelivertime"), "maxdelivertime"),
                positive(json, "maxattempts"),
                retries(json),
                notBefore(json),
                queues(json),
                security(json),
                truthy(json, "keepmime"),
                attempts(json),
                DkimProperty.parse(json.get("dkim")),
                DsnRequest.parse(json.get("dsn")),
                tags(json),
                priority(json),
                Smarthost.parse(json.get("smarthost")));
    }

    private static int priority(ObjectNode json) {
        var node = json.get("priority");
        if (node == null || node.isNull()) {
            return 0;
        }
        if (!node.isIntegralNumber() || !node.canConvertToInt() || node.intValue() < 0 || node.intValue() > 255) {
            throw new IllegalArgumentException("\"priority\" must be a whole number from 0 to 255, not " + shorten(node.toString()));
        }
        return node.intValue();
    }

    /** {@code nextattempt.time} and MailerQ's older {@code delayed}: the later of the two. */
    private static Optional<Instant> notBefore(ObjectNode json) {
        var next = nextAttempt(json);
        var delayed = time(json.get("delayed"), "delayed");
        if (next.isPresent() && delayed.isPresent()) {
            return Optional.of(next.get().isAfter(delayed.get()) ? next.get() : delayed.get());
        }
        return next.isPresent() ? next : delayed;
    }

    private static List<String> tags(ObjectNode json) {
        var node = json.get("tags");
        if (node == null || node.isNull()) {
            return List.of();
        }
        if (node.isTextual()) {
            return List.of(node.textValue());
        }
        if (!node.isArray()) {
            throw new IllegalArgumentException("\"tags\" must be an array of strings, not " + kind(node));
        }
        var tags = new ArrayList<String>();
        for (var element : node) {
            if (!element.isTextual()) {
                throw new IllegalArgumentException("\"tags\" must hold strings, not " + kind(element));
            }
            tags.add(element.textValue());
        }
        return tags;
    }

    private static Optional<String> text(ObjectNode json, String field, boolean required) {
        var node = json.get(field);
        if (node == null || node.isNull()) {
            if (required) {
                throw new IllegalArgumentException("\"" + field + "\" is missing");
            }
            return Optional.empty();
        }
        if (!node.isTextual()) {
            throw new IllegalArgumentException("\"" + field + "\" must be a string, not " + kind(node));
        }
        return Optional.of(node.textValue());
    }

    private static MailAddress address(String field, String text) {
        try {
            return MailAddress.parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("\"" + field + "\" is not a valid address local@domain: '" + shorten(text) + "'");
        }
    }

    private static List<InetAddress> ips(ObjectNode json) {
        var node = json.get("ips");
        if (node == null || node.isNull()) {
            return List.of();
        }
        var texts = new ArrayList<String>();
        if (node.isTextual()) {
            texts.add(node.textValue());
        } else if (node.isArray()) {
            if (node.isEmpty()) {
                // MailerQ: "If the array provided is empty ... this will result in a failed delivery."
                throw new IllegalArgumentException("\"ips\" is an empty array: no IP may send the message "
                        + "(leave \"ips\" out to use the default IPs)");
            }
            for (var element : node) {
                if (!element.isTextual()) {
                    throw new IllegalArgumentException("\"ips\" must hold strings, not " + kind(element));
                }
                texts.add(element.textValue());
            }
        } else {
            throw new IllegalArgumentException("\"ips\" must be an array of IP addresses, not " + kind(node));
        }
        var ips = new ArrayList<InetAddress>();
        for (var text : texts) {
            try {
                var ip = IpLiteral.parse(text.strip());
                if (!ips.contains(ip)) {
                    ips.add(ip);
                }
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("\"ips\": " + e.getMessage());
            }
        }
        return ips;
    }

    private static Optional<Instant> time(JsonNode node, String field) {
        if (node == null || node.isNull()) {
            return Optional.empty();
        }
        if (!node.isTextual()) {
            throw new IllegalArgumentException("\"" + field + "\" must be a time string \"YYYY-MM-DD HH:MM:SS\" (UTC), not " + kind(node));
        }
        try {
            return Optional.of(LocalDateTime.parse(node.textValue().strip(), TIME).toInstant(ZoneOffset.UTC));
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("\"" + field + "\" is not a time of the form \"YYYY-MM-DD HH:MM:SS\" (UTC): '"
                    + shorten(node.textValue()) + "'");
        }
    }

    private static Optional<Instant> nextAttempt(ObjectNode json) {
        var node = json.get("nextattempt");
        if (node == null || node.isNull()) {
            return Optional.empty();
        }
        if (!node.isObject()) {
            throw new IllegalArgumentException("\"nextattempt\" must be an object {\"time\": ...}, not " + kind(node));
        }
        return time(node.get("time"), "nextattempt.time");
    }

    private static OptionalInt positive(ObjectNode json, String field) {
        var node = json.get(field);
        if (node == null || node.isNull()) {
            return OptionalInt.empty();
        }
        if (!node.canConvertToInt() || !node.isIntegralNumber() || node.intValue() < 1) {
            throw new IllegalArgumentException("\"" + field + "\" must be a whole number of at least 1, not " + shorten(node.toString()));
        }
        return OptionalInt.of(node.intValue());
    }

    private static List<Duration> retries(ObjectNode json) {
        var node = json.get("retries");
        if (node == null || node.isNull()) {
            return List.of();
        }
        if (!node.isArray()) {
            throw new IllegalArgumentException("\"retries\" must be an array of seconds, not " + kind(node));
        }
        var retries = new ArrayList<Duration>();
        for (var element : node) {
            if (!element.isIntegralNumber() || !element.canConvertToInt() || element.intValue() < 1) {
                throw new IllegalArgumentException("\"retries\" must hold whole numbers of seconds of at least 1, not "
                        + shorten(element.toString()));
            }
            retries.add(Duration.ofSeconds(element.intValue()));
        }
        return retries;
    }

    /**
     * The result queues a message names in {@code "queues"} (MailerQ's JSON messages: a queue name
     * per result kind, {@code null} or {@code ""} to send none there), for a message refused for
     * something else: its own queues when they are valid, else the configured ones
     * ({@link QueueOverrides#NONE}), since a refused message still gets its result somewhere.
     */
    public static QueueOverrides queuesOrConfigured(ObjectNode json) {
        try {
            return queues(json);
        } catch (IllegalArgumentException invalid) {
            return QueueOverrides.NONE;
        }
    }

    private static QueueOverrides queues(ObjectNode json) {
        var node = json.get("queues");
        if (node == null || node.isNull()) {
            return QueueOverrides.NONE;
        }
        if (!node.isObject()) {
            throw new IllegalArgumentException("\"queues\" must be an object, not " + kind(node));
        }
        var dsnQueue = node.get("dsn");
        if (dsnQueue != null && !dsnQueue.isNull() && !(dsnQueue.isTextual() && dsnQueue.textValue().isEmpty())) {
            throw new IllegalArgumentException("\"queues.dsn\" is not supported by Ferry: its failure notices go to the outbox "
                    + "queue, to be delivered like any message");
        }
        return new QueueOverrides(override(node, "results"), override(node, "success"), override(node, "failure"),
                override(node, "retry"));
    }

    private static QueueOverrides.Override override(JsonNode queues, String kind) {
        if (!queues.has(kind)) {
            return QueueOverrides.Override.CONFIGURED;
        }
        var node = queues.get(kind);
        if (node.isNull() || (node.isTextual() && node.textValue().isEmpty())) {
            return QueueOverrides.Override.DISABLED;
        }
        if (!node.isTextual() || node.textValue().length() > 255 || node.textValue().startsWith("amq.")) {
            throw new IllegalArgumentException("\"queues." + kind + "\" must be a queue name or null, not " + shorten(node.toString()));
        }
        return QueueOverrides.Override.to(node.textValue());
    }

    private static Security security(ObjectNode json) {
        var node = json.get("security");
        if (node == null || node.isNull()) {
            return Security.OPPORTUNISTIC;
        }
        if (!node.isTextual()) {
            throw new IllegalArgumentException("\"security\" must be a string, not " + kind(node));
        }
        return Security.parse(node.textValue()).orElseThrow(() -> new IllegalArgumentException(
                "\"security\" must be one of none, opportunistic, required, verified, not '" + shorten(node.textValue()) + "'"));
    }

    /** A flag as MailerQ takes it: true, a non-zero number, "1", "true", "yes", "on"; false, 0, "", "0", "false", "no", "off". */
    private static boolean truthy(ObjectNode json, String field) {
        var node = json.get(field);
        if (node == null || node.isNull()) {
            return false;
        }
        if (node.isBoolean()) {
            return node.booleanValue();
        }
        if (node.isNumber()) {
            return node.doubleValue() != 0;
        }
        if (node.isTextual()) {
            switch (node.textValue().strip().toLowerCase(java.util.Locale.ROOT)) {
                case "1", "true", "yes", "on" -> {
                    return true;
                }
                case "", "0", "false", "no", "off" -> {
                    return false;
                }
                default -> {
                }
            }
        }
        throw new IllegalArgumentException("\"" + field + "\" must be true or false (or 1, 0, \"yes\", \"no\"), not "
                + shorten(node.toString()));
    }

    private static int attempts(ObjectNode json) {
        var node = json.get("results");
        if (node == null || node.isNull()) {
            return 0;
        }
        if (!node.isArray()) {
            throw new IllegalArgumentException("\"results\" must be an array of earlier attempts, not " + kind(node));
        }
        return node.size();
    }

    /** What a JSON value is, as an error message says it: "an array", "a number". */
    public static String kind(JsonNode node) {
        return switch (node.getNodeType()) {
            case ARRAY -> "an array";
            case OBJECT -> "an object";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            case STRING -> "a string";
            default -> node.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
        };
    }

    /** Keeps hostile values from filling a result's description or the log. */
    private static String shorten(String text) {
        return text.length() > 64 ? text.substring(0, 64) + "..." : text;
    }
}
