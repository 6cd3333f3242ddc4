package dev.ferrymta.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeoutException;

/**
 * Publishes the benchmark's messages to a RabbitMQ queue in MailerQ's JSON format, then exits.
 * Each message is {@code {"envelope": "bench@sender.bench.test", "recipient": "user<i>@bench.test",
 * "mime": "<BenchMessage i>"}}, persistent (delivery mode 2), with publisher confirms: when this
 * program says "published", the broker has every message on disk. {@code --ips 127.0.0.3} adds
 * {@code "ips": ["127.0.0.3"]} (comma-separated for several): the source IPs the message needs, so
 * an instance that does not own them forwards it (bench/forward).
 *
 * <pre>
 * FillOutbox --queue bench-outbox --messages 20000 [--amqp amqp://guest:guest@127.0.0.1:5672/]
 *            [--bytes 2048] [--run-id ID] [--fresh yes] [--check-held no] [--ips IP,...]
 * </pre>
 *
 * <p>A missing queue is declared durable, exclusive no, auto-delete no, no arguments: a plain
 * classic queue, as MailerQ's outbox is. An existing one is used as it is, with whatever
 * arguments its declarer gave it; {@code --fresh yes} purges it first, so it holds exactly these
 * messages. Exit status: 0 when the queue holds at least {@code --messages} messages afterwards
 * (with {@code --check-held no}: when every message was confirmed, for a queue with a consumer).
 */
public final class FillOutbox {

    private static final String PROGRAM = "FillOutbox";
    private static final String DEFAULT_AMQP = "amqp://guest:guest@127.0.0.1:5672/";
    /** Messages published between two waits for the broker's confirms. */
    private static final int CONFIRM_WINDOW = 500;
    private static final long CONFIRM_TIMEOUT_MILLIS = 60_000;

    private FillOutbox() {
    }

    /** Whether the queue exists; asked on a channel of its own, which a missing queue closes. */
    private static boolean exists(Connection connection, String queue) throws IOException, TimeoutException {
        Channel probe = connection.createChannel();
        try {
            probe.queueDeclarePassive(queue);
            probe.close();
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** {@code --ips}: literal IPv4 addresses, checked here so that a typo fails before anything is published. */
    private static List<String> ips(Args args) {
        String given = args.text("ips", "");
        if (given.isBlank()) {
            return List.of();
        }
        List<String> ips = Arrays.stream(given.split(",")).map(String::trim).toList();
        for (String ip : ips) {
            if (!ip.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
                throw args.usage("--ips '" + given + "' must be IPv4 addresses separated by commas");
            }
        }
        return ips;
    }

    public static void main(String[] args) {
        BenchLogging.quiet();
        Args.exitOnUsageError(PROGRAM, () -> System.exit(run(args)));
    }

    private static int run(String[] arguments) throws Exception {
        var args = Args.parse(PROGRAM, arguments, Set.of("amqp", "queue", "messages", "bytes", "run-id", "fresh", "check-held", "ips"));
        String uri = args.text("amqp", DEFAULT_AMQP);
        String queue = args.required("queue");
        int messages = args.number("messages", 0, 1, 10_000_000);
        if (messages == 0) {
            throw args.usage("--messages is required");
        }
        int bytes = args.number("bytes", BenchMessage.DEFAULT_BYTES, BenchMessage.MIN_BYTES, BenchMessage.MAX_BYTES);
        String runId = args.text("run-id", "bench" + System.currentTimeMillis());
        boolean fresh = switch (args.text("fresh", "no")) {
            case "yes" -> true;
            case "no" -> false;
            default -> throw args.usage("--fresh must be yes or no");
        };

        // With a consumer on the queue (a running or frozen Ferry) the count says nothing; confirms do.
        boolean checkHeld = switch (args.text("check-held", "yes")) {
            case "yes" -> true;
            case "no" -> false;
            default -> throw args.usage("--check-held must be yes or no");
        };

        List<String> ips = ips(args);

        var mapper = new ObjectMapper();
        var message = new BenchMessage(bytes, runId);
        var factory = Amqp.factory(uri);
        try (Connection connection = factory.newConnection("ferry bench FillOutbox");
                Channel channel = connection.createChannel()) {
            if (exists(connection, queue)) {
                // Keep the queue as whoever declared it (Ferry may add arguments); empty it if asked.
                if (fresh) {
                    channel.queuePurge(queue);
                }
            } else {
                channel.queueDeclare(queue, true, false, false, Amqp.queueArguments());
            }
            channel.confirmSelect();
            var properties = new AMQP.BasicProperties.Builder()
                    .deliveryMode(2)
                    .contentType("application/json")
                    .build();
            long start = System.nanoTime();
            long jsonBytes = 0;
            for (int i = 0; i < messages; i++) {
                ObjectNode json = mapper.createObjectNode();
                json.put("envelope", BenchMessage.SENDER);
                json.put("recipient", BenchMessage.recipient(i));
                json.put("mime", message.mime(i));
                if (!ips.isEmpty()) {
                    var array = json.putArray("ips");
                    ips.forEach(array::add);
                }
                byte[] body = mapper.writeValueAsBytes(json);
                jsonBytes += body.length;
                channel.basicPublish("", queue, properties, body);
                if ((i + 1) % CONFIRM_WINDOW == 0) {
                    channel.waitForConfirmsOrDie(CONFIRM_TIMEOUT_MILLIS);
                }
            }
            channel.waitForConfirmsOrDie(CONFIRM_TIMEOUT_MILLIS);
            double seconds = (System.nanoTime() - start) / 1e9;
            long held = channel.queueDeclarePassive(queue).getMessageCount();
            System.out.printf("FillOutbox: published %d messages (%d-byte MIME, %d-byte JSON on average) to %s, "
                            + "confirmed, in %.1f s (%.0f/s); the queue holds %d%n",
                    messages, bytes, jsonBytes / messages, queue, seconds, messages / seconds, held);
            return !checkHeld || held >= messages ? 0 : 1;
        }
    }
}
