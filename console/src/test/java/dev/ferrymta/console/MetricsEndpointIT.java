package dev.ferrymta.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferrymta.cluster.Peer;
import dev.ferrymta.cluster.ServerId;
import dev.ferrymta.relay.lifecycle.Link;
import dev.ferrymta.relay.lifecycle.LinkState;
import dev.ferrymta.relay.outbox.RelayCounters;
import dev.ferrymta.relay.outbox.RelayStatus;
import java.net.InetAddress;
import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code /metrics} over real HTTP, mounted as the console mounts it, read as Prometheus reads it. */
class MetricsEndpointIT {

    private static final Instant NOW = Instant.parse("2026-11-22T10:00:00Z");

    /** {@code # HELP name text} or {@code # TYPE name type}. */
    private static final Pattern COMMENT = Pattern.compile("# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)");

    /** {@code name{label="value",...} number}, label values escaped as the 0.0.4 format says. */
    private static final Pattern SAMPLE = Pattern.compile(
            "([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(?:[a-zA-Z_][a-zA-Z0-9_]*=\"(?:[^\"\\\\\\n]|\\\\[\\\\\"n])*\",?)*})? "
                    + "(-?[0-9.]+(?:[eE][-+]?[0-9]+)?|NaN|[+-]Inf)");

    private static final Pattern TYPES = Pattern.compile("counter|gauge|histogram|summary|untyped");

    /** A link whose state the test sets. */
    private record FixedLink(String name, String address, LinkState state, Optional<String> problem) implements Link {
    }

    private RoutesServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private void start(String serverId, Optional<RelayStatus> relay) throws Exception {
        var links = List.<Link>of(
                new FixedLink("rabbitmq", "amqp://127.0.0.1:5672/", LinkState.UP, Optional.empty()),
                new FixedLink("cluster", "amqp://127.0.0.1:5672/", LinkState.DOWN, Optional.of("Connection refused")),
                new FixedLink("postgresql", "postgresql://127.0.0.1:5432/ferry", LinkState.UP, Optional.empty()));
        var peers = List.of(peer("mail2"), peer("mail3"));
        var info = new InstanceInfo(serverId, "host1.example", "1.2.3", NOW.minusSeconds(3725),
                List.of(InetAddress.getByName("127.0.0.2")), links, () -> 42, () -> relay, Optional::empty, () -> peers,
                () -> relay.isPresent() ? OptionalLong.of(250) : OptionalLong.empty(), Optional::empty, () -> 5, () -> 1);
        var metrics = new MetricsEndpoint(info, Clock.fixed(NOW, ZoneOffset.UTC));
        server = new RoutesServer(routes -> metrics.routes(routes, h -> h));
    }

    private static Peer peer(String id) throws Exception {
        return new Peer(new ServerId(id), "incarnation-" + id, id + ".example", List.of(InetAddress.getByName("127.0.0.9")),
                URI.create("http://" + id + ".example:8485/"), "1.2.3", 42, NOW.minusSeconds(60), Map.of(), NOW.minusSeconds(2));
    }

    private static Optional<RelayStatus> running() {
        return Optional.of(new RelayStatus(new RelayCounters.Counts(120, 100, 7, 12, 3, 2, 4, 1, 0, 0, 0, 0, 0), 4, 9, 13, 180, List.of(), List.of()));
    }

    /**
     * Checks the text as Prometheus would and returns its samples by name and labels: every line
     * a HELP, a TYPE or a sample; every sample after its family's TYPE; counters' samples end in
     * {@code _total}.
     */
    private static Map<String, Double> parse(String text) {
        assertThat(text).endsWith("\n");
        var samples = new LinkedHashMap<String, Double>();
        var types = new HashMap<String, String>();
        var helped = new HashSet<String>();
        for (var line : text.split("\n")) {
            var comment = COMMENT.matcher(line);
            if (comment.matches()) {
                if (comment.group(1).equals("TYPE")) {
                    assertThat(comment.group(3)).matches(TYPES);
                    assertThat(types.put(comment.group(2), comment.group(3))).as("one TYPE for " + comment.group(2)).isNull();
                } else {
                    assertThat(comment.group(3)).as("help of " + comment.group(2)).isNotBlank();
                    helped.add(comment.group(2));
                }
                continue;
            }
            var sample = SAMPLE.matcher(line);
            assertThat(sample.matches()).as("a valid sample line: " + line).isTrue();
            var name = sample.group(1);
            var family = types.keySet().stream().filter(f -> name.equals(f) || name.equals(f + "_total")).findFirst();
            assertThat(family).as("TYPE before " + name).isPresent();
            assertThat(helped).as("HELP for " + name).contains(family.get());
            if (types.get(family.get()).equals("counter")) {
                assertThat(name).endsWith("_total");
            }
            var key = name + (sample.group(2) == null ? "" : sample.group(2));
            assertThat(samples.put(key, Double.parseDouble(sample.group(3)))).as("one sample " + key).isNull();
        }
        return samples;
    }

