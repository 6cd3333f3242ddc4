package dev.ferrymta.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.rabbitmq.client.impl.LongStringHelper;
import dev.ferrymta.testing.time.ManualClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class MessageSignerTest {

    private static final String SECRET = "correct horse battery staple";
    private static final byte[] BODY = "{\"type\":\"reset\",\"server\":\"a\",\"configVersion\":7}".getBytes(StandardCharsets.UTF_8);
    private static final ClusterMessage RESET = new ClusterMessage.Reset(new ServerId("a"), 7);

    private final ManualClock clock = new ManualClock();
    private final MessageSigner signer = new MessageSigner(SECRET, clock);

    private Map<String, Object> signed() {
        return signer.sign(BODY, "reset", "a");
    }

    @Test
    void acceptsWhatItSigned() {
        assertThat(signer.verify(BODY, signed())).isEqualTo(new MessageSigner.Verdict.Valid());
        assertThat(signer.verify(BODY, signed()).accepted()).isTrue();
    }

    @Test
    void setsTheFourHeaders() {
        var headers = signed();

        assertThat(headers).containsEntry(MessageSigner.SENDER, "a")
                .containsEntry(MessageSigner.TYPE, "reset")
                .containsEntry(MessageSigner.SIGNED_AT, Long.toString(clock.millis()))
                .containsKey(MessageSigner.SIGNATURE);
        assertThat((String) headers.get(MessageSigner.SIGNATURE)).matches("[0-9a-f]{64}");
    }

    @Test
    void returnsAMapTheCallerMayAddTo() {
        var headers = signed();
        headers.put("x-ferry-hops", 1);

        assertThat(signer.verify(BODY, headers)).isEqualTo(new MessageSigner.Verdict.Valid());
    }

    static Stream<Arguments> tampering() {
        return Stream.of(
                Arguments.of("another sender", (Consumer<Map<String, Object>>) h -> h.put(MessageSigner.SENDER, "b")),
                Arguments.of("another type", (Consumer<Map<String, Object>>) h -> h.put(MessageSigner.TYPE, "announce")),
                Arguments.of("another signing time", (Consumer<Map<String, Object>>) h ->
                        h.put(MessageSigner.SIGNED_AT, Long.toString(Long.parseLong((String) h.get(MessageSigner.SIGNED_AT)) + 1))),
                Arguments.of("a bit flipped in the signature", (Consumer<Map<String, Object>>) h -> {
                    var signature = (String) h.get(MessageSigner.SIGNATURE);
                    h.put(MessageSigner.SIGNATURE, (signature.charAt(0) == '0' ? "1" : "0") + signature.substring(1));
                }),
                Arguments.of("a byte moved from sender to type", (Consumer<Map<String, Object>>) h -> {
                    h.put(MessageSigner.SENDER, "");
                    h.put(MessageSigner.TYPE, "areset");
                }));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("tampering")
    void rejectsAChangedHeader(String change, Consumer<Map<String, Object>> tamper) {
        var headers = signed();
        tamper.accept(headers);

        assertThat(signer.verify(BODY, headers)).isInstanceOf(MessageSigner.Verdict.BadSignature.class);
    }

    @Test
    void rejectsAChangedBody() {
        var body = BODY.clone();
        body[body.length - 2] = '8';

        assertThat(signer.verify(body, signed())).isInstanceOf(MessageSigner.Verdict.BadSignature.class);
    }

    @Test
    void keepsFieldsApartSoBytesCannotMoveBetweenThem() {
        var signedAsAb = signer.sign(BODY, "reset", "ab");
        var shifted = signer.sign(BODY, "breset", "a");
        shifted.put(MessageSigner.SIGNATURE, signedAsAb.get(MessageSigner.SIGNATURE));

        assertThat(signer.verify(BODY, shifted)).isInstanceOf(MessageSigner.Verdict.BadSignature.class);
    }

    @Test
    void rejectsASignatureMadeWithAnotherSecret() {
        var other = new MessageSigner("another secret of some length", clock);

        assertThat(signer.verify(BODY, other.sign(BODY, "reset", "a")))
                .isEqualTo(new MessageSigner.Verdict.BadSignature("x-ferry-signature does not match (another secret, or changed in transit)"));
    }

    @Test
    void callsAMessageWithoutHeadersUnsigned() {
        assertThat(signer.verify(BODY, Map.of())).isEqualTo(new MessageSigner.Verdict.Unsigned());
        assertThat(signer.verify(BODY, null)).isEqualTo(new MessageSigner.Verdict.Unsigned());
        assertThat(signer.verify(BODY, Map.of(MessageSigner.SENDER, "a", MessageSigner.TYPE, "reset")))
                .isEqualTo(new MessageSigner.Verdict.Unsigned());
    }

    @ParameterizedTest
    @ValueSource(strings = {MessageSigner.SENDER, MessageSigner.TYPE, MessageSigner.SIGNED_AT})
    void namesTheSignedHeaderThatIsMissing(String header) {
        var headers = signed();
        headers.remove(header);

        assertThat(signer.verify(BODY, headers)).isEqualTo(new MessageSigner.Verdict.BadSignature(header + " is missing"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "abc", "zz" + "00000000000000000000000000000000000000000000000000000000000000"})
    void rejectsASignatureThatIsNotHex(String signature) {
        var headers = signed();
        headers.put(MessageSigner.SIGNATURE, signature);

        assertThat(signer.verify(BODY, headers)).isEqualTo(new MessageSigner.Verdict.BadSignature("x-ferry-signature is not 64 hex digits"));
    }

    @Test
    void rejectsASigningTimeThatIsNotANumber() {
        var headers = signed();
        headers.put(MessageSigner.SIGNED_AT, "soon");

        assertThat(signer.verify(BODY, headers))
                .isEqualTo(new MessageSigner.Verdict.BadSignature("x-ferry-signed-at is not a number of milliseconds"));
    }

    @Test
    void acceptsAMessageSignedExactlyTheReplayWindowAgo() {
        var headers = signed();
        clock.advance(MessageSigner.REPLAY_WINDOW);

        assertThat(signer.verify(BODY, headers)).isEqualTo(new MessageSigner.Verdict.Valid());
    }

    @Test
    void callsAMessageSignedLongerAgoExpired() {
        var signedAt = clock.instant();
        var headers = signed();
        clock.advance(MessageSigner.REPLAY_WINDOW.plusMillis(1));

        assertThat(signer.verify(BODY, headers)).isEqualTo(
                new MessageSigner.Verdict.Expired(signedAt, clock.instant(), MessageSigner.REPLAY_WINDOW));
    }

    @Test
    void callsAMessageSignedTooFarInTheFutureExpired() {
        var signedAt = clock.instant();
        var headers = signed();
        clock.advance(MessageSigner.REPLAY_WINDOW.plusMillis(1).negated());

        assertThat(signer.verify(BODY, headers)).isEqualTo(
                new MessageSigner.Verdict.Expired(signedAt, clock.instant(), MessageSigner.REPLAY_WINDOW));
    }

    static Stream<Arguments> skews() {
        return Stream.of(
                Arguments.of(Duration.ofMinutes(10), "signed 10 min in the future", "clock is ahead of ours by about 10 min"),
                Arguments.of(Duration.ofMinutes(5).plusSeconds(1), "signed 5 min 1 s in the future", "synchronise the clocks (NTP)"),
                Arguments.of(Duration.ofMinutes(-7), "signed 7 min ago", "the sender's clock may be behind ours"),
                Arguments.of(Duration.ofDays(-8), "signed 8 days ago", "outside the window of 5 min"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("skews")
    void namesTheClockWhenTheSigningTimeIsOutsideTheWindow(Duration senderAhead, String said, String cause) {
        var sender = new MessageSigner(SECRET, java.time.Clock.offset(clock, senderAhead));
        var headers = sender.sign(BODY, "reset", "a");

        var verdict = signer.verify(BODY, headers);

        assertThat(verdict).isInstanceOf(MessageSigner.Verdict.Expired.class);
        assertThat(((MessageSigner.Verdict.Expired) verdict).offset()).isEqualTo(senderAhead);
        assertThat(verdict.toString()).contains(said).contains(cause);
    }

    @Test
    void coversTheIdWithTheSignature() {
        var headers = signer.sign(BODY, "forward", "a", "3f1c-id");

        assertThat(headers).containsEntry(MessageSigner.ID, "3f1c-id");
        assertThat(signer.verify(BODY, headers)).isEqualTo(new MessageSigner.Verdict.Valid());

        var otherId = new HashMap<>(headers);
        otherId.put(MessageSigner.ID, "3f1c-ie");
        assertThat(signer.verify(BODY, otherId)).isInstanceOf(MessageSigner.Verdict.BadSignature.class);

        var noId = new HashMap<>(headers);
        noId.remove(MessageSigner.ID);
        assertThat(signer.verify(BODY, noId)).as("an id cannot be taken off").isInstanceOf(MessageSigner.Verdict.BadSignature.class);

        var addedId = new HashMap<>(signer.sign(BODY, "forward", "a"));
        addedId.put(MessageSigner.ID, "new-id");
        assertThat(signer.verify(BODY, addedId)).as("nor put on").isInstanceOf(MessageSigner.Verdict.BadSignature.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "has space", "\u00e9t\u00e9", "0123456789012345678901234567890123456789012345678901234567890123456789"})
    void refusesAnIdThatIsNotShortPrintableAscii(String id) {
        assertThatThrownBy(() -> signer.sign(BODY, "forward", "a", id)).isInstanceOf(IllegalArgumentException.class);
        var headers = signer.sign(BODY, "forward", "a");
        headers.put(MessageSigner.ID, id);
        assertThat(signer.verify(BODY, headers)).isInstanceOf(MessageSigner.Verdict.BadSignature.class);
    }

    @Test
    void knowsAReplayedCopyByItsSignatureWithASecretAndByItsIdWithout() {
        var headers = signer.sign(BODY, "forward", "a", "id-1");
        assertThat(signer.replayKey(headers)).contains((String) headers.get(MessageSigner.SIGNATURE));
        clock.advance(Duration.ofMillis(1));
        assertThat(signer.replayKey(signer.sign(BODY, "forward", "a", "id-1"))).as("signed at another time")
                .isNotEqualTo(signer.replayKey(headers));

        var unsigned = MessageSigner.none().sign(BODY, "forward", "a", "id-1");
        assertThat(MessageSigner.none().replayKey(unsigned)).contains("id-1");
        assertThat(MessageSigner.none().replayKey(MessageSigner.none().sign(BODY, "forward", "a"))).isEmpty();
    }

    @Test
    void takesALongerWindowForForwardsThatWaitInADurableQueue() {
        var mime = "From: a@example.com\r\n\r\nhello".getBytes(StandardCharsets.UTF_8);
        var headers = signer.sign(mime, "forward", "a");
        clock.advance(Duration.ofHours(2));

        assertThat(signer.verify(mime, headers)).isInstanceOf(MessageSigner.Verdict.Expired.class);
        assertThat(signer.verify(mime, headers, Duration.ofDays(1))).isEqualTo(new MessageSigner.Verdict.Valid());
    }

    @Test
    void readsHeadersAsTheAmqpClientDeliversThem() {
        var delivered = new HashMap<String, Object>();
        signed().forEach((name, value) -> delivered.put(name, LongStringHelper.asLongString((String) value)));

        assertThat(signer.verify(BODY, delivered)).isEqualTo(new MessageSigner.Verdict.Valid());
    }

    @Test
    void readsASigningTimeSentAsANumber() {
        var headers = signed();
        headers.put(MessageSigner.SIGNED_AT, Long.parseLong((String) headers.get(MessageSigner.SIGNED_AT)));

        assertThat(signer.verify(BODY, headers)).isEqualTo(new MessageSigner.Verdict.Valid());
    }

    @Test
    void acceptsASignedMessageWhoseHeadersMatchTheDecodedMessage() {
        assertThat(signer.verify(BODY, signed(), RESET)).isEqualTo(new MessageSigner.Verdict.Valid());
    }

    @Test
    void rejectsAValidSignatureForAnotherTypeThanTheBodys() {
        var headers = signer.sign(BODY, "announce", "a");

        assertThat(signer.verify(BODY, headers)).isEqualTo(new MessageSigner.Verdict.Valid());
        assertThat(signer.verify(BODY, headers, RESET))
                .isEqualTo(new MessageSigner.Verdict.BadSignature("x-ferry-type 'announce' does not match the message type 'reset'"));
    }

    @Test
    void rejectsAValidSignatureByAnotherServerThanTheBodyNames() {
        var headers = signer.sign(BODY, "reset", "b");

        assertThat(signer.verify(BODY, headers, RESET))
                .isEqualTo(new MessageSigner.Verdict.BadSignature("x-ferry-sender 'b' does not match the message's server 'a'"));
    }

    @Test
    void acceptsAHandPublishedControlFromAnySignedSender() {
        var body = "{\"reload\":true}".getBytes(StandardCharsets.UTF_8);

        assertThat(signer.verify(body, signer.sign(body, "reload", "ops"), new ClusterMessage.Reload()))
                .isEqualTo(new MessageSigner.Verdict.Valid());
    }

    @Test
    void passesOnAnyOtherVerdictWhenCheckingTheDecodedMessage() {
        assertThat(signer.verify(BODY, Map.of(), RESET)).isEqualTo(new MessageSigner.Verdict.Unsigned());
    }

    @Test
    void withoutASecretSignsNothingAndAcceptsEverything() {
        var none = MessageSigner.none();

        assertThat(none.enabled()).isFalse();
        assertThat(none.sign(BODY, "reset", "a")).containsOnlyKeys(MessageSigner.SENDER, MessageSigner.TYPE);
        assertThat(none.verify(BODY, Map.of())).isEqualTo(new MessageSigner.Verdict.Valid());
        assertThat(none.verify(BODY, Map.of(MessageSigner.SIGNATURE, "garbage"), RESET)).isEqualTo(new MessageSigner.Verdict.Valid());
    }

    @Test
    void choosesBySecretPresence() {
        assertThat(MessageSigner.of(Optional.empty(), clock)).isSameAs(MessageSigner.none());
        assertThat(MessageSigner.of(Optional.of(SECRET), clock).enabled()).isTrue();
    }

    @Test
    void refusesAnEmptySecret() {
        assertThatThrownBy(() -> new MessageSigner("", clock)).isInstanceOf(IllegalArgumentException.class);
    }
}
