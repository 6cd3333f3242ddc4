package dev.ferrymta.bench;

import dev.ferrymta.testing.smtp.ReceivedMessage;
import dev.ferrymta.testing.smtp.SmtpSink;
import java.io.IOException;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The benchmark's one SMTP sink: a {@link SmtpSink} without STARTTLS (plain SMTP for every
 * contender) that timestamps, on its own clock, the first arrival and the arrival that brings the
 * count to {@code --expect}, and tells bench/run about it in a status file.
 *
 * <pre>
 * BenchSink --listen 127.0.0.1:2525 --expect 20000 --status FILE [--progress FILE.csv]
 *           [--sample FILE.eml] [--max-seconds 900] [--linger-seconds 2]
 * </pre>
 *
 * <p>The status file holds {@code key=value} lines and is replaced whole (write, then rename),
 * a few times a second: {@code state} is {@code listening} until the first message,
 * {@code receiving} until the expected count, then {@code done} (or {@code timeout} when
 * {@code --max-seconds} passed first, or {@code stopped} on SIGTERM). Then the sink closes and
 * the program exits: 0 for done, 3 for timeout. The final status adds a check of what arrived:
 * distinct recipients, duplicates, recipients that are not {@code user<i>@bench.test} with
 * {@code i < expect}, message sizes, client addresses, TLS use, connections. {@code --sample}
 * gets the first message as it arrived, to see what the relay added.
 *
 * <p>The sink keeps every message it accepted (about 2.3 KB each with the relay's Received
 * header) until it exits: 20,000 take about 50 MB, so run it with a 256 MB heap. bench/run gives it
 * twice the bytes it will keep, plus 128 MB, when that is more (1,000 messages of 1 MB: 2 GB).
 */
public final class BenchSink {

    private static final String PROGRAM = "BenchSink";
    private static final Duration STATUS_INTERVAL = Duration.ofMillis(250);

    private final SmtpSink sink;
    private final int expect;
    private final Path status;
    private final Path progress;
    private final Path sample;
    private final long startNanos = System.nanoTime();
    private final long startEpochMillis = System.currentTimeMillis();
    private volatile long firstNanos;
    private volatile long firstEpochMillis;
    private volatile long lastNanos;
    private volatile long lastEpochMillis;

    private BenchSink(SmtpSink sink, int expect, Path status, Path progress, Path sample) {
        this.sink = sink;
        this.expect = expect;
        this.status = status;
        this.progress = progress;
        this.sample = sample;
    }

    public static void main(String[] args) {
        BenchLogging.quiet();
        Args.exitOnUsageError(PROGRAM, () -> System.exit(run(args)));
    }

