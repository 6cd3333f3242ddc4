package dev.ferrymta.relay.smtp;

import dev.ferrymta.relay.attempt.Attempt;
import dev.ferrymta.relay.attempt.AttemptResult;
import dev.ferrymta.relay.attempt.AttemptState;
import dev.ferrymta.relay.attempt.DeliveryOutcome;
import dev.ferrymta.relay.smtp.ReplyClassifier;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import dev.ferrymta.relay.attempt.SessionFacts;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The wire of one SMTP client connection: writes commands, reads replies with the right timeout,
 * and turns every kind of trouble into a {@link StepFailure} whose outcome has a complete
 * {@link Attempt}. Trouble that leaves the dialogue out of step (I/O, a protocol violation, 421)
 * makes the connection unusable.
 */
final class SmtpConnection {

    private static final Logger log = LoggerFactory.getLogger(SmtpConnection.class);

    // Holds a typical message, its envelope and the terminator, so they leave in one segment.
    private static final int OUTPUT_BUFFER_BYTES = 16 * 1024;
    private static final byte[] CRLF = {'\r', '\n'};
    private static final Duration QUIT_TIMEOUT = Duration.ofSeconds(2);
    private static final int MAX_MTA_NAME_CHARS = 255;

    private final Socket plain = new Socket();
    private final InetAddress source;
    private final SmtpEndpoint endpoint;
    private final SmtpTimeouts timeouts;
    private final Clock clock;
    private Socket socket = plain;
    private ReplyReader reader;
    private OutputStream out;
    private StallWatch.Guard guard;
    private String mta;
    private boolean usable;
    private boolean tls;
    private Optional<SessionFacts.Tls> tlsFacts = Optional.empty();
    private boolean closed;

    SmtpConnection(InetAddress source, SmtpEndpoint endpoint, SmtpTimeouts timeouts, Clock clock) {
        this.source = source;
        this.endpoint = endpoint;
        this.timeouts = timeouts;
        this.clock = clock;
        this.mta = endpoint.hostName();
    }

    /** Binds the socket to the source address and connects it to the endpoint. */
    void connect() throws StepFailure {
        try {
            plain.setTcpNoDelay(true);
            plain.bind(new InetSocketAddress(source, 0));
        } catch (IOException e) {
            throw failure(AttemptState.BIND, AttemptResult.ERROR,
                    "cannot bind to " + source.getHostAddress() + ": " + reason(e));
        }
        try {
            var remote = new InetSocketAddress(endpoint.address(), endpoint.port());
            plain.connect(remote, SmtpTimeouts.millis(timeouts.connect()));
            guard = StallWatch.SHARED.guard(plain, shortest(timeouts));
            useStreams(plain);
        } catch (SocketTimeoutException e) {
            throw failure(AttemptState.CONNECT, AttemptResult.TIMEOUT,
                    "no connection to " + endpoint + " within " + timeouts.connect().toMillis() + " ms");
        } catch (IOException e) {
            // Refused or unreachable: the connection never existed, so it was not lost.
            throw failure(AttemptState.CONNECT, AttemptResult.ERROR,
                    "cannot connect to " + endpoint + ": " + reason(e));
        }
        usable = true;
    }

    /** Writes the commands and flushes them together, so pipelined commands leave in one write. */
    void send(AttemptState state, List<String> commands) throws StepFailure {
        try {
            for (String command : commands) {
                out.write(command.getBytes(StandardCharsets.UTF_8));
                out.write(CRLF);
            }
            out.flush();
        } catch (IOException e) {
            throw ioFailure(state, e);
        }
    }

    /**
     * Writes the message as DATA text with its terminator, without flushing: {@link #send} with
     * the commands that may follow it in the same write (or none) flushes it.
     */
    void writeData(byte[] message) throws StepFailure {
        try {
            DataWriter.write(message, out);
        } catch (IOException e) {
            throw ioFailure(AttemptState.MESSAGE, e);
        }
    }

