package dev.ferrymta.testing.smtp;

import java.util.Locale;
import java.util.Optional;

/**
 * The steps of an SMTP session that a {@link SmtpScript} rule can answer. Besides the commands a
 * client sends, two steps are the server's own: {@link #GREETING}, the banner sent on connect,
 * and {@link #END_OF_DATA}, the reply to the final {@code .} of a message.
 */
public enum SmtpCommand {
    /** The banner sent when the connection opens; rules see an empty command line. */
    GREETING,
    /** {@code EHLO name}, answered with the extensions the sink offers. */
    EHLO,
    /** {@code HELO name}, the pre-ESMTP greeting. */
    HELO,
    /** {@code MAIL FROM:<sender>}, with any ESMTP parameters. */
    MAIL,
    /** {@code RCPT TO:<recipient>}, one per recipient. */
    RCPT,
    /** The {@code DATA} command itself, normally answered with 354. */
    DATA,
    /** The end of the message text; rules see the command line {@code "."}. */
    END_OF_DATA,
    /** {@code RSET}, which abandons the current transaction. */
    RSET,
    /** {@code NOOP}. */
    NOOP,
    /** {@code QUIT}; the connection closes after the reply, whatever it is. */
    QUIT,
    /** {@code STARTTLS} (RFC 3207); a positive reply starts the TLS handshake. */
    STARTTLS,
    /** {@code AUTH PLAIN} or {@code AUTH LOGIN} (RFC 4954), when the sink was given a login. */
    AUTH;

    /** The command a client line starts with, if it is one the sink knows. */
    static Optional<SmtpCommand> ofVerb(String verb) {
        SmtpCommand command;
        try {
            command = valueOf(verb.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException unknown) {
            return Optional.empty();
        }
        return command == GREETING || command == END_OF_DATA ? Optional.empty() : Optional.of(command);
    }
}
