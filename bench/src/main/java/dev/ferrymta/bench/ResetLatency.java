package dev.ferrymta.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import java.io.IOException;
import java.io.Writer;
import java.net.CookieManager;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Measures how fast a settings change made in one console reaches every instance of a cluster:
 * {@code --count} times, it POSTs a new throttle to the console's {@code /api/settings/throttles},
 * reads the {@code configVersion} of the answer (201), and waits until every server in
 * {@code --servers} has announced that version or a newer one on the cluster exchange (instances
 * announce at once after a settings reload). The latency of one change is from just before the
 * POST to the arrival of the last of those announces, on this program's clock.
 *
 * <pre>
 * ResetLatency --console http://127.0.0.1:8495/ --exchange bench-forward-cluster --servers bench-a,bench-b,bench-c
 *              [--count 100] [--domain-prefix reset-1-] [--pause-ms 100] [--timeout-seconds 10]
 *              [--csv FILE] [--amqp URI]
 * </pre>
 *
 * <p>The console is used as a script would: {@code GET /api/session} first, for the session cookie
 * and the CSRF token that every write must carry (header {@code X-CSRF-Token}); no password.
 *
 * <p>Announces are read from a server-named, exclusive queue of this program's own, bound to the
 * exchange with the routing key {@code broadcast}; those that arrived before a POST do not count
 * for it. Each throttle is {@code {"domain": "<prefix><i>.bench.test", "maxConnections": 5}}.
 * Output: one CSV line per change ({@code --csv}) and a summary on standard output with the
 * median, the 99th percentile (nearest rank), the maximum and the changes that timed out. Exit
 * status: 0 when every change reached every server in time, 1 otherwise.
 */
public final class ResetLatency {

    private static final String PROGRAM = "ResetLatency";
    private static final String DEFAULT_AMQP = "amqp://guest:guest@127.0.0.1:5672/";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One announce as it arrived. */
    private record Announce(String server, long configVersion, long arrivedNanos) {
    }

    private ResetLatency() {
    }

    public static void main(String[] args) {
        BenchLogging.quiet();
        Args.exitOnUsageError(PROGRAM, () -> System.exit(run(args)));
    }

