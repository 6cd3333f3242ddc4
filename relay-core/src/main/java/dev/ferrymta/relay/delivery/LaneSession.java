package dev.ferrymta.relay.delivery;

import dev.ferrymta.relay.attempt.DeliveryOutcome;
import dev.ferrymta.relay.dkim.MessageSigning;
import dev.ferrymta.relay.message.OutboxMessage;
import dev.ferrymta.relay.message.Security;
import dev.ferrymta.relay.settings.Settings;
import dev.ferrymta.relay.smtp.MessageFitting;
import dev.ferrymta.relay.smtp.NextMessage;
import dev.ferrymta.relay.smtp.SmtpMessage;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/** A lane worker's open session, with the server it reached and what TLS it was opened for. */
final class LaneSession {

    private final LaneConnector.Opened opened;
    private final Security security;
    /** The message made ready and pipelined behind the last end of data, to be sent next; or null. */
    private Ready ahead;

    LaneSession(LaneConnector.Opened opened, Security security) {
        this.opened = opened;
        this.security = security;
    }

    /**
     * Sends one message as it goes on the wire: line ends made CRLF, fitted to what the server
     * takes (8-bit parts and long lines re-encoded), then DKIM-signed over exactly those bytes.
     * The outcome's attempt says which signatures the message carried.
     *
     * <p>While this message's content is written, {@code following} may hand over the lane's
     * next message: it is made ready the same way, and its transaction starts behind this one's
     * end of data (RFC 2920 section 3.1). That message must be the next one sent on this session,
     * with this method; it then goes as it was made ready, its signatures included.
     *
     * @param now when the message is signed (its DKIM {@code t=}), the following one's too
     */
    DeliveryOutcome send(OutboxMessage message, MessageSigning signing, Settings settings, Instant now,
            Supplier<Optional<OutboxMessage>> following) {
        var ready = ahead != null && ahead.message() == message ? ahead : ready(message, signing, settings, now);
        ahead = null;
        NextMessage next = () -> following.get().flatMap(taken -> {
            try {
                ahead = ready(taken, signing, settings, now);
            } catch (RuntimeException e) {
                // Not this message's failure: the taken one goes next, unpipelined, and meets it there.
                return Optional.empty();
            }
            return Optional.of(ahead.smtp());
        });
        var outcome = opened.session().send(ready.smtp(), next);
        if (ready.signatures().isEmpty()) {
            return outcome;
        }
        var attempt = outcome.attempt().signedWith(ready.signatures());
        return switch (outcome) {
            case DeliveryOutcome.Delivered delivered -> new DeliveryOutcome.Delivered(attempt);
            case DeliveryOutcome.TemporaryFailure temporary -> new DeliveryOutcome.TemporaryFailure(attempt);
            case DeliveryOutcome.PermanentFailure permanent -> new DeliveryOutcome.PermanentFailure(attempt);
        };
    }

    /** A message made ready for this session: its bytes as they go, and the signatures they carry. */
    private record Ready(OutboxMessage message, SmtpMessage smtp, List<String> signatures) {
    }

    private Ready ready(OutboxMessage message, MessageSigning signing, Settings settings, Instant now) {
        var session = opened.session();
        var bytes = MessageFitting.crlf(message.mime().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        if (MessageFitting.fit(bytes, session.eightBitMime()) instanceof MessageFitting.Fitted fitted) {
            bytes = fitted.message();
        }
        var signed = signing.sign(bytes, message.dkim(), settings, now);
        return new Ready(message, new SmtpMessage(message.envelope(), message.recipient(), signed.message(), message.dsn()),
                signed.applied().stream().map(Object::toString).toList());
    }

    boolean usable() {
        return opened.session().isUsable();
    }

    /** Messages sent over this connection so far. */
    int used() {
        return opened.session().messagesSent();
    }

    /** Whether a message asking {@code wanted} of TLS may use this session. */
    boolean serves(Security wanted) {
        return switch (wanted) {
            case NONE, OPPORTUNISTIC -> true;
            case REQUIRED -> opened.session().tls();
            case VERIFIED -> security == Security.VERIFIED && opened.session().tls();
        };
    }

    /** The server this session is connected to. */
    dev.ferrymta.relay.smtp.SmtpEndpoint endpoint() {
        return opened.candidate().endpoint();
    }

    void close() {
        opened.session().close();
    }
}
