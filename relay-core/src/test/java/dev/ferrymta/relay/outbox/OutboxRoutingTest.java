package dev.ferrymta.relay.outbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferrymta.relay.attempt.AttemptResult;
import dev.ferrymta.relay.delivery.SourceIpSelector;
import dev.ferrymta.relay.mail.Domain;
import dev.ferrymta.relay.message.MessageParser;
import dev.ferrymta.relay.settings.IpRange;
import dev.ferrymta.relay.settings.Pause;
import dev.ferrymta.relay.settings.Settings;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The routing decision, case by case: a message, its size, the settings and the time in, a decision out. */
class OutboxRoutingTest {

    private static final Instant NOW = Instant.parse("2026-11-29T12:00:00Z");
    private static final long LIMIT = 10_000;
    private static final OutboxRouting ROUTING = new OutboxRouting(new SourceIpSelector(ips("10.0.0.1", "10.0.0.2"), List.of()), LIMIT);
    private static final Settings NONE = new Settings(1, List.of(), List.of(), List.of(), List.of(), List.of(), List.of());
    private static final Settings ONE_PAUSED = new Settings(1, List.of(), List.of(), List.of(), List.of(new Pause(1, 1,
            Optional.of(IpRange.of(ip("10.0.0.1"))), Optional.of(Domain.parse("d.test")), Optional.empty(), "blocked")), List.of(), List.of());

    private static InetAddress ip(String text) {
        try {
            return InetAddress.getByName(text);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static List<InetAddress> ips(String... texts) {
        return Arrays.stream(texts).map(OutboxRoutingTest::ip).toList();
    }

    private static String body(String extra) {
        return "{\"envelope\":\"a@b.test\",\"recipient\":\"c@d.test\",\"mime\":\"x\"" + extra + "}";
    }

    /** name, body, size (-1: the body's), broker limit, settings, turn, what the decision must be. */
    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("not JSON", "nope", -1, Long.MAX_VALUE, NONE, 0,
                        (Consumer<Routing>) r -> assertThat(r).isInstanceOf(Routing.Invalid.class)),
                Arguments.of("no recipient", "{\"envelope\":\"a@b.test\",\"mime\":\"x\"}", -1, Long.MAX_VALUE, NONE, 0,
                        (Consumer<Routing>) r -> assertThat(((Routing.Invalid) r).invalid().description()).contains("recipient")),
                Arguments.of("larger than max-message-bytes", body(""), 10_001, Long.MAX_VALUE, NONE, 0,
                        (Consumer<Routing>) r -> {
                            var giveUp = (Routing.GiveUp) r;
                            assertThat(giveUp.result()).isEqualTo(AttemptResult.INVALID);
                            assertThat(giveUp.reason()).contains("10001 bytes", "max-message-bytes (10000 bytes)");
                        }),
                Arguments.of("larger than the broker takes", body(""), 5_000, 4_096, NONE, 0,
                        (Consumer<Routing>) r -> assertThat(((Routing.GiveUp) r).reason()).contains("the broker takes (4096 bytes)")),
                Arguments.of("exactly the limit is fine", body(""), 10_000, Long.MAX_VALUE, NONE, 0,
                        (Consumer<Routing>) r -> assertThat(r).isInstanceOf(Routing.DeliverHere.class)),
                Arguments.of("maxdelivertime passed", body(",\"maxdelivertime\":\"2026-11-29 11:59:59\""), -1, Long.MAX_VALUE, NONE, 0,
                        (Consumer<Routing>) r -> {
                            var giveUp = (Routing.GiveUp) r;
                            assertThat(giveUp.result()).isEqualTo(AttemptResult.TIMEOUT);
                            assertThat(giveUp.reason()).contains("maxdelivertime 2026-11-29 11:59:59 passed");
                        }),
                Arguments.of("back before its nextattempt", body(",\"nextattempt\":{\"time\":\"2026-11-29 12:05:00\"}"), -1,
                        Long.MAX_VALUE, NONE, 0,
                        (Consumer<Routing>) r -> assertThat(((Routing.Defer) r).notBefore()).isEqualTo(Instant.parse("2026-11-29T12:05:00Z"))),
                Arguments.of("nextattempt now is not a deferral", body(",\"nextattempt\":{\"time\":\"2026-11-29 12:00:00\"}"), -1,
                        Long.MAX_VALUE, NONE, 0,
                        (Consumer<Routing>) r -> assertThat(r).isInstanceOf(Routing.DeliverHere.class)),
                Arguments.of("an unknown pool", body(",\"pool\":\"nowhere\""), -1, Long.MAX_VALUE, NONE, 0,
                        (Consumer<Routing>) r -> assertThat(((Routing.Retry) r).attempt().description())
                                .startsWith("no source IP: the pool 'nowhere' does not exist")),
                Arguments.of("an IP another instance owns", body(",\"ips\":[\"10.0.0.9\"]"), -1, Long.MAX_VALUE, NONE, 0,
                        (Consumer<Routing>) r -> assertThat(((Routing.Forward) r).ips()).containsExactly(ip("10.0.0.9"))),
                Arguments.of("round robin, turn 0", body(""), -1, Long.MAX_VALUE, NONE, 0,
                        (Consumer<Routing>) r -> assertThat(((Routing.DeliverHere) r).key().ip()).isEqualTo(ip("10.0.0.1"))),
                Arguments.of("round robin, turn 1", body(""), -1, Long.MAX_VALUE, NONE, 1,
                        (Consumer<Routing>) r -> assertThat(((Routing.DeliverHere) r).key().ip()).isEqualTo(ip("10.0.0.2"))),
                Arguments.of("a paused IP is skipped", body(""), -1, Long.MAX_VALUE, ONE_PAUSED, 0,
                        (Consumer<Routing>) r -> assertThat(((Routing.DeliverHere) r).key().ip()).isEqualTo(ip("10.0.0.2"))),
                Arguments.of("the lane is the IP and the recipient's domain", body(",\"ips\":[\"10.0.0.2\"]"), -1, Long.MAX_VALUE,
                        NONE, 7,
                        (Consumer<Routing>) r -> assertThat(((Routing.DeliverHere) r).key().toString()).contains("10.0.0.2", "d.test")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void decides(String name, String body, long size, long brokerLimit, Settings settings, int turn, Consumer<Routing> expected) {
        var bytes = body.getBytes();
        var decision = ROUTING.decide(MessageParser.parse(bytes), size < 0 ? bytes.length : size, brokerLimit, settings, NOW, turn);

        expected.accept(decision);
    }
}
