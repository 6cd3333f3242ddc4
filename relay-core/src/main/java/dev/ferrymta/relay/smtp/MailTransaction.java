package dev.ferrymta.relay.smtp;

import dev.ferrymta.relay.attempt.AttemptResult;
import dev.ferrymta.relay.attempt.AttemptState;
import dev.ferrymta.relay.attempt.DeliveryOutcome;
import dev.ferrymta.relay.mail.MailAddress;
import dev.ferrymta.relay.message.DsnRequest;
import java.util.List;
import java.util.Optional;

/**
 * One mail transaction on an open connection (RFC 5321 section 3.3): RSET when an earlier
 * transaction was left unfinished (refused before its message went), MAIL FROM, RCPT TO, DATA,
 * the message, and the reply to its final dot. With
 * PIPELINING (RFC 2920) the commands up to DATA leave in one write and their replies are read
 * after it, every one of them, so the dialogue stays in step when one is refused.
 */
final class MailTransaction {

    private final SmtpConnection connection;
    private final EhloExtensions extensions;

    MailTransaction(SmtpConnection connection, EhloExtensions extensions) {
        this.connection = connection;
        this.extensions = extensions;
    }

    /**
     * Runs the transaction to its outcome.
     *
     * @param reset whether an earlier transaction on this connection was left unfinished (no reply
     *              to its end of data), to be cleared with RSET first
     * @param size  the message size as RFC 1870 counts it
     * @param utf8  whether the envelope or the headers need SMTPUTF8 (the server offers it)
     * @param dsn   RFC 3461 parameters to send (the server offers DSN), or {@link DsnRequest#NONE}
     */
    DeliveryOutcome run(boolean reset, Optional<MailAddress> sender, MailAddress recipient, byte[] message, long size,
            boolean utf8, DsnRequest dsn) {
        var mailFrom = mailFrom(sender, message, size, utf8) + dsn.mailParameters();
        var rcptTo = "RCPT TO:<" + recipient + ">" + dsn.rcptParameters();
        try {
            if (extensions.offers(EhloExtensions.PIPELINING)) {
                pipelinedEnvelope(reset, mailFrom, rcptTo);
            } else {
                stepwiseEnvelope(reset, mailFrom, rcptTo);
            }
            connection.sendData(message);
            var reply = connection.expect(AttemptState.MESSAGE, connection.timeouts().dataEnd());
            return connection.classify(AttemptState.MESSAGE, reply);
        } catch (StepFailure failure) {
            return failure.outcome();
        }
    }

    private void pipelinedEnvelope(boolean reset, String mailFrom, String rcptTo) throws StepFailure {
        var commands = reset ? List.of("RSET", mailFrom, rcptTo, "DATA") : List.of(mailFrom, rcptTo, "DATA");
        connection.send(AttemptState.MAILFROM, commands);
        if (reset) {
            checkReset(read(AttemptState.MAILFROM));
        }
        var mail = read(AttemptState.MAILFROM);
        var rcpt = read(AttemptState.RCPTTO);
        var data = read(AttemptState.DATA);
        if (!(mail.isPositive() && rcpt.isPositive()) && data.code() == 354) {
            // RFC 2920 servers answer DATA with 503 or 554 here; this one wants a message we will not send.
            connection.abandon();
        }
        connection.check(AttemptState.MAILFROM, mail);
        connection.check(AttemptState.RCPTTO, rcpt);
        connection.check(AttemptState.DATA, data);
    }

    private void stepwiseEnvelope(boolean reset, String mailFrom, String rcptTo) throws StepFailure {
        if (reset) {
            connection.send(AttemptState.MAILFROM, List.of("RSET"));
            checkReset(read(AttemptState.MAILFROM));
        }
        connection.send(AttemptState.MAILFROM, List.of(mailFrom));
        connection.expect(AttemptState.MAILFROM, connection.timeouts().command());
        connection.send(AttemptState.RCPTTO, List.of(rcptTo));
        connection.expect(AttemptState.RCPTTO, connection.timeouts().command());
        connection.send(AttemptState.DATA, List.of("DATA"));
        connection.expect(AttemptState.DATA, connection.timeouts().command());
    }

    /** A reply to one of the pipelined commands; 421 ends the transaction at once, as the server hangs up. */
    private SmtpReply read(AttemptState state) throws StepFailure {
        var reply = connection.read(state, connection.timeouts().command());
        if (reply.code() == 421) {
            connection.check(state, reply);
        }
        return reply;
    }

    private void checkReset(SmtpReply reply) throws StepFailure {
        if (!reply.isPositive()) {
            // Not the message's fault, whatever the code: temporary, and this connection is done.
            throw connection.broken(AttemptState.MAILFROM, AttemptResult.ERROR, Optional.of(reply),
                    "RSET refused by " + connection.endpoint() + ": " + reply);
        }
    }

    private String mailFrom(Optional<MailAddress> sender, byte[] message, long size, boolean utf8) {
        var line = new StringBuilder(80).append("MAIL FROM:<")
                .append(sender.map(MailAddress::toString).orElse(""))
                .append('>');
        if (extensions.offers(EhloExtensions.SIZE)) {
            line.append(" SIZE=").append(size);
        }
        if (extensions.offers(EhloExtensions.EIGHT_BIT_MIME) && DataWriter.hasEightBitBytes(message)) {
            line.append(" BODY=8BITMIME");
        }
        if (utf8) {
            line.append(" SMTPUTF8");
        }
        return line.toString();
    }
}
