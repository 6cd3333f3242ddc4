package dev.ferrymta.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferrymta.testing.time.ManualClock;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Which forwards the receiver (and the drain of an orphaned queue) takes, and what it says of the others. */
class ForwardCheckTest {

    private static final String SECRET = "a-cluster-secret-for-the-tests";
    private static final byte[] BODY = "{\"envelope\":\"a@b.example\",\"recipient\":\"c@d.example\",\"mime\":\"x\"}"
            .getBytes(StandardCharsets.UTF_8);
    private static final ManualClock CLOCK = new ManualClock();
    private static final MessageSigner RECEIVER = new MessageSigner(SECRET, CLOCK);

    private static Map<String, Object> signedBy(String secret, Clock clock) {
        return new HashMap<>(new MessageSigner(secret, clock).sign(BODY, Forwarder.TYPE, "node-a", "id-1"));
    }

    static Stream<Arguments> forwards() {
        Function<Duration, Clock> shifted = by -> Clock.offset(CLOCK, by);
        return Stream.of(
                Arguments.of("signed now", signedBy(SECRET, CLOCK), null),
                Arguments.of("signed 6 days ago", signedBy(SECRET, shifted.apply(Duration.ofDays(-6))), null),
                Arguments.of("signed 8 days ago", signedBy(SECRET, shifted.apply(Duration.ofDays(-8))),
                        "it was signed 8 days ago"),
                Arguments.of("signed 8 days ahead", signedBy(SECRET, shifted.apply(Duration.ofDays(8))),
                        "signed 8 days in the future"),
                Arguments.of("a retired secret", signedBy("the-secret-we-used-until-last-month", CLOCK),
                        "signature does not match this instance's cluster-secret (signed with another secret, such as one retired since"),
                Arguments.of("unsigned", new HashMap<>(Map.of(Forwarder.ORIGIN, "node-a", Forwarder.HOPS, 1)),
                        "it is not signed, and cluster-secret is set here"),
                Arguments.of("a reset, not a forward", new HashMap<>(new MessageSigner(SECRET, CLOCK).sign(BODY, "reset", "node-a")),
                        "it is a 'reset' message, not a forward"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("forwards")
    void takesValidForwardsAndSaysWhyNotForTheRest(String what, Map<String, Object> headers, String refusal) {
        var check = ForwardReceiver.check(BODY, headers, RECEIVER);

        if (refusal == null) {
            assertThat(check).isEqualTo(new ForwardReceiver.Check.Accept());
        } else {
            assertThat(check).isInstanceOf(ForwardReceiver.Check.Refuse.class);
            assertThat(((ForwardReceiver.Check.Refuse) check).reason()).contains(refusal);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("forwards")
    void takesEveryForwardWithoutASecret(String what, Map<String, Object> headers, String refusal) {
        var check = ForwardReceiver.check(BODY, headers, MessageSigner.none());

        assertThat(check).isEqualTo(what.startsWith("a reset")
                ? new ForwardReceiver.Check.Refuse("it is a 'reset' message, not a forward") : new ForwardReceiver.Check.Accept());
    }

    @org.junit.jupiter.api.Test
    void namesTheSignerElseTheOrigin() {
        assertThat(ForwardReceiver.senderOf(signedBy(SECRET, CLOCK))).isEqualTo("node-a");
        assertThat(ForwardReceiver.senderOf(new HashMap<>(Map.of(Forwarder.ORIGIN, "node-b")))).isEqualTo("node-b");
        assertThat(ForwardReceiver.senderOf(new HashMap<>())).isEqualTo("an unknown sender");
        assertThat(Optional.of(ForwardReceiver.senderOf(new HashMap<>(Map.of(MessageSigner.SENDER, "x".repeat(500))))))
                .hasValueSatisfying(sender -> assertThat(sender.length()).isLessThan(80));
    }
}