    private static int run(String[] arguments) throws Exception {
        var args = Args.parse(PROGRAM, arguments,
                Set.of("listen", "expect", "status", "progress", "sample", "max-seconds", "linger-seconds"));
        InetSocketAddress listen = args.endpoint("listen");
        int expect = args.number("expect", 0, 1, 10_000_000);
        if (expect == 0) {
            throw args.usage("--expect is required");
        }
        Path status = Path.of(args.required("status"));
        String progressFile = args.text("progress", null);
        String sampleFile = args.text("sample", null);
        Duration maxLifetime = Duration.ofSeconds(args.number("max-seconds", 900, 1, 86_400));
        Duration linger = Duration.ofSeconds(args.number("linger-seconds", 2, 0, 60));

        SmtpSink sink = SmtpSink.builder()
                .listen(listen.getAddress(), listen.getPort())
                .withoutTls()
                .start();
        var bench = new BenchSink(sink, expect, status, progressFile == null ? null : Path.of(progressFile),
                sampleFile == null ? null : Path.of(sampleFile));
        Thread mainThread = Thread.currentThread();
        var stopping = new AtomicBoolean();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (stopping.compareAndSet(false, true)) {
                // SIGTERM from bench/run: say so, then let the sink's sockets go.
                mainThread.interrupt();
                bench.writeStatus("stopped", sink.messages(), false);
                sink.close();
            }
        }, "bench-sink-stop"));
        int exit = bench.serve(maxLifetime, linger);
        if (stopping.compareAndSet(false, true)) {
            sink.close();
        }
        return exit;
    }

    private int serve(Duration maxLifetime, Duration linger) throws IOException {
        long deadline = startNanos + maxLifetime.toNanos();
        Thread watcher = Thread.ofPlatform().daemon().name("bench-sink-watch").start(() -> watch(deadline));
        if (progress != null) {
            Files.writeString(progress, "elapsed_ms,received\n", StandardCharsets.US_ASCII);
        }
        writeStatus("listening", List.of(), false);
        System.out.println("BenchSink: listening on " + sink.endpoint() + ", plain SMTP, expecting " + expect
                + " messages, status in " + status);
        long lastProgress = 0;
        try {
            while (lastNanos == 0 && System.nanoTime() < deadline && watcher.isAlive()) {
                if (watcher.join(STATUS_INTERVAL)) {
                    break;
                }
                List<ReceivedMessage> received = sink.messages();
                writeStatus(firstNanos == 0 ? "listening" : "receiving", received, false);
                long now = System.nanoTime();
                if (now - lastProgress >= TimeUnit.SECONDS.toNanos(1)) {
                    lastProgress = now;
                    writeProgress(received.size());
                }
            }
            if (lastNanos == 0) {
                List<ReceivedMessage> received = sink.messages();
                writeProgress(received.size());
                writeStatus("timeout", received, true);
                System.out.println("BenchSink: timeout: " + received.size() + " of " + expect + " messages arrived");
                return 3;
            }
            // Let the client read the last reply and say QUIT before the sockets close.
            Thread.sleep(linger);
            List<ReceivedMessage> received = sink.messages();
            writeProgress(received.size());
            writeStatus("done", received, true);
            System.out.printf("BenchSink: done: %d messages, first to %d-th arrival %d ms%n",
                    received.size(), expect, TimeUnit.NANOSECONDS.toMillis(lastNanos - firstNanos));
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
    }

    private void writeProgress(int received) throws IOException {
        if (progress != null) {
            long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
            Files.writeString(progress, elapsed + "," + received + "\n", StandardCharsets.US_ASCII, StandardOpenOption.APPEND);
        }
    }

    /** Timestamps the first and the expect-th arrival, waking on each message the sink records. */
    private void watch(long deadline) {
        try {
            sink.awaitMessages(1, Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            firstNanos = System.nanoTime();
            firstEpochMillis = System.currentTimeMillis();
            sink.awaitMessages(expect, Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            lastEpochMillis = System.currentTimeMillis();
            lastNanos = System.nanoTime();
        } catch (AssertionError e) {
            // The deadline passed; serve() reports the timeout.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private synchronized void writeStatus(String state, List<ReceivedMessage> received, boolean check) {
        var lines = new LinkedHashMap<String, Object>();
        lines.put("state", state);
        lines.put("expected", expect);
        lines.put("received", received.size());
        lines.put("start_epoch_ms", startEpochMillis);
        lines.put("uptime_ms", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos));
        long first = firstNanos;
        long last = lastNanos;
        if (first != 0) {
            lines.put("first_epoch_ms", firstEpochMillis);
        }
        if (last != 0) {
            long drainNanos = last - first;
            lines.put("last_epoch_ms", lastEpochMillis);
            lines.put("drain_ms", String.format("%.1f", drainNanos / 1e6));
            // The issue's definition: N messages over the time from the first to the N-th arrival.
            lines.put("rate_per_s", String.format("%.1f", expect / (drainNanos / 1e9)));
        }
        lines.put("connections", sink.connectionsAccepted());
        lines.put("open_connections", sink.openConnections());
        lines.put("max_concurrent_connections", sink.maxConcurrentConnections());
        if (check) {
            lines.putAll(check(received));
            if (sample != null && !received.isEmpty()) {
                try {
                    Files.write(sample, received.get(0).data());
                } catch (IOException e) {
                    System.err.println("BenchSink: cannot write " + sample + ": " + e);
                }
            }
        }
        var text = new StringBuilder();
        lines.forEach((key, value) -> text.append(key).append('=').append(value).append('\n'));
        try {
            Path temporary = status.resolveSibling(status.getFileName() + ".tmp");
            try (Writer out = Files.newBufferedWriter(temporary, StandardCharsets.UTF_8)) {
                out.write(text.toString());
            }
            Files.move(temporary, status, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            System.err.println("BenchSink: cannot write " + status + ": " + e);
        }
    }

    /** What arrived, checked against what was sent: every user<i>@bench.test, i below expect, once. */
    private Map<String, Object> check(List<ReceivedMessage> received) {
        Set<Integer> seen = new HashSet<>();
        int duplicates = 0;
        int strangers = 0;
        int tls = 0;
        long minBytes = Long.MAX_VALUE;
        long maxBytes = 0;
        long totalBytes = 0;
        Set<String> clients = new TreeSet<>();
        Set<String> senders = new TreeSet<>();
        for (ReceivedMessage message : received) {
            for (String recipient : message.recipients()) {
                int index = indexOf(recipient);
                if (index < 0 || index >= expect) {
                    strangers++;
                } else if (!seen.add(index)) {
                    duplicates++;
                }
            }
            // data() copies; the record's own array is private. 20,000 copies of 2 KB are cheap.
            int size = message.data().length;
            minBytes = Math.min(minBytes, size);
            maxBytes = Math.max(maxBytes, size);
            totalBytes += size;
            if (message.tls()) {
                tls++;
            }
            if (clients.size() < 10) {
                clients.add(message.clientAddress().getHostAddress());
            }
            if (senders.size() < 10) {
                senders.add("<" + message.sender() + ">");
            }
        }
        var result = new LinkedHashMap<String, Object>();
        result.put("distinct_recipients", seen.size());
        result.put("duplicates", duplicates);
        result.put("unexpected_recipients", strangers);
        result.put("missing", expect - seen.size());
        result.put("tls_messages", tls);
        result.put("min_bytes", received.isEmpty() ? 0 : minBytes);
        result.put("max_bytes", maxBytes);
        result.put("mean_bytes", received.isEmpty() ? 0 : totalBytes / received.size());
        result.put("client_addresses", String.join(",", clients));
        result.put("senders", String.join(",", senders));
        return result;
    }

    private static int indexOf(String recipient) {
        String prefix = "user";
        String suffix = "@" + BenchMessage.RECIPIENT_DOMAIN;
        if (!recipient.startsWith(prefix) || !recipient.toLowerCase(Locale.ROOT).endsWith(suffix)) {
            return -1;
        }
        try {
            return Integer.parseInt(recipient.substring(prefix.length(), recipient.length() - suffix.length()));
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
