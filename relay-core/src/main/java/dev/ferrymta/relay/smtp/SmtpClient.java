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
        return open(source, endpoint, ehloName, security, Optional.empty());
    }

    /**
     * As {@link #open(InetAddress, SmtpEndpoint, String, Security)}, then logs in with SMTP AUTH
     * (RFC 4954) when {@code login} is given: PLAIN (RFC 4616) when offered, else LOGIN; only over
     * TLS unless the login allows plain. A refused login (5xx), a server without AUTH or without a
     * mechanism Ferry speaks, and a login that would go without TLS are permanent failures at the
     * AUTH step; a 4xx is temporary.
     *
     * @param login what to log in with; empty: no AUTH
     * @throws SmtpFailure carrying the failure at the step where it happened
     */
    public SmtpSession open(InetAddress source, SmtpEndpoint endpoint, String ehloName, Security security,
            Optional<SmtpLogin> login) throws SmtpFailure {
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
            var mechanism = login.isPresent() ? Optional.of(authenticate(connection, extensions, login.get())) : Optional.<String>empty();
            log.debug("SMTP {} -> {}: opened, mta {}, tls {}, extensions {}{}", source.getHostAddress(), endpoint,
                    connection.mta(), connection.tls(), extensions.keywords(), mechanism.map(m -> ", AUTH " + m).orElse(""));
            return new SmtpSession(connection, extensions, mechanism);
        } catch (StepFailure failure) {
            connection.close();
            var attempt = failure.outcome().attempt();
            log.debug("SMTP {} -> {}: opening failed at {} {}: {}", source.getHostAddress(), endpoint,
                    attempt.state().json(), attempt.result().json(), attempt.description());
            if (failure.outcome() instanceof DeliveryOutcome.PermanentFailure refusedLogin) {
                // Only AUTH decides for good: the same login will be refused the same way next time.
                throw new SmtpFailure(refusedLogin);
            }
            // Steps before MAIL FROM never say the message is bad, whatever the code.
            throw new SmtpFailure(new DeliveryOutcome.TemporaryFailure(attempt));
        } catch (RuntimeException e) {
            connection.close();
            throw e;
        }
    }

    /** Logs in; the mechanism used ("PLAIN" or "LOGIN"). */
    private String authenticate(SmtpConnection connection, EhloExtensions extensions, SmtpLogin login) throws StepFailure {
        if (!connection.tls() && !login.allowPlain()) {
            throw refused(connection, AttemptState.AUTHPLAIN, Optional.empty(), "not sending the smarthost password to "
                    + connection.endpoint() + " without TLS (it offers no STARTTLS, or TLS failed); \"allowplain\": true allows it");
        }
        if (!extensions.offers(EhloExtensions.AUTH)) {
            throw refused(connection, AttemptState.AUTHPLAIN, Optional.empty(), connection.endpoint() + " offers no AUTH (RFC 4954)");
        }
        var base64 = java.util.Base64.getEncoder();
        var utf8 = java.nio.charset.StandardCharsets.UTF_8;
        if (extensions.authMechanisms().contains("PLAIN")) {
            // RFC 4616: authorization identity (empty), NUL, user name, NUL, password; with the
            // initial response, in one line (RFC 4954 section 4).
            var response = base64.encodeToString(("\0" + login.username() + "\0" + login.password()).getBytes(utf8));
            connection.send(AttemptState.AUTHPLAIN, List.of("AUTH PLAIN " + response));
            loggedIn(connection, AttemptState.AUTHPLAIN, connection.read(AttemptState.AUTHPLAIN, timeouts.command()));
            return "PLAIN";
        }
        if (extensions.authMechanisms().contains("LOGIN")) {
            connection.send(AttemptState.AUTHLOGIN, List.of("AUTH LOGIN"));
            challenge(connection, AttemptState.AUTHLOGIN);
            connection.send(AttemptState.AUTHUSERNAME, List.of(base64.encodeToString(login.username().getBytes(utf8))));
            challenge(connection, AttemptState.AUTHUSERNAME);
            connection.send(AttemptState.AUTHPASSWORD, List.of(base64.encodeToString(login.password().getBytes(utf8))));
            loggedIn(connection, AttemptState.AUTHPASSWORD, connection.read(AttemptState.AUTHPASSWORD, timeouts.command()));
            return "LOGIN";
        }
        throw refused(connection, AttemptState.AUTHPLAIN, Optional.empty(), connection.endpoint()
                + " offers AUTH only with " + extensions.authMechanisms() + "; Ferry logs in with PLAIN or LOGIN");
    }

    private void challenge(SmtpConnection connection, AttemptState state) throws StepFailure {
        var reply = connection.read(state, timeouts.command());
        if (reply.code() != 334) {
            loggedIn(connection, state, reply);
        }
    }

    /** 235 goes on; 5xx is a permanent failure, anything else a temporary one. */
    private static void loggedIn(SmtpConnection connection, AttemptState state, SmtpReply reply) throws StepFailure {
        if (reply.code() == 235) {
            return;
        }
        if (reply.isPermanentFailure()) {
            throw refused(connection, state, Optional.of(reply), "the smarthost " + connection.endpoint() + " refused the login: " + reply);
        }
        throw connection.broken(state, AttemptResult.ERROR, Optional.of(reply), "the smarthost " + connection.endpoint()
                + " did not take the login now: " + reply);
    }

    private static StepFailure refused(SmtpConnection connection, AttemptState state, Optional<SmtpReply> reply, String description) {
        connection.abandon();
        return new StepFailure(new DeliveryOutcome.PermanentFailure(connection.attempt(state, AttemptResult.ERROR, reply, description)));
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
