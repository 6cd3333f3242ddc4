package dev.ferrymta.relay.delivery;

import dev.ferrymta.relay.attempt.DeliveryOutcome;
import dev.ferrymta.relay.mail.MailAddress;
import java.util.Optional;
import dev.ferrymta.relay.message.DsnRequest;
import dev.ferrymta.relay.smtp.NextMessage;
import dev.ferrymta.relay.smtp.SmtpMessage;

/**
 * An open connection to a receiving server, as a lane uses it: sends one message at a time and
 * says how each went. The SMTP client's session in production ({@link MxConnector}); scripted in
 * the lane's unit tests. Used by one thread at a time.
 */
public interface DeliverySession extends AutoCloseable {

    /**
     * Sends one message to one recipient; never throws for the server's or the network's trouble.
     *
     * @param sender empty for the null sender {@code <>}
     * @param dsn    the message's RFC 3461 request, sent when the server offers DSN
     */
    DeliveryOutcome send(Optional<MailAddress> sender, MailAddress recipient, byte[] mime, DsnRequest dsn);

    /**
     * Sends one message and may start the next one's transaction behind its end of data, as
     * {@link dev.ferrymta.relay.smtp.SmtpSession#send(SmtpMessage, NextMessage)} describes: a
     * message {@code next} hands over is the one sent next on this session. By default nothing
     * is pipelined and {@code next} is not asked.
     */
    default DeliveryOutcome send(SmtpMessage message, NextMessage next) {
        return send(message.sender(), message.recipient(), message.content(), message.dsn());
    }

    /** Whether another message may be sent on it. */
    boolean isUsable();

    /** Transactions attempted on it so far. */
    int messagesSent();

    /** Whether TLS is active. */
    boolean tls();

    /** Whether the server offers 8BITMIME (RFC 6152), so 8-bit parts may go as they are. */
    boolean eightBitMime();

    /** Ends it (QUIT when in step); never throws. */
    @Override
    void close();
}