    private static int run(String[] arguments) throws Exception {
        var args = Args.parse(PROGRAM, arguments, Set.of("amqp", "console", "exchange", "servers", "count", "domain-prefix",
                "pause-ms", "timeout-seconds", "csv"));
        String console = args.required("console").replaceAll("/*$", "");
        URI throttles = URI.create(console + "/api/settings/throttles");
        String exchange = args.required("exchange");
        List<String> servers = Arrays.stream(args.required("servers").split(",")).map(String::trim).toList();
        int count = args.number("count", 100, 1, 10_000);
        String prefix = args.text("domain-prefix", "reset-");
        int pauseMillis = args.number("pause-ms", 100, 0, 60_000);
        long timeoutNanos = TimeUnit.SECONDS.toNanos(args.number("timeout-seconds", 10, 1, 600));
        String csv = args.text("csv", null);

        var announces = new LinkedBlockingQueue<Announce>();
        var http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).cookieHandler(new CookieManager()).build();
        String csrf = csrfToken(http, URI.create(console + "/api/session"));
        var latencies = new ArrayList<Double>();
        int timedOut = 0;
        try (Connection connection = Amqp.factory(args.text("amqp", DEFAULT_AMQP)).newConnection("ferry bench ResetLatency");
                Channel channel = connection.createChannel();
                Writer out = csv == null ? Writer.nullWriter() : Files.newBufferedWriter(Path.of(csv), StandardCharsets.UTF_8)) {
            String queue = channel.queueDeclare("", false, true, true, null).getQueue();
            channel.queueBind(queue, exchange, "broadcast");
            channel.basicConsume(queue, true, new DefaultConsumer(channel) {
                @Override
                public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
                    long arrived = System.nanoTime();
                    try {
                        JsonNode json = JSON.readTree(body);
                        if ("announce".equals(json.path("type").asText())) {
                            announces.add(new Announce(json.path("server").asText(), json.path("configVersion").asLong(-1), arrived));
                        }
                    } catch (IOException e) {
                        // Not JSON: not an announce.
                    }
                }
            });
            out.write("change,config_version,post_ms,latency_ms," + String.join(",", servers.stream().map(s -> s + "_ms").toList()) + "\n");
            for (int i = 1; i <= count; i++) {
                announces.clear();
                String body = JSON.writeValueAsString(Map.of("domain", prefix + i + ".bench.test", "maxConnections", 5));
                var request = HttpRequest.newBuilder(throttles).timeout(Duration.ofSeconds(10))
                        .header("Content-Type", "application/json")
                        .header("X-CSRF-Token", csrf)
                        .POST(HttpRequest.BodyPublishers.ofString(body)).build();
                long start = System.nanoTime();
                HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
                long answered = System.nanoTime();
                if (response.statusCode() != 201) {
                    System.err.printf("%s: change %d: POST %s answered %d: %s%n", PROGRAM, i, throttles, response.statusCode(),
                            response.body());
                    return 1;
                }
                long version = JSON.readTree(response.body()).path("configVersion").asLong(-1);
                if (version < 0) {
                    System.err.printf("%s: change %d: no configVersion in the answer: %s%n", PROGRAM, i, response.body());
                    return 1;
                }
                Map<String, Long> reached = awaitVersion(announces, servers, version, start + timeoutNanos);
                double postMillis = (answered - start) / 1e6;
                if (reached.size() < servers.size()) {
                    timedOut++;
                    System.err.printf("%s: change %d (version %d): no announce of it from %s within the timeout%n", PROGRAM, i,
                            version, servers.stream().filter(s -> !reached.containsKey(s)).toList());
                }
                long last = reached.values().stream().mapToLong(Long::longValue).max().orElse(start + timeoutNanos);
                double latency = (last - start) / 1e6;
                if (reached.size() == servers.size()) {
                    latencies.add(latency);
                }
                var line = new StringBuilder(String.format(Locale.ROOT, "%d,%d,%.2f,%s", i, version, postMillis,
                        reached.size() == servers.size() ? String.format(Locale.ROOT, "%.2f", latency) : "timeout"));
                for (String server : servers) {
                    Long at = reached.get(server);
                    line.append(',').append(at == null ? "" : String.format(Locale.ROOT, "%.2f", (at - start) / 1e6));
                }
                out.write(line + "\n");
                if (pauseMillis > 0) {
                    Thread.sleep(pauseMillis);
                }
            }
        }
        latencies.sort(Double::compare);
        if (latencies.isEmpty()) {
            System.out.printf("ResetLatency: %d changes, none reached every server (%d timed out)%n", count, timedOut);
            return 1;
        }
        System.out.printf(Locale.ROOT, "ResetLatency: %d changes to %d servers: p50 %.1f ms, p99 %.1f ms, max %.1f ms, mean %.1f ms; "
                        + "%d timed out%n", count, servers.size(), rank(latencies, 0.50), rank(latencies, 0.99),
                latencies.get(latencies.size() - 1), latencies.stream().mapToDouble(Double::doubleValue).average().orElse(0),
                timedOut);
        return timedOut == 0 ? 0 : 1;
    }

    /** A console session (its cookie stays in the client) and the CSRF token every write in it must carry. */
    private static String csrfToken(HttpClient http, URI session) throws IOException, InterruptedException {
        var response = http.send(HttpRequest.newBuilder(session).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        String token = response.statusCode() == 200 ? JSON.readTree(response.body()).path("csrfToken").asText("") : "";
        if (token.isEmpty()) {
            throw new IOException("GET " + session + " answered " + response.statusCode() + " without a csrfToken: " + response.body());
        }
        return token;
    }

    /** Waits until every server announced {@code version} or newer; returns when each did (nanos), or who did by the deadline. */
    private static Map<String, Long> awaitVersion(LinkedBlockingQueue<Announce> announces, List<String> servers, long version,
            long deadline) throws InterruptedException {
        Map<String, Long> reached = new HashMap<>();
        while (reached.size() < servers.size()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                break;
            }
            Announce announce = announces.poll(left, TimeUnit.NANOSECONDS);
            if (announce == null) {
                break;
            }
            if (announce.configVersion() >= version && servers.contains(announce.server())) {
                reached.putIfAbsent(announce.server(), announce.arrivedNanos());
            }
        }
        return reached;
    }

    /** The nearest-rank percentile of sorted values. */
    private static double rank(List<Double> sorted, double fraction) {
        int index = (int) Math.ceil(fraction * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
    }
}
