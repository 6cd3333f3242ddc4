package dev.ferrymta.cluster;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;

/**
 * Cluster messages to JSON and back. A pure function of the bytes, safe on hostile input: decoding
 * never throws and never does unbounded work. A body over {@value #MAX_BODY_BYTES} bytes is refused
 * before parsing, and every problem becomes {@link Decoded.Rejected} with a reason naming the field.
 * Unknown fields are ignored, so a newer instance may add some.
 */
public final class ClusterCodec {

    /** The largest body decoded; larger ones are refused unread. */
    public static final int MAX_BODY_BYTES = 64 * 1024;
    /** The most addresses an announce may list. */
    public static final int MAX_IPS = 1024;
    /** The most counters an announce may carry. */
    public static final int MAX_STATS = 64;
    /** The longest text field (and stats name), in characters. */
    public static final int MAX_TEXT_CHARS = 1024;
    /** Our messages nest two levels; anything much deeper is an attack or a mistake. */
    static final int MAX_NESTING = 16;

    private static final ObjectMapper JSON = mapper();

    private ClusterCodec() {
    }

    /** What {@link #decode} made of a body. */
    public sealed interface Decoded {

        /** A well-formed message. */
        record Ok(ClusterMessage message) implements Decoded {
        }

        /**
         * A body that is not a cluster message.
         *
         * @param reason what is wrong, naming the field; short, and safe to log (it quotes at most a
         *               few dozen characters of the input)
         */
        record Rejected(String reason) implements Decoded {
        }
    }

    /**
     * The JSON form of a message, UTF-8.
     *
     * @throws IllegalArgumentException when the JSON would exceed {@value #MAX_BODY_BYTES} bytes, so
     *                                  the peers would refuse it
     */
    public static byte[] encode(ClusterMessage message) {
        var json = JSON.createObjectNode();
        switch (message) {
            case ClusterMessage.Announce a -> {
                json.put("type", a.type());
                json.put("server", a.server().value());
                json.put("incarnation", a.incarnation());
                json.put("hostname", a.hostname());
                var ips = json.putArray("ips");
                a.ips().forEach(ip -> ips.add(ipText(ip)));
                json.put("console", a.console().toString());
                json.put("version", a.version());
                json.put("configVersion", a.configVersion());
                json.put("started", a.started().toString());
                var stats = json.putObject("stats");
                a.stats().forEach(stats::put);
            }
            case ClusterMessage.Leave l -> {
                json.put("type", l.type());
                json.put("server", l.server().value());
                json.put("incarnation", l.incarnation());
            }
            case ClusterMessage.Reset r -> {
                json.put("type", r.type());
                json.put("server", r.server().value());
                json.put("configVersion", r.configVersion());
            }
            case ClusterMessage.Reload r -> json.put("reload", true);
            case ClusterMessage.Hello h -> json.put("hello", true);
        }
        byte[] body;
        try {
            body = JSON.writeValueAsBytes(json);
        } catch (JsonProcessingException e) {
            // A tree of strings and numbers always serialises; this would be a bug in Jackson.
            throw new UncheckedIOException(e);
        }
        if (body.length > MAX_BODY_BYTES) {
            throw new IllegalArgumentException("the " + message.type() + " message would be " + body.length
                    + " bytes, more than the " + MAX_BODY_BYTES + " the peers accept");
        }
        return body;
    }

    /** Reads one body from the control queue. Never throws. */
    public static Decoded decode(byte[] body) {
        if (body == null || body.length == 0) {
            return new Decoded.Rejected("the body is empty");
        }
        if (body.length > MAX_BODY_BYTES) {
            return new Decoded.Rejected("the body is " + body.length + " bytes, more than " + MAX_BODY_BYTES);
        }
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (JsonProcessingException e) {
            return new Decoded.Rejected("the body is not valid JSON: " + JsonFields.shorten(String.valueOf(e.getOriginalMessage()), 200));
        } catch (IOException e) {
            return new Decoded.Rejected("the body cannot be read: " + JsonFields.shorten(String.valueOf(e.getMessage()), 200));
        }
        if (root == null || !root.isObject()) {
            return new Decoded.Rejected("the body is not a JSON object");
        }
        try {
            return new Decoded.Ok(read(new JsonFields((ObjectNode) root)));
        } catch (IllegalArgumentException e) {
            return new Decoded.Rejected(e.getMessage());
        } catch (RuntimeException e) {
            // The control consumer must survive any body; a bug here still shows up in the reason.
            return new Decoded.Rejected("the body cannot be read: " + e);
        }
    }

    private static ClusterMessage read(JsonFields json) {
        var type = json.optionalText("type");
        if (type.isEmpty()) {
            if (json.has("reload")) {
                json.requireTrue("reload");
                return new ClusterMessage.Reload();
            }
            if (json.has("hello")) {
                json.requireTrue("hello");
                return new ClusterMessage.Hello();
            }
            throw new IllegalArgumentException("\"type\" is missing");
        }
        return switch (type.get()) {
            case "announce" -> new ClusterMessage.Announce(
                    json.serverId("server"),
                    json.text("incarnation"),
                    json.text("hostname"),
                    json.ips("ips", MAX_IPS),
                    json.httpUrl("console"),
                    json.text("version"),
                    json.wholeNumber("configVersion"),
                    json.instant("started"),
                    json.counters("stats", MAX_STATS));
            case "leave" -> new ClusterMessage.Leave(json.serverId("server"), json.text("incarnation"));
            case "reset" -> new ClusterMessage.Reset(json.serverId("server"), json.wholeNumber("configVersion"));
            case "reload" -> new ClusterMessage.Reload();
            case "hello" -> new ClusterMessage.Hello();
            default -> throw new IllegalArgumentException("\"type\" is unknown: '" + JsonFields.shorten(type.get(), 64) + "'");
        };
    }

    /** An address as text, without an IPv6 scope (which means nothing to another host). */
    private static String ipText(InetAddress ip) {
        var text = ip.getHostAddress();
        int scope = text.indexOf('%');
        return scope < 0 ? text : text.substring(0, scope);
    }

    private static ObjectMapper mapper() {
        var factory = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(MAX_NESTING)
                        .maxNumberLength(32)
                        .maxStringLength(MAX_BODY_BYTES)
                        .maxDocumentLength(MAX_BODY_BYTES)
                        .build())
                .build();
        var mapper = new ObjectMapper(factory);
        mapper.enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        return mapper;
    }
}