    /** The next reply, whatever its code; 421 makes the connection unusable, as the server is closing it. */
    SmtpReply read(AttemptState state, Duration timeout) throws StepFailure {
        ReplyReader.Result result;
        long deadline = System.nanoTime() + timeout.toNanos();
        // A deadline for the whole reply, not a timeout per read: a server dribbling its reply a
        // byte at a time must not hold the attempt longer than the step allows. The guard closes
        // the connection when it passes; the reads themselves have no timeout of their own.
        guard.arm(deadline);
        try {
            result = reader.read(() -> {
                if (deadline - System.nanoTime() <= 0) {
                    throw new SocketTimeoutException("the step's deadline passed");
                }
            });
        } catch (SocketTimeoutException e) {
            throw timedOut(state, timeout);
        } catch (IOException e) {
            throw guard.expired() ? timedOut(state, timeout) : ioFailure(state, e);
        } finally {
            guard.disarm();
        }
        return switch (result) {
            case ReplyReader.Received received -> {
                if (received.reply().code() == 421) {
                    usable = false;
                }
                yield received.reply();
            }
            case ReplyReader.Violation violation -> throw broken(state, AttemptResult.ERROR, Optional.empty(),
                    "protocol error from " + endpoint + ": " + violation.description());
        };
    }

    private StepFailure timedOut(AttemptState state, Duration timeout) {
        return broken(state, AttemptResult.TIMEOUT, Optional.empty(),
                "no complete reply from " + endpoint + " within " + timeout.toMillis() + " ms");
    }

    /** The next reply, when it is the one that lets the dialogue go on at this step. */
    SmtpReply expect(AttemptState state, Duration timeout) throws StepFailure {
        var reply = read(state, timeout);
        check(state, reply);
        return reply;
    }

    /**
     * Goes on when the reply is the one wanted at this step (220 to the greeting, 354 to DATA, 2xx
     * otherwise). A refusal ends the attempt as {@link ReplyClassifier} judges it; any other code
     * is out of place and leaves the dialogue out of step.
     */
    void check(AttemptState state, SmtpReply reply) throws StepFailure {
        boolean wanted = switch (state) {
            case INTRO -> reply.code() == 220;
            case DATA -> reply.code() == 354;
            default -> reply.isPositive();
        };
        if (wanted) {
            return;
        }
        if (reply.isTransientFailure() || reply.isPermanentFailure()) {
            throw new StepFailure(classify(state, reply));
        }
        throw broken(state, AttemptResult.ERROR, Optional.of(reply),
                "unexpected reply from " + endpoint + ": " + reply);
    }

    /** The outcome of a reply at a step. */
    DeliveryOutcome classify(AttemptState state, SmtpReply reply) {
        return ReplyClassifier.classify(state, reply, clock.instant(), source, endpoint.address(), Optional.of(mta));
    }

    /** Runs the TLS handshake on {@code secured} and continues the dialogue over it. */
    void startTls(SSLSocket secured, boolean verified) throws StepFailure {
        try {
            secured.setSoTimeout(SmtpTimeouts.millis(timeouts.command()));
            secured.startHandshake();
            // From here on the guard bounds each step, as on the plain connection.
            secured.setSoTimeout(0);
            socket = secured;
            useStreams(secured);
            tls = true;
            tlsFacts = facts(secured.getSession(), verified);
        } catch (IOException e) {
            // A connection reset or timeout during the handshake may come wrapped in an SSLException.
            var cause = e instanceof SSLException && e.getCause() instanceof IOException io
                    && !(io instanceof SSLException) ? io : e;
            throw cause instanceof SSLException
                    ? broken(AttemptState.HANDSHAKE, AttemptResult.ERROR, Optional.empty(),
                            "TLS handshake with " + endpoint + " failed: " + reason(e))
                    : ioFailure(AttemptState.HANDSHAKE, cause);
        }
    }

    /** A failure that leaves the connection as it was. */
    StepFailure failure(AttemptState state, AttemptResult result, String description) {
        var attempt = attempt(state, result, Optional.empty(), description);
        return new StepFailure(new DeliveryOutcome.TemporaryFailure(attempt));
    }

    /** A temporary failure after which the dialogue is out of step: the connection is not used again. */
    StepFailure broken(AttemptState state, AttemptResult result, Optional<SmtpReply> reply, String description) {
        usable = false;
        return new StepFailure(new DeliveryOutcome.TemporaryFailure(attempt(state, result, reply, description)));
    }

    /** An attempt at this step, with the addresses and the server's name filled in. */
    Attempt attempt(AttemptState state, AttemptResult result, Optional<SmtpReply> reply, String description) {
        return new Attempt(state, result, clock.instant(), Optional.of(source), Optional.of(endpoint.address()),
                Optional.of(mta), reply.map(r -> OptionalInt.of(r.code())).orElse(OptionalInt.empty()),
                reply.flatMap(SmtpReply::enhancedStatus), description);
    }

