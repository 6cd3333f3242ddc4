package dev.ferrymta.bench;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Submits the benchmark's messages ({@link BenchMessage}, the same bytes {@link FillOutbox} puts
 * in the outbox) to an SMTP server over a few parallel connections, then exits: 0 when every
 * message got a 250, 1 otherwise. Plain SMTP, no pipelining, no TLS.
 *
 * <pre>
 * InjectSmtp --to 127.0.0.1:2526 --messages 20000 [--connections 8] [--bytes 2048] [--run-id ID]
 *            [--timeout-seconds 600]
 * </pre>
 */
public final class InjectSmtp {

    private static final String PROGRAM = "InjectSmtp";
    private static final int SOCKET_TIMEOUT_MILLIS = 60_000;
    private static final String HELO = "injector.bench.test";

    private final InetSocketAddress server;
    private final int messages;
    private final BenchMessage message;
    private final AtomicInteger next = new AtomicInteger();
    private final AtomicInteger accepted = new AtomicInteger();

    private InjectSmtp(InetSocketAddress server, int messages, BenchMessage message) {
        this.server = server;
        this.messages = messages;
        this.message = message;
    }

    public static void main(String[] args) {
        BenchLogging.quiet();
        Args.exitOnUsageError(PROGRAM, () -> System.exit(run(args)));
    }

    private static int run(String[] arguments) throws Exception {
        var args = Args.parse(PROGRAM, arguments,
                Set.of("to", "messages", "connections", "bytes", "run-id", "timeout-seconds"));
        InetSocketAddress server = args.endpoint("to");
        int messages = args.number("messages", 0, 1, 10_000_000);
        if (messages == 0) {
            throw args.usage("--messages is required");
        }
        int connections = args.number("connections", 8, 1, 200);
        int bytes = args.number("bytes", BenchMessage.DEFAULT_BYTES, BenchMessage.MIN_BYTES, BenchMessage.MAX_BYTES);
        String runId = args.text("run-id", "bench" + System.currentTimeMillis());
        int timeoutSeconds = args.number("timeout-seconds", 600, 1, 86_400);

        var injector = new InjectSmtp(server, messages, new BenchMessage(bytes, runId));
        long start = System.nanoTime();
        List<String> failures = injector.inject(connections, timeoutSeconds);
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("InjectSmtp: %d of %d messages of %d bytes accepted by %s over %d connections in %.1f s (%.0f/s)%n",
                injector.accepted.get(), messages, bytes, server, connections, seconds, injector.accepted.get() / seconds);
        failures.forEach(failure -> System.out.println("InjectSmtp: failed: " + failure));
        return failures.isEmpty() && injector.accepted.get() == messages ? 0 : 1;
    }

    private List<String> inject(int connections, int timeoutSeconds) throws InterruptedException {
        ExecutorService threads = Executors.newFixedThreadPool(connections);
        var sessions = new ArrayList<Future<?>>();
        for (int i = 0; i < connections; i++) {
            sessions.add(threads.submit(() -> {
                session();
                return null;
            }));
        }
        threads.shutdown();
        var failures = new ArrayList<String>();
        if (!threads.awaitTermination(timeoutSeconds, TimeUnit.SECONDS)) {
            threads.shutdownNow();
            failures.add("not done within " + timeoutSeconds + " s");
        }
        for (Future<?> session : sessions) {
            if (session.isDone()) {
                try {
                    session.get();
                } catch (ExecutionException e) {
                    failures.add(String.valueOf(e.getCause()));
                }
            }
        }
        return failures;
    }

    /** One connection that sends messages until none are left. */
    private void session() throws IOException {
        try (var socket = new Socket()) {
            socket.connect(server, SOCKET_TIMEOUT_MILLIS);
            socket.setSoTimeout(SOCKET_TIMEOUT_MILLIS);
            socket.setTcpNoDelay(true);
            InputStream in = new BufferedInputStream(socket.getInputStream());
            OutputStream out = new BufferedOutputStream(socket.getOutputStream(), 16 * 1024);
            expect(in, 220, "greeting");
            command(in, out, "EHLO " + HELO, 250);
            int index;
            while ((index = next.getAndIncrement()) < messages) {
                command(in, out, "MAIL FROM:<" + BenchMessage.SENDER + ">", 250);
                command(in, out, "RCPT TO:<" + BenchMessage.recipient(index) + ">", 250);
                command(in, out, "DATA", 354);
                // BenchMessage never starts a line with a dot: no stuffing needed.
                out.write(message.mimeBytes(index));
                out.write(".\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                expect(in, 250, "end of data of message " + index);
                accepted.incrementAndGet();
            }
            command(in, out, "QUIT", 221);
        }
    }

    private static void command(InputStream in, OutputStream out, String line, int code) throws IOException {
        out.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        expect(in, code, line);
    }

    /** Reads one reply, every line of it, and fails unless its code is {@code code}. */
    private static void expect(InputStream in, int code, String after) throws IOException {
        while (true) {
            String line = readLine(in);
            if (line.length() < 3) {
                throw new IOException("bad reply to " + after + ": '" + line + "'");
            }
            boolean last = line.length() == 3 || line.charAt(3) != '-';
            if (last) {
                if (!line.startsWith(Integer.toString(code))) {
                    throw new IOException("expected " + code + " after " + after + " but got '" + line + "'");
                }
                return;
            }
        }
    }

    private static String readLine(InputStream in) throws IOException {
        var line = new ByteArrayOutputStream(128);
        int b;
        while ((b = in.read()) != '\n') {
            if (b < 0) {
                throw new EOFException("the server closed the connection");
            }
            if (b != '\r') {
                line.write(b);
            }
        }
        return line.toString(StandardCharsets.US_ASCII);
    }
}
