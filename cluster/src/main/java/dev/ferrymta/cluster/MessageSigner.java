package dev.ferrymta.cluster;

import com.rabbitmq.client.LongString;
import dev.ferrymta.relay.broker.AmqpHeaders;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs and verifies cluster messages with HMAC-SHA256 over {@code cluster-secret}. The signature
 * covers the sender, the type, the signing time and the body, each length-prefixed so that bytes
 * cannot be moved from one field to the next; the signing time bounds replays to
 * {@link #REPLAY_WINDOW}. Generic over the type, so forwarded outbox messages are signed the same
 * way (type {@code forward}). Without a secret ({@link #none()}) nothing is signed and everything is
 * accepted. Thread-safe.
 *
 * <p>A message may carry an id ({@link #ID}, {@link #sign(byte[], String, String, String)}): it
 * is then covered by the signature too (a second version of the signed data, told apart by its
 * domain string, so a signature made without an id can never pass for one with an id or the
 * reverse), and the receiver can tell a replayed copy from a new message
 * ({@link #replayKey(Map)}).
 *
 * <p>On receipt: {@link ClusterCodec#decode decode} the body (safe on hostile input), then
 * {@link #verify(byte[], Map, ClusterMessage)}, which also checks that the signed type and sender
 * are those of the decoded message.
 */
public final class MessageSigner {

    /** Header: who signed, a server id. */
    public static final String SENDER = "x-ferry-sender";
    /** Header: what the body is, {@link ClusterMessage#type()} or {@code forward}. */
    public static final String TYPE = "x-ferry-type";
    /** Header: when it was signed, epoch milliseconds, as text. */
    public static final String SIGNED_AT = "x-ferry-signed-at";
    /** Header: the HMAC-SHA256, 64 lowercase hex digits. */
    public static final String SIGNATURE = "x-ferry-signature";
    /** Header: the message's id (a forward's), covered by the signature when one is set. */
    public static final String ID = "x-ferry-id";
    /** How far the signing time may lie from now, either way, before a message counts as a replay. */
    public static final Duration REPLAY_WINDOW = Duration.ofMinutes(5);

    private static final String ALGORITHM = "HmacSHA256";
    private static final byte[] DOMAIN = "ferry-cluster-signature-v1".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DOMAIN_WITH_ID = "ferry-cluster-signature-v2".getBytes(StandardCharsets.US_ASCII);
    private static final int MAX_ID_LENGTH = 64;
    private static final int SIGNATURE_BYTES = 32;
    private static final HexFormat HEX = HexFormat.of();
    private static final Verdict VALID = new Verdict.Valid();
    private static final Verdict UNSIGNED = new Verdict.Unsigned();
    private static final MessageSigner NONE = new MessageSigner(Optional.empty(), Clock.systemUTC());

    private final Optional<SecretKeySpec> key;
    private final Clock clock;

    /**
     * A signer with a secret.
     *
     * @throws IllegalArgumentException when the secret is empty
     */
    public MessageSigner(String secret, Clock clock) {
        this(Optional.of(key(secret)), clock);
    }

    private MessageSigner(Optional<SecretKeySpec> key, Clock clock) {
        this.key = key;
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** No {@code cluster-secret}: signs nothing, accepts everything. */
    public static MessageSigner none() {
        return NONE;
    }

    /** A signer with the secret, or {@link #none()} when there is none. */
    public static MessageSigner of(Optional<String> secret, Clock clock) {
        return secret.map(s -> new MessageSigner(s, clock)).orElse(NONE);
    }

    /** The signer for {@code cluster-secret}. */
    public static MessageSigner from(ClusterConfig config, Clock clock) {
        return of(config.secret(), clock);
    }

    /** Whether a secret is set, so messages are signed and checked. */
    public boolean enabled() {
        return key.isPresent();
    }

    /** What {@link #verify} thinks of a message. */
    public sealed interface Verdict {

        /** Whether the message may be acted on. */
        default boolean accepted() {
            return this instanceof Valid;
        }

        /** Signed with our secret within the replay window, or no secret is configured. */
        record Valid() implements Verdict {
        }

        /** No signature header, while a secret is configured. */
        record Unsigned() implements Verdict {
        }

        /**
         * Signed, but not validly: wrong secret, changed in transit, or a header missing or malformed.
         *
         * @param reason what failed, naming the header; safe to log
         */
        record BadSignature(String reason) implements Verdict {
        }

        /**
         * Validly signed, but the signing time is outside the window.
         *
         * @param signedAt   when the sender signed it, by the sender's clock
         * @param receivedAt when it was checked, by our clock
         * @param window     how far apart the two may be, either way
         */
        record Expired(Instant signedAt, Instant receivedAt, Duration window) implements Verdict {

            /** How far the signing time lies ahead of the receive time (negative: behind). */
            public Duration offset() {
                return Duration.between(receivedAt, signedAt);
            }

            /**
             * Names the cause: a message signed in the future, or only minutes ago, points at a
             * clock that is off rather than at an old message.
             */
            @Override
            public String toString() {
                var offset = offset();
                var amount = Durations.words(offset.abs());
                if (offset.isNegative()) {
                    return "signed " + amount + " ago (at " + signedAt + ", received " + receivedAt + "), outside the window of "
                            + Durations.words(window) + (offset.abs().compareTo(window.multipliedBy(4)) < 0
                                    ? ": the sender's clock may be behind ours" : "");
                }
                return "signed " + amount + " in the future (at " + signedAt + ", received " + receivedAt
                        + "): the sender's clock is ahead of ours by about " + amount + ", more than the window of "
                        + Durations.words(window) + "; synchronise the clocks (NTP)";
            }
        }
    }

    /**
     * The headers to publish {@code body} with: sender and type always, signing time and signature
     * when a secret is set.
     *
     * @param type   {@link ClusterMessage#type()}, or {@code forward} for a forwarded outbox message
     * @param sender our server id
     * @return a new mutable map, to which the caller may add headers of its own
     */
    public Map<String, Object> sign(byte[] body, String type, String sender) {
        return sign(body, type, sender, null);
    }

    /**
     * The same, with the message's own id in {@link #ID}, covered by the signature.
     *
     * @param id 1 to 64 printable ASCII characters, unique per message (a UUID); null for none
     * @throws IllegalArgumentException when the id is empty, too long or not printable ASCII
     */
    public Map<String, Object> sign(byte[] body, String type, String sender, String id) {
        Objects.requireNonNull(body, "body");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(sender, "sender");
        if (id != null && !validId(id)) {
            throw new IllegalArgumentException("a message id is 1 to " + MAX_ID_LENGTH + " printable ASCII characters");
        }
        var headers = new LinkedHashMap<String, Object>();
        headers.put(SENDER, sender);
        headers.put(TYPE, type);
        if (id != null) {
            headers.put(ID, id);
        }
        key.ifPresent(k -> {
            var signedAt = Long.toString(clock.millis());
            headers.put(SIGNED_AT, signedAt);
            headers.put(SIGNATURE, HEX.formatHex(mac(k, body, sender, type, signedAt, id)));
        });
        return headers;
    }

    /**
     * What tells one message from a replayed copy of it: the signature when there is a secret
     * (nobody without the secret can make another valid one for the same message), else the
     * {@link #ID} header; empty when the message has neither.
     */
    public Optional<String> replayKey(Map<String, ?> headers) {
        if (key.isPresent()) {
            return AmqpHeaders.text(headers, SIGNATURE);
        }
        return AmqpHeaders.text(headers, ID).filter(MessageSigner::validId);
    }

    /** When the message says it was signed; empty when unsigned or unreadable. */
    public static Optional<Instant> signedAt(Map<String, ?> headers) {
        try {
            return AmqpHeaders.text(headers, SIGNED_AT).map(Long::parseLong).map(Instant::ofEpochMilli);
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** {@link #verify(byte[], Map, Duration)} with the {@link #REPLAY_WINDOW}. */
    public Verdict verify(byte[] body, Map<String, ?> headers) {
        return verify(body, headers, REPLAY_WINDOW);
    }

    /**
     * Checks the signature of a message as received.
     *
     * @param headers the AMQP headers; values may be {@link LongString} or {@link String}
     * @param window  how far the signing time may lie from now, either way; a forward that may wait
     *                in a durable queue while its owner is down needs a longer one than a control
     *                message
     */
    public Verdict verify(byte[] body, Map<String, ?> headers, Duration window) {
        if (key.isEmpty()) {
            return VALID;
        }
        var signature = AmqpHeaders.text(headers, SIGNATURE);
        if (signature.isEmpty()) {
            return UNSIGNED;
        }
        var sender = AmqpHeaders.text(headers, SENDER);
        var type = AmqpHeaders.text(headers, TYPE);
        var signedAtText = AmqpHeaders.text(headers, SIGNED_AT);
        if (sender.isEmpty() || type.isEmpty() || signedAtText.isEmpty()) {
            return new Verdict.BadSignature((sender.isEmpty() ? SENDER : type.isEmpty() ? TYPE : SIGNED_AT) + " is missing");
        }
        long signedAt;
        try {
            signedAt = Long.parseLong(signedAtText.get());
        } catch (NumberFormatException e) {
            return new Verdict.BadSignature(SIGNED_AT + " is not a number of milliseconds");
        }
        var received = hex(signature.get());
        if (received.isEmpty()) {
            return new Verdict.BadSignature(SIGNATURE + " is not " + 2 * SIGNATURE_BYTES + " hex digits");
        }
        var id = AmqpHeaders.text(headers, ID);
        if (id.isPresent() && !validId(id.get())) {
            return new Verdict.BadSignature(ID + " is not 1 to " + MAX_ID_LENGTH + " printable ASCII characters");
        }
        var expected = mac(key.get(), body == null ? new byte[0] : body, sender.get(), type.get(), signedAtText.get(),
                id.orElse(null));
        if (!MessageDigest.isEqual(expected, received.get())) {
            return new Verdict.BadSignature(SIGNATURE + " does not match (another secret, or changed in transit)");
        }
        long now = clock.millis();
        long slack = window.toMillis();
        return signedAt < now - slack || signedAt > now + slack
                ? new Verdict.Expired(Instant.ofEpochMilli(signedAt), Instant.ofEpochMilli(now), window) : VALID;
    }

    /**
     * {@link #verify(byte[], Map)}, and then that the signed type and sender are those of the
     * decoded message: a validly signed reset must not pass for an announce, nor one server's
     * message for another's. Without a secret, {@link Verdict.Valid} as always.
     */
    public Verdict verify(byte[] body, Map<String, ?> headers, ClusterMessage decoded) {
        var verdict = verify(body, headers);
        if (!(verdict instanceof Verdict.Valid) || key.isEmpty()) {
            return verdict;
        }
        var type = AmqpHeaders.text(headers, TYPE).orElseThrow();
        if (!type.equals(decoded.type())) {
            return new Verdict.BadSignature(TYPE + " '" + JsonFields.shorten(type, 32) + "' does not match the message type '"
                    + decoded.type() + "'");
        }
        var sender = AmqpHeaders.text(headers, SENDER).orElseThrow();
        var claimed = decoded.sender();
        if (claimed.isPresent() && !claimed.get().value().equals(sender)) {
            return new Verdict.BadSignature(SENDER + " '" + JsonFields.shorten(sender, 64) + "' does not match the message's server '"
                    + claimed.get() + "'");
        }
        return verdict;
    }

    private static SecretKeySpec key(String secret) {
        Objects.requireNonNull(secret, "secret");
        if (secret.isEmpty()) {
            throw new IllegalArgumentException("the cluster secret is empty");
        }
        return new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), ALGORITHM);
    }

    private static boolean validId(String id) {
        return !id.isEmpty() && id.length() <= MAX_ID_LENGTH && id.chars().allMatch(c -> c > 0x20 && c < 0x7f);
    }

    private static byte[] mac(SecretKeySpec key, byte[] body, String sender, String type, String signedAt, String id) {
        Mac mac;
        try {
            mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
        } catch (GeneralSecurityException e) {
            // Every Java runtime must provide HmacSHA256.
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
        field(mac, id == null ? DOMAIN : DOMAIN_WITH_ID);
        field(mac, sender.getBytes(StandardCharsets.UTF_8));
        field(mac, type.getBytes(StandardCharsets.UTF_8));
        field(mac, signedAt.getBytes(StandardCharsets.UTF_8));
        if (id != null) {
            field(mac, id.getBytes(StandardCharsets.US_ASCII));
        }
        field(mac, body);
        return mac.doFinal();
    }

    private static void field(Mac mac, byte[] bytes) {
        mac.update(ByteBuffer.allocate(Integer.BYTES).putInt(bytes.length).array());
        mac.update(bytes);
    }

    private static Optional<byte[]> hex(String text) {
        if (text.length() != 2 * SIGNATURE_BYTES) {
            return Optional.empty();
        }
        try {
            return Optional.of(HEX.parseHex(text));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
