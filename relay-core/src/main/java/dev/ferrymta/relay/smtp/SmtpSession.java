package dev.ferrymta.relay.smtp;

import dev.ferrymta.relay.attempt.Attempt;
import dev.ferrymta.relay.attempt.AttemptResult;
import dev.ferrymta.relay.attempt.AttemptState;
import dev.ferrymta.relay.attempt.DeliveryOutcome;
import dev.ferrymta.relay.attempt.SessionFacts;
import dev.ferrymta.relay.mail.MailAddress;
import dev.ferrymta.relay.message.DsnRequest;
import java.net.InetAddress;
import java.util.List;
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
    /** The message pipelined behind the last end of data, whose replies are still to be read; or null. */
    private Ahead ahead;

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
        return send(new SmtpMessage(sender, recipient, mime, dsn), NextMessage.NONE);
    }

    /**
     * Sends one message as {@link #send(Optional, MailAddress, byte[], DsnRequest)} does, and,
     * when the server offers PIPELINING, asks {@code next} for the following message once this
     * one's content is written: its MAIL, RCPT and DATA leave in the same write as this message's
     * final dot (RFC 2920 section 3.1). This message's outcome is still read before returning;
     * the following message's replies are read when it is sent, which must be next, on this
     * session. A following message this server would refuse before any command (its size, its
     * need of SMTPUTF8) is not pipelined: it is sent, and refused, as usual.
     *
     * @throws IllegalStateException when a message was pipelined and {@code message} is another
     *                               (the connection is given up first: its dialogue is out of step)
     */
    public DeliveryOutcome send(SmtpMessage message, NextMessage next) {
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(next, "next");
        var pipelined = ahead;
        ahead = null;
        if (pipelined != null && pipelined.message() != message) {
            connection.abandon();
            throw new IllegalStateException("sent " + message + " on " + this + " where the pipelined " + pipelined.message()
                    + " had to come next");
        }
        if (!connection.usable()) {
            return new DeliveryOutcome.TemporaryFailure(connection.attempt(AttemptState.MAILFROM, AttemptResult.ERROR,
                    Optional.empty(), "the connection to " + connection.endpoint() + " can no longer be used"));
        }
        Ready ready;
        if (pipelined != null) {
            ready = pipelined.ready();
        } else {
            switch (prepare(message)) {
                case Ready r -> ready = r;
                case Refused refused -> {
                    return refused.outcome();
                }
            }
        }
        messagesSent++;
        boolean dsnOffered = extensions.offers(EhloExtensions.DSN);
        var outcome = transaction.run(pipelined != null ? MailTransaction.Start.PIPELINED
                : transactionLeftOpen ? MailTransaction.Start.RESET : MailTransaction.Start.FRESH, ready, () -> pipelineNext(next));
        transactionLeftOpen = !endedByDataReply(outcome.attempt());
        outcome = withAttempt(outcome, outcome.attempt().withSession(
                new SessionFacts(messagesSent, dsnOffered, connection.tlsFacts(), authentication)));
        var attempt = outcome.attempt();
        log.debug("SMTP {} -> {}: message #{} for {} ended at {} {} {}{}", source().getHostAddress(), endpoint(),
                messagesSent, message.recipient().domain(), attempt.state().json(), attempt.result().json(), attempt.code(),
                ahead != null ? ", the next message pipelined behind it" : "");
        return outcome;
    }

    /** What {@link #prepare} found: a message ready for its transaction, or one refused before any command. */
    private sealed interface Preparation permits Ready, Refused {
    }

    /** A refusal found before anything was sent: the message cannot go to this server as it is. */
    private record Refused(DeliveryOutcome outcome) implements Preparation {
    }

    /** A message as its transaction sends it: fitted content, its RFC 1870 size, and what it needs. */
    record Ready(MailAddress recipient, Optional<MailAddress> sender, byte[] content, long size, boolean utf8, DsnRequest dsn)
            implements Preparation {
    }

    /** A message whose MAIL, RCPT and DATA went out behind the previous end of data; its replies are owed. */
    private record Ahead(SmtpMessage message, Ready ready) {
    }

    /** Checks a message against what the server offers and fits its content; nothing is sent. */
    private Preparation prepare(SmtpMessage message) {
        var mime = message.content();
        var utf8 = smtpUtf8Need(message.sender(), message.recipient(), mime);
        if (utf8 != null && !extensions.offers(EhloExtensions.SMTPUTF8)) {
            // RFC 6531 section 3.4: such a message cannot go to this server at all; nothing is sent.
            return new Refused(permanent("SMTPUTF8 required, not offered by " + connection.endpoint() + ": " + utf8
                    + " (RFC 6531)", "5.6.7"));
        }
        switch (MessageFitting.fit(mime, extensions.offers(EhloExtensions.EIGHT_BIT_MIME))) {
            case MessageFitting.Fitted fitted -> mime = fitted.message();
            case MessageFitting.Refused refused -> {
                return new Refused(permanent("the message cannot be sent to " + connection.endpoint()
                        + " as it is, and cannot be re-encoded: " + refused.reason(), "5.6.3"));
            }
        }
        long size = DataWriter.size(mime);
        var limit = extensions.maxSizeBytes();
        if (limit.isPresent() && size > limit.getAsLong()) {
            // RFC 3463 X.3.4, "message too big for system", as a server that refused it would say (RFC 1870).
            return new Refused(permanent("message of " + size + " bytes is larger than the " + limit.getAsLong()
                    + " bytes " + connection.endpoint() + " accepts (SIZE)", "5.3.4"));
        }
        var dsn = extensions.offers(EhloExtensions.DSN) ? message.dsn() : DsnRequest.NONE;
        return new Ready(message.recipient(), message.sender(), mime, size, utf8 != null, dsn);
    }

    /**
     * Asked by the transaction once the content is written: the following message's commands to
     * write behind the final dot, none when the server does not offer PIPELINING, nothing is
     * ready, or the following message would be refused before any command.
     */
    private List<String> pipelineNext(NextMessage next) {
        if (!extensions.offers(EhloExtensions.PIPELINING) || !connection.usable()) {
            return List.of();
        }
        var following = next.take();
        if (following.isEmpty()) {
            return List.of();
        }
        if (!(prepare(following.get()) instanceof Ready ready)) {
            return List.of();
        }
        ahead = new Ahead(following.get(), ready);
        return transaction.envelope(ready);
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
     * Sends QUIT (waiting at most about 2 s for the reply) when usable, then closes the socket;
     * hangs up without QUIT while a pipelined message's transaction is open.
     * Idempotent, never throws.
     */
    @Override
    public void close() {
        if (ahead != null) {
            // The server may be waiting for the pipelined message's content after its 354: a QUIT
            // now would be read as content. Hanging up drops the unfinished transaction.
            connection.abandon();
            ahead = null;
        }
        connection.close();
    }

    @Override
    public String toString() {
        return "SmtpSession[" + source().getHostAddress() + " -> " + endpoint() + (tls() ? ", TLS" : "")
                + ", " + messagesSent + " sent" + (isUsable() ? "" : ", unusable") + "]";
    }
}
