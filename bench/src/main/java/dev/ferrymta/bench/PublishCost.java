package dev.ferrymta.bench;

import dev.ferrymta.cluster.Forwarder;
import dev.ferrymta.cluster.MessageSigner;
import dev.ferrymta.relay.broker.AmqpHeaders;
import dev.ferrymta.relay.broker.ConfirmingPublisher;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * What the headers of a message cost RabbitMQ: publishes {@code --messages} persistent messages of
 * {@code --bytes} into a fresh durable queue without a consumer, with publisher confirms through
 * Ferry's own {@link ConfirmingPublisher} (at most {@code --window} unconfirmed), once per
 * variant, the variants interleaved (each round starting one variant later), {@code --rounds}
 * times after an untimed round:
 *
 * <ul>
 * <li>{@code none}: content type and delivery mode only (and the publisher's own
 * {@code x-ferry-publish-id}, as every variant);
 * <li>{@code forward}: the headers Ferry's {@link Forwarder} gives a forward: the signer's sender,
 * type, id, signing time and HMAC signature, the origin and the hop count;
 * <li>{@code compact}: the forward's own fields in one binary header ({@code x-ferry-forward}, an
 * AMQP byte array): a format byte, the id as 16 bytes, the signing time as 8, the signature as 32
 * and the sender's name; the form a smaller wire format could take (Ferry does not send it);
 * <li>{@code one-long}: one header carrying as many bytes as the forward's own;
 * <li>{@code one-short}: one header of two bytes.
 * </ul>
 *
 * <p>Per run it prints the rate (messages over the time from the first publish to the last
 * confirm) and, when the broker runs on this machine, RabbitMQ's CPU per 1,000 messages from
 * {@code /proc} (user plus system time of the {@code beam.smp} whose command line names
 * {@code rabbit}; {@code --broker-pid} names another). The queue is deleted after each run.
 *
 * <pre>
 * PublishCost [--amqp URI] [--messages 20000] [--bytes 2214] [--window 500] [--rounds 3] [--broker-pid PID]
 * </pre>
 *
 * <p>docs/BENCHMARKS.md ("an eighth time") has what it measured.
 */
public final class PublishCost {

    private static final String PROGRAM = "PublishCost";
    private static final String DEFAULT_AMQP = "amqp://guest:guest@127.0.0.1:5672/";
    private static final String QUEUE = "bench-publish-cost";
    private static final List<String> VARIANTS = List.of("none", "forward", "compact", "one-long", "one-short");

    private PublishCost() {
    }

    public static void main(String[] args) {
        BenchLogging.quiet();
        Args.exitOnUsageError(PROGRAM, () -> System.exit(run(args)));
    }

    private static int run(String[] arguments) throws Exception {
        var args = Args.parse(PROGRAM, arguments, Set.of("amqp", "messages", "bytes", "window", "rounds", "broker-pid"));
        int messages = args.number("messages", 20_000, 1_000, 10_000_000);
        int bytes = args.number("bytes", 2_214, 1, 10_000_000);
        int window = args.number("window", 500, 1, 100_000);
        int rounds = args.number("rounds", 3, 1, 100);
        int pid = args.number("broker-pid", 0, 1, Integer.MAX_VALUE);
        OptionalLong broker = pid != 0 ? OptionalLong.of(pid) : localBroker();
        if (broker.isEmpty()) {
            System.out.println(PROGRAM + ": no local RabbitMQ process found; rates only");
        }
        byte[] body = new byte[bytes];
        Arrays.fill(body, (byte) 'x');
        var signer = new MessageSigner("publish-cost-secret", Clock.systemUTC());

        try (var connection = Amqp.factory(args.text("amqp", DEFAULT_AMQP)).newConnection("ferry bench PublishCost");
                var declarer = connection.createChannel()) {
            var publisher = new ConfirmingPublisher(connection, 1, window, Duration.ofSeconds(60));
            try {
                // Round 0 is untimed: the first timed variant ran 20 to 40% slower while this JVM compiled.
                System.out.println(PROGRAM + ": warming up (every variant once, untimed)");
                for (int round = 0; round <= rounds; round++) {
                    // Each round starts one variant later, so that no variant always follows the same one.
                    for (int v = 0; v < VARIANTS.size(); v++) {
                        String variant = VARIANTS.get((v + round) % VARIANTS.size());
                        declarer.queueDelete(QUEUE);
                        declarer.queueDeclare(QUEUE, true, false, false, Amqp.queueArguments());
                        Supplier<Map<String, Object>> headers = headersOf(variant, body, signer);
                        long cpuBefore = cpuTicks(broker);
                        long start = System.nanoTime();
                        var all = new CompletableFuture<?>[messages];
                        for (int i = 0; i < messages; i++) {
                            var properties = AmqpHeaders.persistentJson(headers.get(), null);
                            all[i] = publisher.publish("", QUEUE, false, properties, body);
                        }
                        CompletableFuture.allOf(all).get(5, TimeUnit.MINUTES);
                        long end = System.nanoTime();
                        long cpuAfter = cpuTicks(broker);
                        double rate = messages / ((end - start) / 1e9);
                        String cpu = broker.isEmpty() || cpuBefore < 0 || cpuAfter < 0 ? "?"
                                : String.format(Locale.ROOT, "%.0f", (cpuAfter - cpuBefore) * 1000.0 / ticksPerSecond() * 1000 / messages);
                        if (round == 0) {
                            declarer.queueDelete(QUEUE);
                            continue;
                        }
                        System.out.printf(Locale.ROOT, "%s: round %d, %-9s headers %3d bytes: %6.0f msg/s, RabbitMQ CPU %s ms per 1,000%n",
                                PROGRAM, round, variant, headerBytes(headers.get()), rate, cpu);
                        declarer.queueDelete(QUEUE);
                    }
                }
            } finally {
                publisher.close(Duration.ofSeconds(10));
            }
        }
        return 0;
    }

