package dev.ferrymta.relay.smtp;

import dev.ferrymta.relay.attempt.AttemptResult;
import dev.ferrymta.relay.attempt.AttemptState;
import dev.ferrymta.relay.attempt.DeliveryOutcome;
import dev.ferrymta.relay.mail.MailAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * One mail transaction on an open connection (RFC 5321 section 3.3): RSET when an earlier
 * transaction was left unfinished (refused before its message went), MAIL FROM, RCPT TO, DATA,
 * the message, and the reply to its final dot. With
 * PIPELINING (RFC 2920) the commands up to DATA leave in one write and their replies are read
 * after it, every one of them, so the dialogue stays in step when one is refused; and the next
 * message's MAIL, RCPT and DATA may leave in the same write as this one's final dot (section 3.1).
 */
final class MailTransaction {

    private final SmtpConnection connection;
    private final EhloExtensions extensions;

    MailTransaction(SmtpConnection connection, EhloExtensions extensions) {
        this.connection = connection;
        this.extensions = extensions;
    }

    /** How the transaction begins on the connection. */
    enum Start {
        /** The connection is between transactions: MAIL first. */
        FRESH,
        /** An earlier transaction was left unfinished (no reply to its end of data): RSET first. */
        RESET,
        /**
         * MAIL, RCPT and DATA already went out behind the previous message's end of data (RFC 2920
         * section 3.1): their replies come next.
         */
        PIPELINED
    }

    /**
     * Runs the transaction to its outcome.
     *
     * @param start     how it begins: with MAIL, with RSET, or with its commands already sent
     * @param message   the message, checked against the server's extensions and fitted
     * @param following asked once the content is written (with PIPELINING only): the commands
     *                  to write behind the final dot, in the same write; none for none
     */
    DeliveryOutcome run(Start start, SmtpSession.Ready message, Supplier<List<String>> following) {
        try {
            if (start == Start.PIPELINED) {
                readPipelinedEnvelope(false);
            } else if (extensions.offers(EhloExtensions.PIPELINING)) {
                boolean reset = start == Start.RESET;
                var commands = new ArrayList<String>(4);
                if (reset) {
                    commands.add("RSET");
                }
                commands.addAll(envelope(message));
                connection.send(AttemptState.MAILFROM, commands);
                readPipelinedEnvelope(reset);
            } else {
                stepwiseEnvelope(start == Start.RESET, mailFrom(message), rcptTo(message));
            }
            connection.writeData(message.content());
            // The next transaction's commands, if any, and the flush: one write with the final dot.
            connection.send(AttemptState.MESSAGE, extensions.offers(EhloExtensions.PIPELINING) ? following.get() : List.of());
            var reply = connection.expect(AttemptState.MESSAGE, connection.timeouts().dataEnd());
            return connection.classify(AttemptState.MESSAGE, reply);
        } catch (StepFailure failure) {
            return failure.outcome();
        }
    }

    /** The commands that open a transaction for {@code message}, as one pipelined group: MAIL, RCPT, DATA. */
    List<String> envelope(SmtpSession.Ready message) {
        return List.of(mailFrom(message), rcptTo(message), "DATA");
    }

    /** Reads the replies to a pipelined RSET (when {@code reset}), MAIL, RCPT and DATA, every one of them. */
    private void readPipelinedEnvelope(boolean reset) throws StepFailure {
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

    private String mailFrom(SmtpSession.Ready message) {
        var line = new StringBuilder(80).append("MAIL FROM:<")
                .append(message.sender().map(MailAddress::toString).orElse(""))
                .append('>');
        if (extensions.offers(EhloExtensions.SIZE)) {
            line.append(" SIZE=").append(message.size());
        }
        if (extensions.offers(EhloExtensions.EIGHT_BIT_MIME) && DataWriter.hasEightBitBytes(message.content())) {
            line.append(" BODY=8BITMIME");
        }
        if (message.utf8()) {
            line.append(" SMTPUTF8");
        }
        return line.append(message.dsn().mailParameters()).toString();
    }

    private static String rcptTo(SmtpSession.Ready message) {
        return "RCPT TO:<" + message.recipient() + ">" + message.dsn().rcptParameters();
    }
}
