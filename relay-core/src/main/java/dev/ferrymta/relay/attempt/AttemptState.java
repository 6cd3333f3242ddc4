package dev.ferrymta.relay.attempt;

import java.util.Locale;

/**
 * The step of delivery an attempt ended at, as MailerQ names it in results ({@code "state"}):
 * {@code connect} is the TCP connection, {@code intro} the wait for the server's greeting,
 * {@code authplain} ... {@code authpassword} the steps of SMTP AUTH (RFC 4954) to a smarthost.
 */
public enum AttemptState {
    PROCESS, DNS, BIND, CONNECT, INTRO, HANDSHAKE, EHLO, HELO, STARTTLS, AUTHPLAIN, AUTHLOGIN, AUTHUSERNAME, AUTHPASSWORD,
    MAILFROM, RCPTTO, DATA, MESSAGE;

    /** The name in results: lower case. */
    public String json() {
        return name().toLowerCase(Locale.ROOT);
    }
}