    /** A fresh header table per message, as Ferry builds one per forward (a new id each time). */
    private static Supplier<Map<String, Object>> headersOf(String variant, byte[] body, MessageSigner signer) {
        return switch (variant) {
            case "none" -> HashMap::new;
            case "forward" -> () -> forwardHeaders(body, signer);
            case "compact" -> () -> compactHeaders(forwardHeaders(body, signer));
            case "one-long" -> {
                // As many bytes as the forward's headers: name and type 11, the string's length 4.
                String value = "x".repeat(Math.max(1, headerBytes(forwardHeaders(body, signer)) - 15));
                yield () -> {
                    var headers = new HashMap<String, Object>();
                    headers.put("x-ferry-x", value);
                    return headers;
                };
            }
            case "one-short" -> () -> {
                var headers = new HashMap<String, Object>();
                headers.put("a", "b");
                return headers;
            };
            default -> throw new IllegalArgumentException(variant);
        };
    }

    /** What {@link Forwarder#forward} puts on a message it hands to a peer, for an outbox message without headers. */
    private static Map<String, Object> forwardHeaders(byte[] body, MessageSigner signer) {
        return Forwarder.headers(Map.of(), body, signer, "bench-a");
    }

    /** The forward's fields from {@code forward}, in one binary header (see the class comment). */
    static Map<String, Object> compactHeaders(Map<String, Object> forward) {
        var id = UUID.fromString(forward.get(MessageSigner.ID).toString());
        byte[] sender = forward.get(MessageSigner.SENDER).toString().getBytes(StandardCharsets.UTF_8);
        byte[] signature = HexFormat.of().parseHex(forward.get(MessageSigner.SIGNATURE).toString());
        var value = ByteBuffer.allocate(1 + 16 + 8 + signature.length + sender.length).put((byte) 1)
                .putLong(id.getMostSignificantBits()).putLong(id.getLeastSignificantBits())
                .putLong(Long.parseLong(forward.get(MessageSigner.SIGNED_AT).toString())).put(signature).put(sender);
        var headers = new HashMap<String, Object>();
        headers.put("x-ferry-forward", value.array());
        return headers;
    }

    /** The bytes a header table takes in an AMQP 0-9-1 frame, for strings, integers and byte arrays (what these use). */
    static int headerBytes(Map<String, Object> headers) {
        int total = 0;
        for (var entry : headers.entrySet()) {
            total += 1 + entry.getKey().getBytes(StandardCharsets.UTF_8).length + 1;
            total += entry.getValue() instanceof Integer ? 4
                    : entry.getValue() instanceof Long ? 8
                    : entry.getValue() instanceof byte[] bytes ? 4 + bytes.length : 4 + entry.getValue().toString().getBytes(StandardCharsets.UTF_8).length;
        }
        return total;
    }

    /** The local RabbitMQ node's process, if one runs here. */
    private static OptionalLong localBroker() {
        try (var processes = Files.list(Path.of("/proc"))) {
            return processes.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit)).filter(p -> {
                try {
                    var command = new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8);
                    return command.contains("beam.smp") && command.contains("rabbit");
                } catch (IOException e) {
                    return false;
                }
            }).mapToLong(p -> Long.parseLong(p.getFileName().toString())).findFirst();
        } catch (IOException e) {
            return OptionalLong.empty();
        }
    }

    /** User plus system clock ticks of {@code pid}, or -1. */
    private static long cpuTicks(OptionalLong pid) {
        if (pid.isEmpty()) {
            return -1;
        }
        try {
            String stat = Files.readString(Path.of("/proc/" + pid.getAsLong() + "/stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** Linux's USER_HZ: 100 on every architecture Ferry runs on. */
    private static int ticksPerSecond() {
        return 100;
    }
}
