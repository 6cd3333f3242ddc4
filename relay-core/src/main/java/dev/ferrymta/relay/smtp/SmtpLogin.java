package dev.ferrymta.relay.smtp;

/**
 * What SMTP AUTH (RFC 4954) logs in with on a session: PLAIN (RFC 4616) when the server offers it,
 * else LOGIN.
 *
 * @param username   the user name
 * @param password   the password; never logged, never in an attempt's description
 * @param allowPlain whether it may be sent over a connection without TLS
 */
public record SmtpLogin(String username, String password, boolean allowPlain) {

    /** Keeps the password out of logs. */
    @Override
    public String toString() {
        return "login " + username;
    }
}
