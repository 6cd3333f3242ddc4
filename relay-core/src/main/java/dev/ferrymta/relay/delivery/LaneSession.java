package dev.ferrymta.relay.delivery;

import dev.ferrymta.relay.attempt.DeliveryOutcome;
import dev.ferrymta.relay.dkim.MessageSigning;
import dev.ferrymta.relay.dkim.SigningKey;
import dev.ferrymta.relay.mail.MailAddress;
import dev.ferrymta.relay.message.DsnRequest;
import dev.ferrymta.relay.message.Security;
import dev.ferrymta.relay.settings.Settings;
import dev.ferrymta.relay.smtp.MessageFitting;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** A lane worker's open session, with the server it reached and what TLS it was opened for. */
final class LaneSession {

    private final LaneConnector.Opened opened;
    private final Security security;

    LaneSession(LaneConnector.Opened opened, Security security) {
        this.opened = opened;
        this.security = security;
    }

    /**
     * Sends one message as it goes on the wire: line ends made CRLF, fitted to what the server
     * takes (8-bit parts and long lines re-encoded), then DKIM-signed over exactly those bytes.
     * The outcome's attempt says which signatures the message carried.
     */
    DeliveryOutcome send(Optional<MailAddress> sender, MailAddress recipient, String mime, List<SigningKey> ownKeys,
            DsnRequest dsn, MessageSigning signing, Settings settings, Instant now) {
        var session = opened.session();
        var bytes = MessageFitting.crlf(mime.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        if (MessageFitting.fit(bytes, session.eightBitMime()) instanceof MessageFitting.Fitted fitted) {
            bytes = fitted.message();
        }
        var signed = signing.sign(bytes, ownKeys, settings, now);
        var outcome = session.send(sender, recipient, signed.message(), dsn);
        if (signed.applied().isEmpty()) {
            return outcome;
        }
        var attempt = outcome.attempt().signedWith(signed.applied().stream().map(Object::toString).toList());
        return switch (outcome) {
            case DeliveryOutcome.Delivered delivered -> new DeliveryOutcome.Delivered(attempt);
            case DeliveryOutcome.TemporaryFailure temporary -> new DeliveryOutcome.TemporaryFailure(attempt);
            case DeliveryOutcome.PermanentFailure permanent -> new DeliveryOutcome.PermanentFailure(attempt);
        };
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
