package dev.ferrymta.relay.delivery;

import dev.ferrymta.relay.attempt.DeliveryOutcome;
import dev.ferrymta.relay.mail.MailAddress;
import dev.ferrymta.relay.message.Security;
import java.util.Optional;

/** A lane worker's open session, with the server it reached and what TLS it was opened for. */
final class LaneSession {

    private final LaneConnector.Opened opened;
    private final Security security;

    LaneSession(LaneConnector.Opened opened, Security security) {
        this.opened = opened;
        this.security = security;
    }

    DeliveryOutcome send(Optional<MailAddress> sender, MailAddress recipient, String mime) {
        return opened.session().send(sender, recipient, mime.getBytes(java.nio.charset.StandardCharsets.UTF_8));
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
