package dev.ferrymta.testing.smtp;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An SMTP server for tests that accepts mail on real sockets and records it. Each connection is
 * served on its own virtual thread; every message accepted is kept as a {@link ReceivedMessage}
 * with the client's source address, its EHLO, the envelope and the data. {@link #script()}
 * changes how the sink answers. Closing the sink closes its listening sockets and every open
 * connection.
 *
 * <pre>{@code
 * try (SmtpSink sink = SmtpSink.start(InetAddress.getByName("127.0.0.1"), 0)) {
 *     // point the relay at sink.endpoint(), send, then:
 *     await().until(() -> sink.messages().size() == 1);
 *     assertThat(sink.messages().get(0).clientAddress()).isEqualTo(InetAddress.getByName("127.0.0.2"));
 * }
 * }</pre>
 *
 * <p>The sink advertises PIPELINING, SIZE, 8BITMIME, ENHANCEDSTATUSCODES and, before TLS and
 * unless {@link Builder#withoutTls()}, STARTTLS with a {@link SelfSignedCertificate}.
 */
public final class SmtpSink implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SmtpSink.class);

    /** Default for {@link Builder#maxMessageSizeBytes(long)}: 32 MiB. */
    public static final long DEFAULT_MAX_MESSAGE_SIZE_BYTES = 32L * 1024 * 1024;

    private static final AtomicLong CONNECTION_IDS = new AtomicLong();
    private static final int BACKLOG = 128;
    // A forgotten client must not pin a session thread for ever.
    private static final Duration IDLE_TIMEOUT = Duration.ofMinutes(5);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);

    private final List<ServerSocket> listeners;
    private final List<InetSocketAddress> endpoints;
    private final SinkSettings settings;
    private final Optional<SelfSignedCertificate> certificate;
    private final SmtpScript script = new SmtpScript();
    private final ConnectionGauge gauge = new ConnectionGauge();
    private final Set<Socket> connections = ConcurrentHashMap.newKeySet();
    private final List<ReceivedMessage> received = new ArrayList<>();
    private final ExecutorService threads =
            Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("smtp-sink-", 1).factory());
    private final AtomicBoolean closed = new AtomicBoolean();

    private SmtpSink(List<ServerSocket> listeners, SinkSettings settings, Optional<SelfSignedCertificate> certificate) {
        this.listeners = List.copyOf(listeners);
        this.endpoints = this.listeners.stream()
                .map(listener -> (InetSocketAddress) listener.getLocalSocketAddress())
                .toList();
        this.settings = settings;
        this.certificate = certificate;
        for (ServerSocket listener : this.listeners) {
            threads.execute(() -> accept(listener));
            log.info("SMTP sink listening on {}", listener.getLocalSocketAddress());
        }
    }

    /**
     * Starts a sink with STARTTLS on one address; port 0 picks a free port.
     *
     * @throws IOException if the address and port cannot be bound
     */
    public static SmtpSink start(InetAddress address, int port) throws IOException {
        return builder().listen(address, port).start();
    }

    /** A builder for a sink with several addresses or other settings. */
    public static Builder builder() {
        return new Builder();
    }

    /** The first address and port the sink listens on, with the actual port if 0 was asked for. */
    public InetSocketAddress endpoint() {
        return endpoints().get(0);
    }

    /** The port of {@link #endpoint()}. */
    public int port() {
        return endpoint().getPort();
    }

    /** Every address and port the sink listens on, in the order given to the builder. */
    public List<InetSocketAddress> endpoints() {
        return endpoints;
    }

    /** The certificate STARTTLS presents, for a client to trust; empty when TLS is off. */
    public Optional<SelfSignedCertificate> certificate() {
        return certificate;
    }

    /** The rules that change how this sink answers; see {@link SmtpScript}. */
    public SmtpScript script() {
        return script;
    }

    /** The messages accepted so far, oldest first; a snapshot. */
    public List<ReceivedMessage> messages() {
        synchronized (received) {
            return List.copyOf(received);
        }
    }

    /**
     * Waits until at least {@code count} messages have been accepted and returns them all.
     *
     * @throws AssertionError if they do not arrive within {@code timeout}
     */
    public List<ReceivedMessage> awaitMessages(int count, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (received) {
            while (received.size() < count) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("expected " + count + " messages within " + timeout + " but the sink on "
                            + endpoint() + " accepted " + received.size() + " over " + gauge.accepted()
                            + " connections (" + gauge.open() + " still open)");
                }
                TimeUnit.NANOSECONDS.timedWait(received, left);
            }
            return List.copyOf(received);
        }
    }

    /** How many connections the sink has accepted since it started or was last reset. */
    public int connectionsAccepted() {
        return gauge.accepted();
    }

    /**
     * How many connections are open now. A connection stops counting when the client sends
     * QUIT, the sink hangs up, or the client goes away, whichever comes first.
     */
    public int openConnections() {
        return gauge.open();
    }

    /** The most connections that were open at once since start or the last reset. */
    public int maxConcurrentConnections() {
        return gauge.maxOpen();
    }

    /** How many connections from this client (source) address are open now, the one being greeted included. */
    public int openConnectionsFrom(InetAddress client) {
        return gauge.open(client);
    }

    /** The most connections from this client (source) address that were open at once. */
    public int maxConcurrentConnectionsFrom(InetAddress client) {
        return gauge.maxOpen(client);
    }

    /**
     * Forgets the messages, the script and the connection counts; connections still open stay
     * open and counted, and the maxima restart from them.
     */
    public void reset() {
        synchronized (received) {
            received.clear();
        }
        script.clear();
        gauge.reset();
    }

    /** Stops listening, closes every connection and waits briefly for the session threads. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        listeners.forEach(SmtpSink::closeQuietly);
        connections.forEach(SmtpSink::closeQuietly);
        threads.shutdownNow();
        try {
            if (!threads.awaitTermination(CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                log.warn("SMTP sink on {}: session threads still running {} after close", endpoints(), CLOSE_TIMEOUT);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        log.info("SMTP sink on {} closed after {} connections and {} messages",
                endpoints(), gauge.accepted(), messages().size());
    }

    private void accept(ServerSocket listener) {
        while (!closed.get()) {
            Socket socket;
            try {
                socket = listener.accept();
            } catch (IOException e) {
                if (!closed.get()) {
                    log.warn("SMTP sink on {} stopped accepting: {}", listener.getLocalSocketAddress(), e.toString());
                }
                return;
            }
            serve(socket);
        }
    }

    private void serve(Socket socket) {
        // Registered before the closed check, so either close() or this method closes the socket.
        connections.add(socket);
        if (closed.get()) {
            discard(socket);
            return;
        }
        Runnable leaving = gauge.opened(socket.getInetAddress());
        long connectionId = CONNECTION_IDS.incrementAndGet();
        try {
            socket.setSoTimeout((int) IDLE_TIMEOUT.toMillis());
            // Replies are flushed one by one; Nagle would hold back pipelined replies.
            socket.setTcpNoDelay(true);
            SmtpSession session = new SmtpSession(socket, connectionId, settings, script, this::record, leaving);
            threads.execute(() -> {
                try {
                    session.run();
                } finally {
                    connections.remove(socket);
                }
            });
        } catch (IOException | RejectedExecutionException e) {
            log.debug("SMTP sink cannot serve connection {} from {}: {}", connectionId, socket.getInetAddress(), e.toString());
            leaving.run();
            discard(socket);
        }
    }

    private void record(ReceivedMessage message) {
        log.debug("SMTP sink accepted {}", message);
        synchronized (received) {
            received.add(message);
            received.notifyAll();
        }
    }

    private void discard(Socket socket) {
        closeQuietly(socket);
        connections.remove(socket);
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception e) {
            log.debug("SMTP sink: closing {} failed: {}", closeable, e.toString());
        }
    }

    /** Settings for a sink; {@link #listen} at least once, then {@link #start}. */
    public static final class Builder {

        private final List<InetSocketAddress> endpoints = new ArrayList<>();
        private boolean tls = true;
        private SelfSignedCertificate certificate;
        private long maxMessageSizeBytes = DEFAULT_MAX_MESSAGE_SIZE_BYTES;
        private final java.util.Set<String> added = new java.util.LinkedHashSet<>();
        private final java.util.Set<String> withheld = new java.util.HashSet<>();

        private Builder() {}

        /** Listens on this address and port (0 for a free one); repeat for more addresses. */
        public Builder listen(InetAddress address, int port) {
            endpoints.add(new InetSocketAddress(Objects.requireNonNull(address, "address"), port));
            return this;
        }

        /** Neither advertises nor accepts STARTTLS. */
        private Optional<SinkSettings.Login> login = Optional.empty();

        public Builder withoutTls() {
            tls = false;
            return this;
        }

        /**
         * Presents this certificate on STARTTLS instead of a new one, so several sinks can share
         * what the client trusts.
         */
        public Builder certificate(SelfSignedCertificate certificate) {
            this.certificate = Objects.requireNonNull(certificate, "certificate");
            return this;
        }

        /** Offers an EHLO keyword besides the usual ones, such as {@code SMTPUTF8}. */
        public Builder extension(String keyword) {
            added.add(Objects.requireNonNull(keyword, "keyword"));
            return this;
        }

        /** Does not offer one of the usual EHLO keywords, such as {@code 8BITMIME} or {@code PIPELINING}. */
        public Builder withoutExtension(String keyword) {
            withheld.add(Objects.requireNonNull(keyword, "keyword"));
            return this;
        }

        /**
         * Offers {@code AUTH} (RFC 4954) with these mechanisms ({@code PLAIN} and {@code LOGIN}
         * when none are named) and takes this one user name and password; anything else gets
         * {@code 535 5.7.8}. A message sent after a successful AUTH records the user name
         * ({@link ReceivedMessage#authenticatedAs()}).
         */
        public Builder login(String username, String password, String... mechanisms) {
            login = Optional.of(new SinkSettings.Login(Objects.requireNonNull(username, "username"),
                    Objects.requireNonNull(password, "password"),
                    mechanisms.length == 0 ? List.of("PLAIN", "LOGIN") : List.of(mechanisms)));
            return this;
        }

        /** The {@code SIZE} advertised and enforced, at most 2 GiB; larger messages get 552. */
        public Builder maxMessageSizeBytes(long maxMessageSizeBytes) {
            this.maxMessageSizeBytes = maxMessageSizeBytes;
            return this;
        }

        /**
         * Binds every address and starts accepting.
         *
         * @throws IOException           if an address and port cannot be bound; none stay bound
         * @throws IllegalStateException if {@link #listen} was never called
         */
        public SmtpSink start() throws IOException {
            if (endpoints.isEmpty()) {
                throw new IllegalStateException("call listen(address, port) at least once before start()");
            }
            Optional<SelfSignedCertificate> presented = tls
                    ? Optional.of(certificate != null ? certificate : SelfSignedCertificate.create())
                    : Optional.empty();
            SinkSettings settings = new SinkSettings(maxMessageSizeBytes, presented.map(SelfSignedCertificate::serverContext), added,
                    withheld, login);
            List<ServerSocket> listeners = new ArrayList<>();
            for (InetSocketAddress endpoint : endpoints) {
                try {
                    listeners.add(bind(endpoint));
                } catch (IOException e) {
                    listeners.forEach(SmtpSink::closeQuietly);
                    throw new IOException("SMTP sink cannot listen on " + endpoint + ": " + e.getMessage(), e);
                }
            }
            return new SmtpSink(listeners, settings, presented);
        }

        private static ServerSocket bind(InetSocketAddress endpoint) throws IOException {
            ServerSocket listener = new ServerSocket();
            try {
                // A test that restarts a sink on a fixed port must not trip over TIME_WAIT.
                listener.setReuseAddress(true);
                listener.bind(endpoint, BACKLOG);
                return listener;
            } catch (IOException e) {
                closeQuietly(listener);
                throw e;
            }
        }
    }
}
