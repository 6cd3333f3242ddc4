package dev.ferrymta.relay.smtp;

import dev.ferrymta.relay.attempt.AttemptResult;
import dev.ferrymta.relay.attempt.AttemptState;
import dev.ferrymta.relay.attempt.DeliveryOutcome;
import dev.ferrymta.relay.message.Security;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens SMTP sessions to receiving servers: binds the chosen source address, connects, reads the
 * greeting, says EHLO (HELO when EHLO is refused) and starts TLS as the message's
 * {@link Security} asks. Thread-safe; one per relay instance. Blocking I/O, meant to run on
 * virtual threads.
 */
public final class SmtpClient {

    private static final Logger log = LoggerFactory.getLogger(SmtpClient.class);

    // A host name or address literal: anything else would break the EHLO line.
    private static final Pattern EHLO_NAME = Pattern.compile("[\\x21-\\x7e]{1,255}");

    private final SmtpTimeouts timeouts;
    private final TlsUpgrade tls;
    private final Clock clock;

    /**
     * @param timeouts    how long to wait at each step
     * @param verifiedTls the SSLContext used for {@link Security#VERIFIED} (the default JVM trust store in
     *                    production; tests pass one trusting the sink's certificate)
     * @param clock       stamps the attempts
     */
    public SmtpClient(SmtpTimeouts timeouts, SSLContext verifiedTls, Clock clock) {
        this.timeouts = Objects.requireNonNull(timeouts, "timeouts");
        this.tls = new TlsUpgrade(Objects.requireNonNull(verifiedTls, "verifiedTls"));
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * Connects from {@code source} (the socket bound to it, any port), reads the greeting, says
     * EHLO (HELO when EHLO is refused with 5xx), STARTTLS as {@code security} asks, and EHLO again
     * after TLS.
     *
     * @param source   the local address to send from; it must be configured on this host
     * @param endpoint the server
     * @param ehloName the name to introduce ourselves with, a host name or address literal
     * @param security whether and how to use TLS
     * @throws SmtpFailure carrying a temporary failure at the step where any of that failed
     * @throws IllegalArgumentException when {@code ehloName} could not go into an EHLO command
     */
    public SmtpSession open(InetAddress source, SmtpEndpoint endpoint, String ehloName, Security security)
            throws SmtpFailure {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(security, "security");
        if (ehloName == null || !EHLO_NAME.matcher(ehloName).matches()) {
            throw new IllegalArgumentException(
                    "EHLO name must be 1-255 printable characters without spaces, was '" + ehloName + "'");
        }
        var connection = new SmtpConnection(source, endpoint, timeouts, clock);
        try {
            connection.connect();
            var greeting = connection.expect(AttemptState.INTRO, timeouts.greeting());
            connection.greeted(greeting);
            var extensions = secure(connection, hello(connection, ehloName), ehloName, security);
            log.debug("SMTP {} -> {}: opened, mta {}, tls {}, extensions {}", source.getHostAddress(), endpoint,
                    connection.mta(), connection.tls(), extensions.keywords());
            return new SmtpSession(connection, extensions);
        } catch (StepFailure failure) {
            connection.close();
            var attempt = failure.outcome().attempt();
            log.debug("SMTP {} -> {}: opening failed at {} {}: {}", source.getHostAddress(), endpoint,
                    attempt.state().json(), attempt.result().json(), attempt.description());
            // Steps before MAIL FROM never say the message is bad, whatever the code.
            throw new SmtpFailure(new DeliveryOutcome.TemporaryFailure(attempt));
        } catch (RuntimeException e) {
            connection.close();
            throw e;
        }
    }

    private EhloExtensions hello(SmtpConnection connection, String ehloName) throws StepFailure {
        connection.send(AttemptState.EHLO, List.of("EHLO " + ehloName));
        var ehlo = connection.read(AttemptState.EHLO, timeouts.command());
        if (ehlo.isPositive()) {
            return EhloExtensions.of(ehlo);
        }
        if (!ehlo.isPermanentFailure()) {
            connection.check(AttemptState.EHLO, ehlo);
        }
        // RFC 5321 section 3.2: a server that does not know EHLO may still know HELO.
        connection.send(AttemptState.HELO, List.of("HELO " + ehloName));
        connection.expect(AttemptState.HELO, timeouts.command());
        return EhloExtensions.NONE;
    }

    private EhloExtensions secure(SmtpConnection connection, EhloExtensions extensions, String ehloName,
            Security security) throws StepFailure {
        if (security == Security.NONE) {
            return extensions;
        }
        if (!extensions.offers(EhloExtensions.STARTTLS)) {
            if (security == Security.OPPORTUNISTIC) {
                return extensions;
            }
            throw connection.failure(AttemptState.STARTTLS, AttemptResult.ERROR,
                    "STARTTLS required but not offered by " + connection.endpoint());
        }
        connection.send(AttemptState.STARTTLS, List.of("STARTTLS"));
        connection.expect(AttemptState.STARTTLS, timeouts.command());
        try {
            connection.startTls(tls.layer(connection.plainSocket(), connection.endpoint(), security), security == Security.VERIFIED);
        } catch (IOException e) {
            throw connection.broken(AttemptState.HANDSHAKE, AttemptResult.ERROR, Optional.empty(),
                    "cannot start TLS with " + connection.endpoint() + ": " + e.getMessage());
        }
        // RFC 3207 section 4.2: forget what the server said before TLS and ask again.
        return hello(connection, ehloName);
    }
}