    /** Takes the server's name from its 220 greeting: the first word, if there is one. */
    void greeted(SmtpReply greeting) {
        var first = greeting.lines().isEmpty() ? "" : greeting.lines().getFirst().strip();
        var name = first.split("\\s+", 2)[0];
        if (!name.isEmpty()) {
            mta = name.length() > MAX_MTA_NAME_CHARS ? name.substring(0, MAX_MTA_NAME_CHARS) : name;
        }
    }

    /** Gives the connection up without further commands: the dialogue is out of step. */
    void abandon() {
        usable = false;
    }

    /** Sends QUIT when the dialogue is in step, then closes; idempotent, never throws. */
    void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (usable) {
            try {
                var timeout = timeouts.command().compareTo(QUIT_TIMEOUT) < 0 ? timeouts.command() : QUIT_TIMEOUT;
                send(AttemptState.MESSAGE, List.of("QUIT"));
                read(AttemptState.MESSAGE, timeout);
            } catch (StepFailure e) {
                log.debug("SMTP {} -> {}: QUIT went unanswered: {}", source.getHostAddress(), endpoint, reason(e));
            }
        }
        usable = false;
        try {
            // A TLS close may wait for the peer's close_notify; do not let it wait long.
            socket.setSoTimeout(SmtpTimeouts.millis(QUIT_TIMEOUT));
            socket.close();
        } catch (IOException e) {
            log.debug("SMTP {} -> {}: closing failed: {}", source.getHostAddress(), endpoint, e.toString());
        } finally {
            closeQuietly(plain);
        }
    }

    Socket plainSocket() {
        return plain;
    }

    boolean usable() {
        return usable;
    }

    /** The TLS session's cipher and the server's certificate, once STARTTLS succeeded. */
    Optional<SessionFacts.Tls> tlsFacts() {
        return tlsFacts;
    }

    private static Optional<SessionFacts.Tls> facts(javax.net.ssl.SSLSession session, boolean verified) {
        var suite = session.getCipherSuite();
        try {
            var certificates = session.getPeerCertificates();
            if (certificates.length > 0 && certificates[0] instanceof java.security.cert.X509Certificate x509) {
                return Optional.of(new SessionFacts.Tls(suite, session.getProtocol(), SessionFacts.Tls.bitsOf(suite),
                        x509.getSubjectX500Principal().getName(), x509.getIssuerX500Principal().getName(),
                        x509.getNotBefore().toInstant(), x509.getNotAfter().toInstant(), verified));
            }
        } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
            // An anonymous suite: no certificate to describe.
        }
        return Optional.empty();
    }

    boolean tls() {
        return tls;
    }

    String mta() {
        return mta;
    }

    InetAddress source() {
        return source;
    }

    SmtpEndpoint endpoint() {
        return endpoint;
    }

    SmtpTimeouts timeouts() {
        return timeouts;
    }

    private void useStreams(Socket current) throws IOException {
        reader = new ReplyReader(current.getInputStream());
        var timed = new WriteTimeoutOutputStream(current.getOutputStream(), guard, timeouts.command());
        out = new BufferedOutputStream(timed, OUTPUT_BUFFER_BYTES);
    }

    /** The shortest of the timeouts a connected session uses: its guard is looked at often enough for it. */
    private static Duration shortest(SmtpTimeouts timeouts) {
        var shortest = timeouts.greeting();
        for (var other : List.of(timeouts.command(), timeouts.dataEnd())) {
            if (other.compareTo(shortest) < 0) {
                shortest = other;
            }
        }
        return shortest;
    }

    private StepFailure ioFailure(AttemptState state, IOException e) {
        if (e instanceof SocketTimeoutException) {
            return broken(state, AttemptResult.TIMEOUT, Optional.empty(),
                    "timed out on " + endpoint + ": " + reason(e));
        }
        return broken(state, AttemptResult.LOST, Optional.empty(),
                "connection to " + endpoint + " lost: " + reason(e));
    }

    /** An exception's message for a description; some I/O exceptions have none. */
    private static String reason(Exception e) {
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }

    private void closeQuietly(Socket closing) {
        try {
            closing.close();
        } catch (IOException e) {
            log.debug("SMTP {} -> {}: closing failed: {}", source.getHostAddress(), endpoint, e.toString());
        }
    }
}