    @Test
    void exposesTheRelayClusterAndLinkFiguresInTheTextFormat() throws Exception {
        start("mail1", running());

        var response = server.get("/metrics");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).contains("text/plain; version=0.0.4; charset=utf-8");
        var samples = parse(response.body());
        assertThat(samples).containsEntry("ferry_messages_total{outcome=\"received\"}", 120.0)
                .containsEntry("ferry_messages_total{outcome=\"delivered\"}", 100.0)
                .containsEntry("ferry_messages_total{outcome=\"failed\"}", 7.0)
                .containsEntry("ferry_messages_total{outcome=\"retried\"}", 12.0)
                .containsEntry("ferry_messages_total{outcome=\"deferred\"}", 3.0)
                .containsEntry("ferry_messages_total{outcome=\"invalid\"}", 2.0)
                .containsEntry("ferry_messages_total{outcome=\"forwarded\"}", 4.0)
                .containsEntry("ferry_publish_failures_total", 1.0)
                .containsEntry("ferry_smtp_connections", 4.0)
                .containsEntry("ferry_lane_messages_waiting", 9.0)
                .containsEntry("ferry_outbox_unsettled", 13.0)
                .containsEntry("ferry_outbox_prefetch", 180.0)
                .containsEntry("ferry_outbox_queue_messages", 250.0)
                .containsEntry("ferry_settings_version", 42.0)
                .containsEntry("ferry_link_up{link=\"rabbitmq\"}", 1.0)
                .containsEntry("ferry_link_up{link=\"cluster\"}", 0.0)
                .containsEntry("ferry_link_up{link=\"postgresql\"}", 1.0)
                .containsEntry("ferry_uptime_seconds", 3725.0)
                .containsEntry("ferry_cluster_peers", 2.0)
                .containsEntry("ferry_cluster_rejected_total{source=\"control\"}", 5.0)
                .containsEntry("ferry_cluster_rejected_total{source=\"forward\"}", 1.0)
                .containsEntry("ferry_info{server=\"mail1\",version=\"1.2.3\"}", 1.0);
    }

    @Test
    void escapesLabelValues() throws Exception {
        start("mail \"1\"\\a\nb", running());

        var samples = parse(server.get("/metrics").body());

        assertThat(samples).containsKey("ferry_info{server=\"mail \\\"1\\\"\\\\a\\nb\",version=\"1.2.3\"}");
    }

    @Test
    void leavesTheRelayFiguresOutWhileItDoesNotRun() throws Exception {
        start("mail1", Optional.empty());

        var response = server.get("/metrics");

        assertThat(response.statusCode()).isEqualTo(200);
        var samples = parse(response.body());
        assertThat(samples.keySet()).noneMatch(key -> key.startsWith("ferry_messages_total") || key.startsWith("ferry_smtp_connections")
                        || key.startsWith("ferry_outbox_queue_messages"))
                .contains("ferry_link_up{link=\"rabbitmq\"}", "ferry_uptime_seconds", "ferry_settings_version");
    }

    @Test
    void speaksOpenMetricsWhenTheScraperAsksForIt() throws Exception {
        start("mail1", running());

        var response = server.get("/metrics", "Accept", "application/openmetrics-text; version=1.0.0; charset=utf-8");

        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type)
                .startsWith("application/openmetrics-text"));
        assertThat(response.body()).contains("ferry_messages_total{outcome=\"delivered\"} 100").endsWith("# EOF\n");
    }

    @Test
    void answersInTextWhenTheScraperAsksForProtobuf() throws Exception {
        start("mail1", running());

        var response = server.get("/metrics", "Accept",
                "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;q=0.7,text/plain;version=0.0.4;q=0.3");

        assertThat(response.headers().firstValue("Content-Type")).contains("text/plain; version=0.0.4; charset=utf-8");
        assertThat(parse(response.body())).containsKey("ferry_cluster_peers");
    }
}
