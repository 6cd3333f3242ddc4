package dev.ferrymta.bench;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Watches a queue fill up and says, on the system clock, when it held the expected count: the
 * stopwatch of bench/forward. Every {@code --interval-ms} it asks the broker for the queue's
 * message count with a passive {@code queue.declare} (and for the {@code --also} queues' counts,
 * which it only records). A queue that is missing ends it with status 1.
 *
 * <pre>
 * QueueWatch --queue NAME --target N --status FILE [--held P] [--also QUEUE]... [--progress FILE.csv]
 *            [--amqp URI] [--interval-ms 20] [--max-seconds 600] [--stall-seconds 60]
 * </pre>
 *
 * <p>The count a passive declare gives is the queue's <em>ready</em> messages: those delivered to
 * a consumer and not yet acked are not in it. A consumer that is frozen (SIGSTOP) still takes
 * its prefetch. {@code --held P} says so: while the queue has a consumer, the target counts as
 * reached at {@code N - P} ready messages; once it has none (the broker closed the frozen
 * consumer's connection and requeued its messages), at {@code N}.
 *
 * <p>The status file holds {@code key=value} lines, replaced whole (write, then rename) after
 * every change of state: {@code state} is {@code connecting}, then {@code watching} after the
 * first answer (the caller may start the clock then), then {@code done} ({@code timeout} after
 * {@code --max-seconds}, {@code stalled} when the count has not moved for
 * {@code --stall-seconds} since it first moved). {@code reached_epoch_ms} is when the answer
 * that showed the target arrived; {@code first_epoch_ms} when the count first rose;
 * {@code p10_epoch_ms} and {@code p90_epoch_ms} when 10% and 90% of the target were in (for a
 * rate without the start and the end); {@code <queue>_empty_epoch_ms} when an {@code --also}
 * queue first showed 0. Exit status: 0 when done, 3 otherwise.
 */
public final class QueueWatch {

    private static final String PROGRAM = "QueueWatch";
    private static final String DEFAULT_AMQP = "amqp://guest:guest@127.0.0.1:5672/";

    private final Path status;
    private final Map<String, String> fields = new LinkedHashMap<>();

    private QueueWatch(Path status) {
        this.status = status;
    }

    public static void main(String[] args) {
        BenchLogging.quiet();
        Args.exitOnUsageError(PROGRAM, () -> System.exit(run(args)));
    }

    private static int run(String[] arguments) throws Exception {
        var args = Args.parse(PROGRAM, arguments, Set.of("amqp", "queue", "target", "held", "also", "status", "progress",
                "interval-ms", "max-seconds", "stall-seconds"));
        String queue = args.required("queue");
        int target = args.number("target", 0, 1, 10_000_000);
        if (target == 0) {
            throw args.usage("--target is required");
        }
        int held = args.number("held", 0, 0, 65_535);
        List<String> also = args.all("also");
        var watch = new QueueWatch(Path.of(args.required("status")));
        String progressFile = args.text("progress", null);
        int intervalMillis = args.number("interval-ms", 20, 1, 10_000);
        long maxNanos = args.number("max-seconds", 600, 1, 86_400) * 1_000_000_000L;
        long stallNanos = args.number("stall-seconds", 60, 1, 86_400) * 1_000_000_000L;
        var stopped = new AtomicBoolean();
        var finished = new AtomicBoolean();
        Thread main = Thread.currentThread();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            // On SIGTERM: let the loop write its last status. Not on the normal exit, where main
            // itself is in System.exit and would never finish.
            if (finished.get()) {
                return;
            }
            stopped.set(true);
            try {
                main.join(2_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }));

        watch.put("state", "connecting");
        watch.put("queue", queue);
        watch.put("target", Integer.toString(target));
        watch.put("held", Integer.toString(held));
        watch.write();
        var factory = Amqp.factory(args.text("amqp", DEFAULT_AMQP));
        try (Connection connection = factory.newConnection("ferry bench QueueWatch");
                Channel channel = connection.createChannel();
                Writer progress = progressFile == null ? Writer.nullWriter()
                        : Files.newBufferedWriter(Path.of(progressFile), StandardCharsets.UTF_8)) {
            progress.write("epoch_ms,poll_us," + queue + ",consumers" + also.stream().map(name -> "," + name)
                    .reduce("", String::concat) + "\n");
            long start = System.nanoTime();
            long firstCount = -1;
            long lastCount = -1;
            long lastChange = start;
            long polls = 0;
            long pollNanos = 0;
            long maxPollNanos = 0;
            Map<String, Boolean> empty = new LinkedHashMap<>();
            also.forEach(name -> empty.put(name, false));
            String state = "timeout";
            while (!stopped.get()) {
                long asked = System.nanoTime();
                AMQP.Queue.DeclareOk ok = channel.queueDeclarePassive(queue);
                var counts = new StringBuilder();
                for (String name : also) {
                    long count = channel.queueDeclarePassive(name).getMessageCount();
                    counts.append(',').append(count);
                    if (count == 0 && !empty.get(name)) {
                        empty.put(name, true);
                        watch.put(name + "_empty_epoch_ms", Long.toString(System.currentTimeMillis()));
                    }
                }
                long answered = System.nanoTime();
                long now = System.currentTimeMillis();
                long took = answered - asked;
                polls++;
                pollNanos += took;
                maxPollNanos = Math.max(maxPollNanos, took);
                long count = ok.getMessageCount();
                int consumers = ok.getConsumerCount();
                progress.write(now + "," + took / 1_000 + "," + count + "," + consumers + counts + "\n");
                if (firstCount < 0) {
                    firstCount = count;
                    lastCount = count;
                    watch.put("state", "watching");
                    watch.put("initial_count", Long.toString(count));
                    watch.put("watching_epoch_ms", Long.toString(now));
                    watch.write();
                }
                if (count != lastCount) {
                    if (!watch.fields.containsKey("first_epoch_ms")) {
                        watch.put("first_epoch_ms", Long.toString(now));
                    }
                    lastCount = count;
                    lastChange = answered;
                }
                // Forwarded so far, counting what a (frozen) consumer holds.
                long in = count + (consumers > 0 ? Math.min(held, target) : 0);
                markOnce(watch, "p10_epoch_ms", in >= target / 10, now);
                markOnce(watch, "p90_epoch_ms", in >= target - target / 10, now);
                if (in >= target) {
                    watch.put("reached_epoch_ms", Long.toString(now));
                    state = "done";
                    watch.put("count", Long.toString(count));
                    watch.put("consumers", Integer.toString(consumers));
                    break;
                }
                if (watch.fields.containsKey("first_epoch_ms") && answered - lastChange > stallNanos) {
                    state = "stalled";
                    break;
                }
                if (answered - start > maxNanos) {
                    state = "timeout";
                    break;
                }
                Thread.sleep(intervalMillis);
            }
            if (stopped.get()) {
                state = "stopped";
            }
            watch.put("state", state);
            watch.put("last_count", Long.toString(lastCount));
            watch.put("polls", Long.toString(polls));
            watch.put("mean_poll_us", Long.toString(polls == 0 ? 0 : pollNanos / polls / 1_000));
            watch.put("max_poll_us", Long.toString(maxPollNanos / 1_000));
            watch.write();
            System.out.printf(Locale.ROOT, "QueueWatch: %s: %s holds %d (target %d, %d held by its consumer); %d polls, "
                    + "%d us each on average%n", state, queue, lastCount, target, held, polls, polls == 0 ? 0 : pollNanos / polls / 1_000);
            finished.set(true);
            return state.equals("done") ? 0 : 3;
        }
    }

    private static void markOnce(QueueWatch watch, String key, boolean reached, long now) {
        if (reached && !watch.fields.containsKey(key)) {
            watch.put(key, Long.toString(now));
        }
    }

    private void put(String key, String value) {
        fields.put(key, value);
    }

    private void write() throws IOException {
        var text = new StringBuilder();
        fields.forEach((key, value) -> text.append(key).append('=').append(value).append('\n'));
        Path temporary = status.resolveSibling(status.getFileName() + ".tmp");
        Files.writeString(temporary, text, StandardCharsets.UTF_8);
        Files.move(temporary, status, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
