package dev.ferrymta.relay.smtp;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A one-connection server for tests that need to see or do what {@code SmtpSink} will not: check
 * how the client's commands arrive on the wire, or misbehave at the byte level. The test writes
 * the server's side as a {@link Dialogue}; {@link #awaitDialogue} rethrows what went wrong in it.
 */
final class RawSmtpServer implements AutoCloseable {

    /** The server's side of the conversation. */
    interface Dialogue {
        void run(Wire wire) throws Exception;
    }

    /** Line-level access to the accepted connection. */
    static final class Wire {
        private final Socket socket;
        private final BufferedReader in;
        private final OutputStream out;

        private Wire(Socket socket) throws IOException {
            this.socket = socket;
            this.in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1));
            this.out = socket.getOutputStream();
        }

        /** The next line from the client, without CRLF; fails when the client closes first. */
        String readLine() throws IOException {
            var line = in.readLine();
            if (line == null) {
                throw new IOException("the client closed the connection");
            }
            return line;
        }

        /** Whether the client has sent more than was read so far. */
        boolean hasMoreInput() throws IOException {
            return in.ready();
        }

        /** Reads DATA text up to and without the terminating dot line. */
        void skipData() throws IOException {
            while (!readLine().equals(".")) {
                // the test does not look at the message
            }
        }

        /** Writes raw text and flushes; the caller supplies the CRLFs. */
        void write(String text) throws IOException {
            out.write(text.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        }

        Socket socket() {
            return socket;
        }
    }

    private final ServerSocket listener;
    private final CompletableFuture<Void> dialogue = new CompletableFuture<>();
    private volatile Socket connection;

    private RawSmtpServer(ServerSocket listener, Dialogue script) {
        this.listener = listener;
        Thread.ofVirtual().name("raw-smtp-server").start(() -> serve(script));
    }

    /** Listens on 127.0.0.1, any port, with this receive buffer size, and runs the dialogue with the first client. */
    static RawSmtpServer start(int receiveBufferBytes, Dialogue script) throws IOException {
        var listener = new ServerSocket();
        listener.setReceiveBufferSize(receiveBufferBytes);
        listener.bind(new java.net.InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 1);
        return new RawSmtpServer(listener, script);
    }

    /** Listens on 127.0.0.1, any port, and runs the dialogue with the first client. */
    static RawSmtpServer start(Dialogue script) throws IOException {
        return start(64 * 1024, script);
    }

    SmtpEndpoint endpoint() {
        return new SmtpEndpoint("raw.ferry.test", listener.getInetAddress(), listener.getLocalPort());
    }

    /** Waits for the dialogue to end, rethrowing its assertion errors and exceptions. */
    void awaitDialogue(Duration timeout) throws Exception {
        try {
            dialogue.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw (Exception) e.getCause();
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
        var open = connection;
        if (open != null) {
            open.close();
        }
    }

    private void serve(Dialogue script) {
        try (var socket = listener.accept()) {
            connection = socket;
            script.run(new Wire(socket));
            dialogue.complete(null);
        } catch (Throwable e) {
            dialogue.completeExceptionally(e);
        }
    }
}
