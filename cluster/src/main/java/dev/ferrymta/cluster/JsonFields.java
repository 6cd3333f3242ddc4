package dev.ferrymta.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferrymta.relay.config.ValueType;
import dev.ferrymta.relay.message.MessageParser;
import dev.ferrymta.relay.settings.IpLiteral;
import java.net.InetAddress;
import java.net.URI;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Typed reads of the fields of one JSON object, each throwing {@link IllegalArgumentException} with
 * a message that names the field and quotes at most a short piece of the bad value.
 */
final class JsonFields {

    private static final ValueType<URI> HTTP_URL = ValueType.httpUrl();

    private final ObjectNode json;

    JsonFields(ObjectNode json) {
        this.json = json;
    }

    boolean has(String field) {
        var node = json.get(field);
        return node != null && !node.isNull();
    }

    Optional<String> optionalText(String field) {
        if (!has(field)) {
            return Optional.empty();
        }
        return Optional.of(text(field));
    }

    String text(String field) {
        var node = required(field);
        if (!node.isTextual()) {
            throw new IllegalArgumentException("\"" + field + "\" must be a string, not " + kind(node));
        }
        var text = node.textValue();
        if (text.length() > ClusterCodec.MAX_TEXT_CHARS) {
            throw new IllegalArgumentException("\"" + field + "\" is longer than " + ClusterCodec.MAX_TEXT_CHARS + " characters");
        }
        return text;
    }

    void requireTrue(String field) {
        var node = required(field);
        if (!node.isBoolean() || !node.booleanValue()) {
            throw new IllegalArgumentException("\"" + field + "\" must be true, not " + shorten(node.toString(), 64));
        }
    }

    ServerId serverId(String field) {
        var text = text(field);
        if (!ServerId.isValid(text)) {
            throw new IllegalArgumentException("\"" + field + "\" is not a valid server id: '" + shorten(text, 64) + "'");
        }
        return new ServerId(text);
    }

    List<InetAddress> ips(String field, int max) {
        var node = required(field);
        if (!node.isArray()) {
            throw new IllegalArgumentException("\"" + field + "\" must be an array of IP addresses, not " + kind(node));
        }
        if (node.size() > max) {
            throw new IllegalArgumentException("\"" + field + "\" holds " + node.size() + " addresses, more than " + max);
        }
        var ips = new ArrayList<InetAddress>(node.size());
        for (var element : node) {
            if (!element.isTextual()) {
                throw new IllegalArgumentException("\"" + field + "\" must hold IP address strings, not " + kind(element));
            }
            try {
                ips.add(IpLiteral.parse(element.textValue()));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("\"" + field + "\" holds '" + shorten(element.textValue(), 64) + "', which is not an IP address");
            }
        }
        return ips;
    }

    URI httpUrl(String field) {
        var text = text(field);
        try {
            return HTTP_URL.parse().apply(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("\"" + field + "\" must be an http:// or https:// URL, not '" + shorten(text, 64) + "'");
        }
    }

    long wholeNumber(String field) {
        var node = required(field);
        if (!node.isIntegralNumber() || !node.canConvertToLong() || node.longValue() < 0) {
            throw new IllegalArgumentException("\"" + field + "\" must be a whole number of at least 0, not " + shorten(node.toString(), 64));
        }
        return node.longValue();
    }

    Instant instant(String field) {
        var text = text(field);
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("\"" + field + "\" must be a UTC time such as 2026-11-22T01:00:00Z, not '" + shorten(text, 64) + "'");
        }
    }

    /** An object of whole numbers; absent means empty, since counters are for display only. */
    Map<String, Long> counters(String field, int max) {
        if (!has(field)) {
            return Map.of();
        }
        var node = json.get(field);
        if (!node.isObject()) {
            throw new IllegalArgumentException("\"" + field + "\" must be an object of counters, not " + kind(node));
        }
        if (node.size() > max) {
            throw new IllegalArgumentException("\"" + field + "\" holds " + node.size() + " entries, more than " + max);
        }
        var counters = new LinkedHashMap<String, Long>();
        for (var entry : node.properties()) {
            var name = entry.getKey();
            var value = entry.getValue();
            if (name.isEmpty() || name.length() > ClusterCodec.MAX_TEXT_CHARS) {
                throw new IllegalArgumentException("\"" + field + "\" has a name that is empty or longer than "
                        + ClusterCodec.MAX_TEXT_CHARS + " characters");
            }
            if (!value.isIntegralNumber() || !value.canConvertToLong()) {
                throw new IllegalArgumentException("\"" + field + "\" entry '" + shorten(name, 64) + "' must be a whole number, not "
                        + shorten(value.toString(), 64));
            }
            counters.put(name, value.longValue());
        }
        return counters;
    }

    private JsonNode required(String field) {
        var node = json.get(field);
        if (node == null || node.isNull()) {
            throw new IllegalArgumentException("\"" + field + "\" is missing");
        }
        return node;
    }

    static String kind(JsonNode node) {
        return MessageParser.kind(node);
    }

    /** At most {@code max} characters of hostile text, with control characters replaced, fit for a log line. */
    static String shorten(String text, int max) {
        var cut = text.length() > max ? text.substring(0, max) + "..." : text;
        var safe = new StringBuilder(cut.length());
        cut.codePoints().forEach(c -> safe.appendCodePoint(Character.isISOControl(c) ? '?' : c));
        return safe.toString();
    }
}
