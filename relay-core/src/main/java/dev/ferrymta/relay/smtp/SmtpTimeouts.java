package dev.ferrymta.relay.smtp;

import java.time.Duration;
import java.util.Objects;

/**
 * RFC 5321 section 4.5.3.2 timeouts, each capped by the configured smtp-timeout.
 *
 * @param connect  for the TCP connection to be established
 * @param greeting for the 220 greeting once connected
 * @param command  for the reply to each command, and for a single write to make progress
 * @param dataEnd  for the reply after the final dot, while the server processes the message
 */
public record SmtpTimeouts(Duration connect, Duration greeting, Duration command, Duration dataEnd) {

    private static final Duration CONNECT = Duration.ofSeconds(30);
    private static final Duration GREETING_AND_COMMAND = Duration.ofMinutes(5);
    private static final Duration DATA_END = Duration.ofMinutes(10);

    public SmtpTimeouts {
        requirePositive(connect, "connect");
        requirePositive(greeting, "greeting");
        requirePositive(command, "command");
        requirePositive(dataEnd, "dataEnd");
    }

    /**
     * connect = min(smtpTimeout, 30s); greeting = command = min(smtpTimeout, 5 min);
     * dataEnd = min(smtpTimeout, 10 min).
     */
    public static SmtpTimeouts of(Duration smtpTimeout) {
        requirePositive(smtpTimeout, "smtpTimeout");
        return new SmtpTimeouts(min(smtpTimeout, CONNECT), min(smtpTimeout, GREETING_AND_COMMAND),
                min(smtpTimeout, GREETING_AND_COMMAND), min(smtpTimeout, DATA_END));
    }

    /** A duration as a socket timeout: whole milliseconds, at least 1 (0 would mean for ever). */
    static int millis(Duration timeout) {
        return (int) Math.clamp(timeout.toMillis(), 1L, Integer.MAX_VALUE);
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static void requirePositive(Duration timeout, String name) {
        Objects.requireNonNull(timeout, name);
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException(name + " timeout must be positive, was " + timeout);
        }
    }
}
