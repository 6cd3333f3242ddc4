package dev.ferrymta.cluster;

import static dev.ferrymta.cluster.Messages.announce;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.Inet6Address;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class ClusterCodecTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The announce of the design, as a peer would send it. */
    private static final String ANNOUNCE = """
            {"type":"announce","server":"a","incarnation":"4f1c","hostname":"mail1.example.com",
             "ips":["127.0.0.2","2001:db8::10"],"console":"http://mail1.example.com:8485/","version":"0.1.0",
             "configVersion":3,"started":"2026-11-22T01:00:00Z","stats":{"delivered":5,"failed":0}}""";

    private static final ClusterMessage.Announce EXPECTED = new ClusterMessage.Announce(new ServerId("a"), "4f1c",
            "mail1.example.com", Messages.ips("127.0.0.2", "2001:db8::10"), URI.create("http://mail1.example.com:8485/"),
            "0.1.0", 3, Instant.parse("2026-11-22T01:00:00Z"), stats("delivered", 5L, "failed", 0L));

    private static Map<String, Long> stats(String k1, long v1, String k2, long v2) {
        var stats = new LinkedHashMap<String, Long>();
        stats.put(k1, v1);
        stats.put(k2, v2);
        return stats;
    }

    private static ClusterCodec.Decoded decode(String json) {
        return ClusterCodec.decode(json.getBytes(StandardCharsets.UTF_8));
    }

    private static String reason(ClusterCodec.Decoded decoded) {
        assertThat(decoded).isInstanceOf(ClusterCodec.Decoded.Rejected.class);
        return ((ClusterCodec.Decoded.Rejected) decoded).reason();
    }

    /** The example announce with one field replaced by a raw JSON value, or removed when it is null. */
    private static String announceWith(String field, String rawValue) {
        try {
            var json = (ObjectNode) JSON.readTree(ANNOUNCE);
            if (rawValue == null) {
                json.remove(field);
            } else {
                json.set(field, JSON.readTree(rawValue));
            }
            return JSON.writeValueAsString(json);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static Stream<ClusterMessage> everyKind() {
        return Stream.of(
                EXPECTED,
                announce("b", "i2"),
                new ClusterMessage.Leave(new ServerId("a"), "4f1c"),
                new ClusterMessage.Reset(new ServerId("a"), 7),
                new ClusterMessage.Reload(),
                new ClusterMessage.Hello());
    }

    @ParameterizedTest
    @MethodSource("everyKind")
    void decodesWhatItEncodes(ClusterMessage message) {
        assertThat(ClusterCodec.decode(ClusterCodec.encode(message))).isEqualTo(new ClusterCodec.Decoded.Ok(message));
    }

    static Stream<Arguments> wireForms() {
        return Stream.of(
                Arguments.of(EXPECTED, ANNOUNCE),
                Arguments.of(new ClusterMessage.Leave(new ServerId("a"), "4f1c"), "{\"type\":\"leave\",\"server\":\"a\",\"incarnation\":\"4f1c\"}"),
                Arguments.of(new ClusterMessage.Reset(new ServerId("a"), 7), "{\"type\":\"reset\",\"server\":\"a\",\"configVersion\":7}"),
                Arguments.of(new ClusterMessage.Reload(), "{\"reload\":true}"),
                Arguments.of(new ClusterMessage.Hello(), "{\"hello\":true}"));
    }

    @ParameterizedTest
    @MethodSource("wireForms")
    void encodesTheDesignsWireForm(ClusterMessage message, String json) throws Exception {
        var encoded = JSON.readTree(ClusterCodec.encode(message));
        var expected = JSON.readTree(json.replace("2001:db8::10", "2001:db8:0:0:0:0:0:10"));

        assertThat(encoded).isEqualTo(expected);
    }

    @ParameterizedTest
    @MethodSource("wireForms")
    void decodesTheDesignsWireForm(ClusterMessage message, String json) {
        assertThat(decode(json)).isEqualTo(new ClusterCodec.Decoded.Ok(message));
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"reload\":true}", " { \"reload\" : true }\n", "{\"type\":\"reload\"}"})
    void readsAHandWrittenReload(String json) {
        assertThat(decode(json)).isEqualTo(new ClusterCodec.Decoded.Ok(new ClusterMessage.Reload()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"hello\":true}", "{\"hello\":true,\"from\":\"ops\"}", "{\"type\":\"hello\"}"})
    void readsAHandWrittenHello(String json) {
        assertThat(decode(json)).isEqualTo(new ClusterCodec.Decoded.Ok(new ClusterMessage.Hello()));
    }

    static Stream<Arguments> malformedFields() {
        var tooManyIps = IntStream.rangeClosed(0, ClusterCodec.MAX_IPS)
                .mapToObj(i -> "\"10.0." + (i / 256) + "." + (i % 256) + "\"").collect(Collectors.joining(",", "[", "]"));
        var tooManyStats = IntStream.rangeClosed(0, ClusterCodec.MAX_STATS)
                .mapToObj(i -> "\"s" + i + "\":1").collect(Collectors.joining(",", "{", "}"));
        var longText = "\"" + "x".repeat(ClusterCodec.MAX_TEXT_CHARS + 1) + "\"";
        return Stream.of(
                Arguments.of(announceWith("type", "7"), "\"type\" must be a string, not a number"),
                Arguments.of(announceWith("type", "\"explode\""), "\"type\" is unknown: 'explode'"),
                Arguments.of(announceWith("server", null), "\"server\" is missing"),
                Arguments.of(announceWith("server", "null"), "\"server\" is missing"),
                Arguments.of(announceWith("server", "5"), "\"server\" must be a string, not a number"),
                Arguments.of(announceWith("server", "\"bad id!\""), "\"server\" is not a valid server id: 'bad id!'"),
                Arguments.of(announceWith("server", "\"" + "a".repeat(64) + "\""), "\"server\" is not a valid server id"),
                Arguments.of(announceWith("incarnation", null), "\"incarnation\" is missing"),
                Arguments.of(announceWith("incarnation", "\"\""), "\"incarnation\" is empty"),
                Arguments.of(announceWith("incarnation", "{}"), "\"incarnation\" must be a string, not an object"),
                Arguments.of(announceWith("hostname", longText), "\"hostname\" is longer than 1024 characters"),
                Arguments.of(announceWith("ips", null), "\"ips\" is missing"),
                Arguments.of(announceWith("ips", "\"127.0.0.2\""), "\"ips\" must be an array of IP addresses, not a string"),
                Arguments.of(announceWith("ips", "[1]"), "\"ips\" must hold IP address strings, not a number"),
                Arguments.of(announceWith("ips", "[\"127.0.0.2\",[\"127.0.0.3\"]]"), "\"ips\" must hold IP address strings, not an array"),
                Arguments.of(announceWith("ips", "[\"mail.example.com\"]"), "\"ips\" holds 'mail.example.com', which is not an IP address"),
                Arguments.of(announceWith("ips", "[\"256.0.0.1\"]"), "\"ips\" holds '256.0.0.1', which is not an IP address"),
                Arguments.of(announceWith("ips", tooManyIps), "\"ips\" holds 1025 addresses, more than 1024"),
                Arguments.of(announceWith("console", "\"ftp://mail1.example.com/\""), "\"console\" must be an http:// or https:// URL"),
                Arguments.of(announceWith("console", "\"mail1.example.com\""), "\"console\" must be an http:// or https:// URL"),
                Arguments.of(announceWith("console", "\"http://\""), "\"console\" must be an http:// or https:// URL"),
                Arguments.of(announceWith("console", "true"), "\"console\" must be a string, not a boolean"),
                Arguments.of(announceWith("version", null), "\"version\" is missing"),
                Arguments.of(announceWith("configVersion", null), "\"configVersion\" is missing"),
                Arguments.of(announceWith("configVersion", "-1"), "\"configVersion\" must be a whole number of at least 0, not -1"),
                Arguments.of(announceWith("configVersion", "1.5"), "\"configVersion\" must be a whole number of at least 0, not 1.5"),
                Arguments.of(announceWith("configVersion", "\"3\""), "\"configVersion\" must be a whole number of at least 0, not \"3\""),
                Arguments.of(announceWith("configVersion", "99999999999999999999"), "\"configVersion\" must be a whole number of at least 0"),
                Arguments.of(announceWith("started", "\"yesterday\""), "\"started\" must be a UTC time such as 2026-11-22T01:00:00Z, not 'yesterday'"),
                Arguments.of(announceWith("started", "1700000000"), "\"started\" must be a string, not a number"),
                Arguments.of(announceWith("stats", "[]"), "\"stats\" must be an object of counters, not an array"),
                Arguments.of(announceWith("stats", "{\"delivered\":\"5\"}"), "\"stats\" entry 'delivered' must be a whole number, not \"5\""),
                Arguments.of(announceWith("stats", "{\"delivered\":0.5}"), "\"stats\" entry 'delivered' must be a whole number"),
                Arguments.of(announceWith("stats", tooManyStats), "\"stats\" holds 65 entries, more than 64"),
                Arguments.of("{\"type\":\"leave\",\"server\":\"a\"}", "\"incarnation\" is missing"),
                Arguments.of("{\"type\":\"leave\",\"incarnation\":\"x\"}", "\"server\" is missing"),
                Arguments.of("{\"type\":\"reset\",\"server\":\"a\",\"configVersion\":-3}", "\"configVersion\" must be a whole number of at least 0, not -3"),
                Arguments.of("{\"type\":\"reset\",\"server\":\"a\"}", "\"configVersion\" is missing"),
                Arguments.of("{}", "\"type\" is missing"),
                Arguments.of("{\"reload\":false}", "\"reload\" must be true, not false"),
                Arguments.of("{\"reload\":\"yes\"}", "\"reload\" must be true, not \"yes\""),
                Arguments.of("{\"hello\":1}", "\"hello\" must be true, not 1"));
    }

    @ParameterizedTest
    @MethodSource("malformedFields")
    void rejectsAMalformedFieldNamingIt(String json, String expectedReason) {
        assertThat(reason(decode(json))).startsWith(expectedReason);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "nope", "{\"type\":", "[1,2]", "\"announce\"", "42", "null", "{\"hello\":true} {\"reload\":true}",
            "{\"hello\":true,\"hello\":}"})
    void rejectsABodyThatIsNotOneJsonObject(String body) {
        assertThat(reason(decode(body))).startsWith("the body ");
    }

    @Test
    void rejectsABodyOverTheLimitBeforeReadingIt() {
        var body = new byte[ClusterCodec.MAX_BODY_BYTES + 1];

        assertThat(reason(ClusterCodec.decode(body))).isEqualTo("the body is 65537 bytes, more than 65536");
    }

    @Test
    void readsABodyOfExactlyTheLimit() {
        var padded = ANNOUNCE + " ".repeat(ClusterCodec.MAX_BODY_BYTES - ANNOUNCE.length());

        assertThat(padded.getBytes(StandardCharsets.UTF_8)).hasSize(ClusterCodec.MAX_BODY_BYTES);
        assertThat(decode(padded)).isEqualTo(new ClusterCodec.Decoded.Ok(EXPECTED));
    }

    @ParameterizedTest
    @ValueSource(ints = {ClusterCodec.MAX_NESTING + 1, 1_000, 30_000})
    void rejectsDeeplyNestedJsonEvenInAnIgnoredField(int depth) {
        var json = "{\"hello\":true,\"x\":" + "[".repeat(depth - 1) + "]".repeat(depth - 1) + "}";

        assertThat(reason(decode(json))).startsWith("the body is not valid JSON").contains("nesting depth");
    }

    @Test
    void ignoresUnknownFields() {
        var json = announceWith("future", "{\"a\":[1,2,{\"b\":null}],\"c\":\"d\"}");

        assertThat(decode(json)).isEqualTo(new ClusterCodec.Decoded.Ok(EXPECTED));
    }

    @Test
    void readsAnAnnounceWithoutStatsAsNoStats() {
        var decoded = decode(announceWith("stats", null));

        assertThat(decoded).isInstanceOfSatisfying(ClusterCodec.Decoded.Ok.class,
                ok -> assertThat(((ClusterMessage.Announce) ok.message()).stats()).isEmpty());
    }

    @Test
    void quotesNoControlCharactersOfTheInputInAReason() {
        var reason = reason(decode("{\"type\":\"evil\\nFAKE LOG LINE\"}"));

        assertThat(reason).isEqualTo("\"type\" is unknown: 'evil?FAKE LOG LINE'");
    }

    @Test
    void quotesOnlyAShortPieceOfALongBadValue() {
        var reason = reason(decode("{\"type\":\"" + "x".repeat(1000) + "\"}"));

        assertThat(reason).hasSizeLessThan(100);
    }

    @Test
    void dropsTheIpv6ScopeWhichMeansNothingToAPeer() throws Exception {
        var scoped = Inet6Address.getByAddress(null, Messages.ips("fe80::1").getFirst().getAddress(), 2);
        var a = announce("a", "i1");
        var message = new ClusterMessage.Announce(a.server(), "i1", "h", java.util.List.of(scoped), a.console(), "v", 0, Instant.EPOCH, Map.of());

        var json = new String(ClusterCodec.encode(message), StandardCharsets.UTF_8);

        assertThat(json).contains("\"ips\":[\"fe80:0:0:0:0:0:0:1\"]");
        assertThat(ClusterCodec.decode(ClusterCodec.encode(message))).isInstanceOf(ClusterCodec.Decoded.Ok.class);
    }

    @Test
    void refusesToEncodeAMessageThePeersWouldRefuse() {
        var stats = new LinkedHashMap<String, Long>();
        for (int i = 0; i < ClusterCodec.MAX_STATS; i++) {
            stats.put(i + "x".repeat(ClusterCodec.MAX_TEXT_CHARS - 3), (long) i);
        }
        var a = announce("a", "i1");
        var huge = new ClusterMessage.Announce(a.server(), "i1", "h", a.ips(), a.console(), "v", 0, Instant.EPOCH, stats);

        assertThatThrownBy(() -> ClusterCodec.encode(huge))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("more than the 65536 the peers accept");
    }

    @Test
    void neverThrowsOnGarbage() {
        var random = new Random(20261122);
        var valid = ANNOUNCE.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < 5_000; i++) {
            byte[] body;
            if (i % 2 == 0) {
                body = new byte[random.nextInt(200)];
                random.nextBytes(body);
            } else {
                body = valid.clone();
                for (int flips = 1 + random.nextInt(4); flips > 0; flips--) {
                    body[random.nextInt(body.length)] = (byte) random.nextInt(256);
                }
            }
            var decoded = ClusterCodec.decode(body);
            assertThat(decoded).isNotNull();
        }
    }
}
