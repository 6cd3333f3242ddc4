package dev.ferrymta.cluster;

import com.rabbitmq.client.LongString;
import dev.ferrymta.relay.broker.AmqpHeaders;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
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
    /** How far the signing time may lie from now, either way, before a message counts as a replay. */
    public static final Duration REPLAY_WINDOW = Duration.ofMinutes(5);

    private static final String ALGORITHM = "HmacSHA256";
    private static final byte[] DOMAIN = "ferry-cluster-signature-v1".getBytes(StandardCharsets.US_ASCII);
    private static final int SIGNATURE_BYTES = 32;
    private static final HexFormat HEX = HexFormat.of();
    private static final Verdict VALID = new Verdict.Valid();
    private static final Verdict UNSIGNED = new Verdict.Unsigned();
    private static final Verdict EXPIRED = new Verdict.Expired();
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

        /** Validly signed, but the signing time is outside the replay window. */
        record Expired() implements Verdict {
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
        Objects.requireNonNull(body, "body");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(sender, "sender");
        var headers = new LinkedHashMap<String, Object>();
        headers.put(SENDER, sender);
        headers.put(TYPE, type);
        key.ifPresent(k -> {
            var signedAt = Long.toString(clock.millis());
            headers.put(SIGNED_AT, signedAt);
            headers.put(SIGNATURE, HEX.formatHex(mac(k, body, sender, type, signedAt)));
        });
        return headers;
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
        var expected = mac(key.get(), body == null ? new byte[0] : body, sender.get(), type.get(), signedAtText.get());
        if (!MessageDigest.isEqual(expected, received.get())) {
            return new Verdict.BadSignature(SIGNATURE + " does not match (another secret, or changed in transit)");
        }
        long now = clock.millis();
        long slack = window.toMillis();
        return signedAt < now - slack || signedAt > now + slack ? EXPIRED : VALID;
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

    private static byte[] mac(SecretKeySpec key, byte[] body, String sender, String type, String signedAt) {
        Mac mac;
        try {
            mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
        } catch (GeneralSecurityException e) {
            // Every Java runtime must provide HmacSHA256.
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
        field(mac, DOMAIN);
        field(mac, sender.getBytes(StandardCharsets.UTF_8));
        field(mac, type.getBytes(StandardCharsets.UTF_8));
        field(mac, signedAt.getBytes(StandardCharsets.UTF_8));
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
