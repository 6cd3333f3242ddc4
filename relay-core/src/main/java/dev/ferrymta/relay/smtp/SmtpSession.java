package dev.ferrymta.relay.smtp;

import dev.ferrymta.relay.attempt.Attempt;
import dev.ferrymta.relay.attempt.AttemptResult;
import dev.ferrymta.relay.attempt.AttemptState;
import dev.ferrymta.relay.attempt.DeliveryOutcome;
import dev.ferrymta.relay.attempt.SessionFacts;
import dev.ferrymta.relay.mail.MailAddress;
import dev.ferrymta.relay.message.DsnRequest;
import java.net.InetAddress;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One open SMTP connection, greeted and (as its security asked) on TLS; sends messages one at a
 * time. Used by one thread at a time. Opened by {@link SmtpClient#open}.
 */
public final class SmtpSession implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SmtpSession.class);

    private final SmtpConnection connection;
    private final EhloExtensions extensions;
    private final MailTransaction transaction;
    private final Optional<String> authentication;
    private int messagesSent;
    /**
     * Whether a transaction was begun and not ended by a reply to its end of data, so the next
     * one starts with RSET (RFC 5321 section 4.1.1.5). The reply to the end of data ends a
     * transaction whatever it says (section 4.1.1.4), so after one nothing needs clearing.
     */
    private boolean transactionLeftOpen;

    SmtpSession(SmtpConnection connection, EhloExtensions extensions) {
        this(connection, extensions, Optional.empty());
    }

    /** @param authentication the AUTH mechanism the session logged in with, if it did */
    SmtpSession(SmtpConnection connection, EhloExtensions extensions, Optional<String> authentication) {
        this.connection = connection;
        this.extensions = extensions;
        this.transaction = new MailTransaction(connection, extensions);
        this.authentication = authentication;
    }

    /**
     * Sends one message to one recipient. Never throws for I/O or protocol trouble: returns the
     * outcome ({@code Delivered}, {@code TemporaryFailure} or {@code PermanentFailure}) with a
     * complete attempt: the step it ended at, how, when, the source and remote IP, the server's
     * name, and its reply when there was one. A message larger than the server's declared SIZE
     * limit is not sent at all: a permanent failure at {@code mailfrom} without a code.
     *
     * @param sender    the envelope sender; empty for the null sender {@code <>} (bounces)
     * @param recipient the envelope recipient
     * @param mime      the message as it goes on the wire; line endings are made CRLF on the way
     */
    public DeliveryOutcome send(Optional<MailAddress> sender, MailAddress recipient, byte[] mime) {
        return send(sender, recipient, mime, DsnRequest.NONE);
    }

    /**
     * Sends one message, with the message's RFC 3461 request as MAIL and RCPT parameters when
     * the server offers {@code DSN} (left off when it does not). The attempt of a message that
     * went over this session says whether DSN was offered ({@link Attempt#session()}).
     *
     * @param dsn the message's {@code "dsn"} property; {@link DsnRequest#NONE} for none
     */
    public DeliveryOutcome send(Optional<MailAddress> sender, MailAddress recipient, byte[] mime, DsnRequest dsn) {
        Objects.requireNonNull(sender, "sender");
        Objects.requireNonNull(recipient, "recipient");
        Objects.requireNonNull(mime, "mime");
        if (!connection.usable()) {
            return new DeliveryOutcome.TemporaryFailure(connection.attempt(AttemptState.MAILFROM, AttemptResult.ERROR,
                    Optional.empty(), "the connection to " + connection.endpoint() + " can no longer be used"));
        }
        var utf8 = smtpUtf8Need(sender, recipient, mime);
        if (utf8 != null && !extensions.offers(EhloExtensions.SMTPUTF8)) {
            // RFC 6531 section 3.4: such a message cannot go to this server at all; nothing is sent.
            return permanent("SMTPUTF8 required, not offered by " + connection.endpoint() + ": " + utf8 + " (RFC 6531)", "5.6.7");
        }
        switch (MessageFitting.fit(mime, extensions.offers(EhloExtensions.EIGHT_BIT_MIME))) {
            case MessageFitting.Fitted fitted -> mime = fitted.message();
            case MessageFitting.Refused refused -> {
                return permanent("the message cannot be sent to " + connection.endpoint() + " as it is, and cannot be re-encoded: "
                        + refused.reason(), "5.6.3");
            }
        }
        long size = DataWriter.size(mime);
        var limit = extensions.maxSizeBytes();
        if (limit.isPresent() && size > limit.getAsLong()) {
            return new DeliveryOutcome.PermanentFailure(connection.attempt(AttemptState.MAILFROM, AttemptResult.ERROR,
                    Optional.empty(), "message of " + size + " bytes is larger than the " + limit.getAsLong()
                            + " bytes " + connection.endpoint() + " accepts (SIZE)"));
        }
        messagesSent++;
        boolean dsnOffered = extensions.offers(EhloExtensions.DSN);
        var outcome = transaction.run(transactionLeftOpen, sender, recipient, mime, size, utf8 != null,
                dsnOffered ? dsn : DsnRequest.NONE);
        transactionLeftOpen = !endedByDataReply(outcome.attempt());
        outcome = withAttempt(outcome, outcome.attempt().withSession(
                new SessionFacts(messagesSent, dsnOffered, connection.tlsFacts(), authentication)));
        var attempt = outcome.attempt();
        log.debug("SMTP {} -> {}: message #{} for {} ended at {} {} {}", source().getHostAddress(), endpoint(),
                messagesSent, recipient.domain(), attempt.state().json(), attempt.result().json(), attempt.code());
        return outcome;
    }

    /** Whether the transaction got as far as a reply to its end of data, which ends it. */
    private static boolean endedByDataReply(Attempt attempt) {
        return attempt.state() == AttemptState.MESSAGE && attempt.code().isPresent();
    }

    private static DeliveryOutcome withAttempt(DeliveryOutcome outcome, Attempt attempt) {
        return switch (outcome) {
            case DeliveryOutcome.Delivered delivered -> new DeliveryOutcome.Delivered(attempt);
            case DeliveryOutcome.TemporaryFailure temporary -> new DeliveryOutcome.TemporaryFailure(attempt);
            case DeliveryOutcome.PermanentFailure permanent -> new DeliveryOutcome.PermanentFailure(attempt);
        };
    }

    /** A failure before anything was sent, with its enhanced status code (RFC 3463). */
    private DeliveryOutcome permanent(String description, String status) {
        var a = connection.attempt(AttemptState.MAILFROM, AttemptResult.ERROR, Optional.empty(), description);
        return new DeliveryOutcome.PermanentFailure(new Attempt(a.state(), a.result(), a.time(), a.from(), a.to(), a.mta(), a.code(),
                Optional.of(status), a.description()));
    }

    /** What in the message needs SMTPUTF8, or null when nothing does. */
    private static String smtpUtf8Need(Optional<MailAddress> sender, MailAddress recipient, byte[] mime) {
        if (recipient.needsSmtpUtf8()) {
            return "the recipient " + recipient + " has a UTF-8 local part";
        }
        if (sender.isPresent() && sender.get().needsSmtpUtf8()) {
            return "the sender " + sender.get() + " has a UTF-8 local part";
        }
        if (DataWriter.hasEightBitHeaders(mime)) {
            return "the message has UTF-8 in its headers (RFC 6532)";
        }
        return null;
    }

    /**
     * Whether another message may be sent on this connection: false after a timeout, a lost
     * connection, 421, a protocol error, or {@link #close()}.
     */
    public boolean isUsable() {
        return connection.usable();
    }

    /**
     * Transactions attempted on this connection, accepted or not; a message refused for its size
     * before anything was sent does not count.
     */
    public int messagesSent() {
        return messagesSent;
    }

    /** Whether STARTTLS is active. */
    public boolean tls() {
        return connection.tls();
    }

    /** The server's name from its greeting (the first word after 220), or the endpoint host name. */
    public String mta() {
        return connection.mta();
    }

    /** The local address the connection was made from. */
    public InetAddress source() {
        return connection.source();
    }

    /** The server connected to. */
    public SmtpEndpoint endpoint() {
        return connection.endpoint();
    }

    /** The upper-case EHLO keywords the server offered, after TLS when TLS is active; empty after HELO. */
    public Set<String> extensions() {
        return extensions.keywords();
    }

    /**
     * Sends QUIT (waiting at most about 2 s for the reply) when usable, then closes the socket.
     * Idempotent, never throws.
     */
    @Override
    public void close() {
        connection.close();
    }

    @Override
    public String toString() {
        return "SmtpSession[" + source().getHostAddress() + " -> " + endpoint() + (tls() ? ", TLS" : "")
                + ", " + messagesSent + " sent" + (isUsable() ? "" : ", unusable") + "]";
    }
}
