package dev.ferrymta.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferrymta.cluster.Peer;
import dev.ferrymta.cluster.ServerId;
import dev.ferrymta.relay.delivery.LaneKey;
import dev.ferrymta.relay.delivery.LaneStatus;
import dev.ferrymta.relay.lifecycle.Link;
import dev.ferrymta.relay.lifecycle.LinkState;
import dev.ferrymta.relay.mail.Domain;
import dev.ferrymta.relay.attempt.AttemptState;
import dev.ferrymta.relay.outbox.RecentResult;
import dev.ferrymta.relay.outbox.RecentResults;
import dev.ferrymta.relay.outbox.PublishProblems;
import dev.ferrymta.relay.outbox.RelayCounters;
import dev.ferrymta.relay.outbox.RelayStatus;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The console over real HTTP on a loopback port. */
class ConsoleServerIT {

    private static final Instant NOW = Instant.parse("2026-11-22T10:00:00Z");

    private final HttpClient http = HttpClient.newHttpClient();
    private ConsoleServer console;

    /** A link whose state the test sets. */
    private record FixedLink(String name, String address, LinkState state, Optional<String> problem) implements Link {
    }

    /** A broker link of several nodes, on the node the test says. */
    private record NodeLink(String name, String address, Optional<String> node, LinkState state, Optional<String> problem)
            implements Link {
    }

    private static final String CLUSTER_ADDRESS = "amqp://guest@127.0.0.1:5681/, amqp://guest@127.0.0.1:5682/";

    private RelayStatus relay;
    private List<Peer> peers = List.of();
    private dev.ferrymta.cluster.ClusterHealth cluster = dev.ferrymta.cluster.ClusterHealth.NONE;
    private RecentResults results;

    private int start(Optional<String> password, String serverId, Link... links) throws Exception {
        var config = new ConsoleConfig(InetAddress.getLoopbackAddress(), freePort(),
                URI.create("http://127.0.0.1/"), password);
        var info = new InstanceInfo(serverId, "mail1.example", "1.2.3", NOW.minusSeconds(3725), List.of(InetAddress.getByName("127.0.0.2")),
                List.of(links), () -> 42, () -> Optional.ofNullable(relay), Optional::empty, () -> peers, () -> OptionalLong.of(17),
                () -> Optional.ofNullable(results), () -> 3, () -> 4, Optional.empty(), true, () -> cluster);
        console = new ConsoleServer(config, info, Clock.fixed(NOW, ZoneOffset.UTC));
        console.start();
        return console.port();
    }

    private static int freePort() throws Exception {
        try (var socket = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private HttpResponse<String> get(int port, String path, String... headers) throws Exception {
        var request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
        if (headers.length > 0) {
            request.headers(headers);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @AfterEach
    void stop() {
        if (console != null) {
            console.close();
        }
    }

    @Test
    void aContestedIpIsAnErrorOnHealthAndTheConsoleShowsClocksAndForwardQueues() throws Exception {
        cluster = new dev.ferrymta.cluster.ClusterHealth(
                List.of(new dev.ferrymta.cluster.PeerDirectory.Conflict("contested-ip", "127.0.0.2", List.of("mail1", "mail2"),
                        NOW.minusSeconds(30))),
                List.of(new dev.ferrymta.cluster.ClusterHealth.ClockOffset("mail3", java.time.Duration.ofMinutes(10), NOW, true)),
                List.of(new dev.ferrymta.cluster.OrphanedForwards.ForwardQueue("mail1", "cluster.mail1.forward", OptionalLong.of(0), "live",
                                Optional.empty()),
                        new dev.ferrymta.cluster.OrphanedForwards.ForwardQueue("mail4", "cluster.mail4.forward", OptionalLong.of(1411),
                                "draining", Optional.of(NOW.minusSeconds(900)))),
                7, 2, 1411);
        int port = start(Optional.empty(), "mail1",
                new FixedLink("rabbitmq", "amqp://guest@127.0.0.1:5672/", LinkState.UP, Optional.empty()));

        var health = get(port, "/health");
        assertThat(health.statusCode()).isEqualTo(503);
        assertThat(health.body()).contains("\"status\":\"degraded\"")
                .contains("\"errors\":[\"source IP 127.0.0.2 is claimed by mail1 and mail2: nothing is forwarded to it until only one "
                        + "instance claims it\"]")
                .contains("the clock of mail3 is 10 min ahead of ours: its cluster messages are dropped");

        var status = get(port, "/api/status").body();
        assertThat(status).contains("\"replaysDropped\":7").contains("\"forwardsRefused\":2").contains("\"drained\":1411")
                .contains("{\"server\":\"mail4\",\"queue\":\"cluster.mail4.forward\",\"depth\":1411,\"state\":\"draining\","
                        + "\"silentSince\":\"2026-11-22T09:45:00Z\"}")
                .contains("\"offsetMillis\":600000");

        var overview = get(port, "/").body();
        assertThat(overview).contains("Error: source IP 127.0.0.2 is claimed by mail1 and mail2")
                .contains("Warning: the clock of mail3 is 10 min ahead of ours");
        var clusterPage = get(port, "/cluster").body();
        assertThat(clusterPage).contains("<h2>Forward queues</h2>").contains("cluster.mail4.forward").contains("1411")
                .contains("draining").contains("1411 drained here, 7 replayed forwards dropped, 2 forwards refused");
    }

    @Test
    void healthIs200WithEveryLinkUp() throws Exception {
        int port = start(Optional.empty(), "mail1",
                new FixedLink("rabbitmq", "amqp://guest@127.0.0.1:5672/", LinkState.UP, Optional.empty()),
                new NodeLink("cluster", CLUSTER_ADDRESS, Optional.of("127.0.0.1:5682"), LinkState.UP, Optional.empty()),
                new FixedLink("postgresql", "postgresql://ferry@127.0.0.1:5432/ferry", LinkState.UP, Optional.empty()));

        var health = get(port, "/health");

        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.headers().firstValue("Content-Type")).contains("application/json");
        assertThat(health.body()).isEqualTo("{\"status\":\"up\",\"server\":\"mail1\",\"version\":\"1.2.3\",\"configVersion\":42,\"links\":["
                + "{\"name\":\"rabbitmq\",\"address\":\"amqp://guest@127.0.0.1:5672/\",\"state\":\"up\"},"
                + "{\"name\":\"cluster\",\"address\":\"" + CLUSTER_ADDRESS + "\",\"node\":\"127.0.0.1:5682\",\"state\":\"up\"},"
                + "{\"name\":\"postgresql\",\"address\":\"postgresql://ferry@127.0.0.1:5432/ferry\",\"state\":\"up\"}],"
                + "\"clusterTraffic\":\"signed\"}");
    }

    @Test
    void healthStatusAndOverviewSayWhichNodeEachBrokerLinkIsOnNow() throws Exception {
        int port = start(Optional.empty(), "mail1",
                new NodeLink("rabbitmq", CLUSTER_ADDRESS, Optional.of("127.0.0.1:5681"), LinkState.UP, Optional.empty()),
                new NodeLink("cluster", CLUSTER_ADDRESS, Optional.empty(), LinkState.DOWN, Optional.of("Connection refused")));
        var json = new com.fasterxml.jackson.databind.ObjectMapper();

        var health = json.readTree(get(port, "/health").body()).get("links");
        var status = json.readTree(get(port, "/api/status").body()).get("links");
        var overview = get(port, "/").body();

        assertThat(health.get(0).get("node").asText()).isEqualTo("127.0.0.1:5681");
        assertThat(health.get(0).get("address").asText()).isEqualTo(CLUSTER_ADDRESS);
        assertThat(health.get(1).has("node")).as("a link that is down is on no node").isFalse();
        assertThat(status.get(0).get("node").asText()).isEqualTo("127.0.0.1:5681");
        assertThat(status.get(0).get("address").asText()).isEqualTo(CLUSTER_ADDRESS);
        assertThat(status.get(1).get("node").isNull()).isTrue();
        assertThat(overview).contains("<th>Node</th>",
                "<td data-label=\"Address\">" + CLUSTER_ADDRESS + "</td><td data-label=\"Node\">127.0.0.1:5681</td>",
                "<td data-label=\"Address\">" + CLUSTER_ADDRESS + "</td><td data-label=\"Node\"></td>");
    }

    @Test
    void healthIs503AndSaysWhyWhenALinkIsDown() throws Exception {
        int port = start(Optional.empty(), "mail1",
                new FixedLink("rabbitmq", "amqp://guest@127.0.0.1:5672/", LinkState.UP, Optional.empty()),
                new FixedLink("postgresql", "postgresql://ferry@127.0.0.1:5432/ferry", LinkState.DOWN, Optional.of("Connection refused")));

        var health = get(port, "/health");

        assertThat(health.statusCode()).isEqualTo(503);
        assertThat(health.body()).contains("\"status\":\"down\"", "\"state\":\"down\",\"problem\":\"Connection refused\"");
    }

    @Test
    void healthIsDegradedWhenOnlyAConsumerIsDownOrTheBrokerBlocks() throws Exception {
        int port = start(Optional.empty(), "mail1",
                new FixedLink("rabbitmq", "amqp://guest@127.0.0.1:5672/", LinkState.BLOCKED, Optional.of("blocked by the broker: low on memory")),
                new Link() {
                    @Override
                    public String name() {
                        return "outbox consumer";
                    }

                    @Override
                    public String address() {
                        return "127.0.0.1:5672";
                    }

                    @Override
                    public LinkState state() {
                        return LinkState.DOWN;
                    }

                    @Override
                    public Optional<String> problem() {
                        return Optional.of("the broker cancelled the consumer");
                    }

                    @Override
                    public boolean isConnection() {
                        return false;
                    }
                });

        var health = get(port, "/health");

        assertThat(health.statusCode()).isEqualTo(503);
        assertThat(health.body()).contains("\"status\":\"degraded\"", "\"state\":\"blocked\"", "the broker cancelled the consumer");
    }

    @Test
    void statusPageShowsServerUptimeAndLinks() throws Exception {
        int port = start(Optional.empty(), "mail1",
                new FixedLink("rabbitmq", "amqp://guest@127.0.0.1:5672/", LinkState.UP, Optional.empty()));

        var page = get(port, "/");

        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("<strong>Ferry mail1</strong>", "on mail1.example, up 1 h 2 min", "127.0.0.2",
                "Settings version 42", "amqp://guest@127.0.0.1:5672/");
    }

    @Test
    void showsMarkupInNamesAsText() throws Exception {
        int port = start(Optional.empty(), "<script>alert(1)</script>",
                new FixedLink("rabbitmq", "x", LinkState.DOWN, Optional.of("<img src=x onerror=alert(1)>")));

        var body = get(port, "/").body();

        assertThat(body).doesNotContain("<script>alert", "<img src=x")
                .contains("&lt;script&gt;alert(1)&lt;/script&gt;", "&lt;img src=x onerror=alert(1)&gt;");
    }

    @Test
    void showsTheRelaysCountersAndBusiestLanes() throws Exception {
        relay = new RelayStatus(new RelayCounters.Counts(120, 100, 7, 12, 3, 2, 0, 0, 0, 0, 0, 0, 0), 4, 9, 13, 180, List.of(
                new LaneStatus(new LaneKey(InetAddress.getByName("127.0.0.2"), Domain.parse("example.com")), 9, 4, 100, 12, 5, true),
                new LaneStatus(new LaneKey(InetAddress.getByName("127.0.0.2"), Domain.parse("example.org")), 1, 1, 3, 1, 0, false)),
                List.of(new PublishProblems.Problem("results-full", "nacked: the broker refused <it>", 3, NOW.minusSeconds(60), NOW)));
        int port = start(Optional.empty(), "mail1");

        assertThat(get(port, "/").body()).contains("Since the start: delivered 100, failed 7 (invalid 2), retried 12")
                .contains("Waiting in lanes 9, outbox messages in hand 13 (prefetch 180).")
                .contains("<td data-label=\"Source IP\">127.0.0.2</td><td data-label=\"Domain\">example.com</td>"
                        + "<td data-label=\"Waiting\">9</td><td data-label=\"Connections\">4</td><td data-label=\"Delivered\">100</td>")
                .contains("<td data-label=\"Pipelining across messages\">on</td>",
                        "<td data-label=\"Pipelining across messages\">off: a server did not take a pipelined MAIL in turn</td>")
                .contains("Outbox depth<b>17</b>", "SMTP connections<b>4</b>")
                .contains("Queues refusing publishes", "results-full", "nacked: the broker refused &lt;it&gt;");
        assertThat(get(port, "/api/status").body()).contains("\"refusing\":[{\"queue\":\"results-full\"");
        var api = new com.fasterxml.jackson.databind.ObjectMapper().readTree(get(port, "/api/relay").body());
        assertThat(api.get("counts").get("delivered").asLong()).isEqualTo(100);
        assertThat(api.get("connections").asInt()).isEqualTo(4);
        assertThat(api.get("unsettled").asInt()).isEqualTo(13);
        assertThat(api.get("prefetch").asInt()).isEqualTo(180);
        assertThat(api.get("lanes").get(0).get("domain").asText()).isEqualTo("example.com");
        assertThat(api.get("lanes").get(0).get("waiting").asInt()).isEqualTo(9);
        assertThat(api.get("lanes").get(0).get("pipelining").asBoolean()).isTrue();
        assertThat(api.get("lanes").get(1).get("pipelining").asBoolean()).isFalse();
    }

    @Test
    void saysSoWhenNoLaneIsBusyAndBeforeTheRatesSpanFiveSeconds() throws Exception {
        relay = new RelayStatus(new RelayCounters.Counts(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), 0, 0, 0, 0, List.of(), List.of());
        int port = start(Optional.empty(), "mail1");

        // The clock stands still, so the samples span no time at all.
        var page = get(port, "/").body();
        assertThat(page).contains("No lanes: nothing is waiting or being sent now.", "Delivered / min<b>measuring</b>")
                .doesNotContain("<th>Waiting</th>");
    }

    @Test
    void theRelayApiIs503BeforeTheRelayRuns() throws Exception {
        int port = start(Optional.empty(), "mail1");
        assertThat(get(port, "/api/relay").statusCode()).isEqualTo(503);
    }

    @Test
    void setsSecurityHeaders() throws Exception {
        int port = start(Optional.empty(), "mail1");

        var headers = get(port, "/").headers();

        assertThat(headers.firstValue("Content-Security-Policy")).hasValueSatisfying(v -> assertThat(v).startsWith("default-src 'none'"));
        assertThat(headers.firstValue("X-Content-Type-Options")).contains("nosniff");
        assertThat(headers.firstValue("X-Frame-Options")).contains("DENY");
    }

    @Test
    void sendsPeoplePastTheLoginFormAndScriptsA401() throws Exception {
        int port = start(Optional.of("correct-horse"), "mail1");

        var page = get(port, "/cluster?x=1", "Accept", "text/html");
        assertThat(page.statusCode()).isEqualTo(303);
        assertThat(page.headers().firstValue("Location")).contains("/login?next=%2Fcluster%3Fx%3D1");
        assertThat(get(port, "/api/status").statusCode()).isEqualTo(401);
        assertThat(get(port, "/login").body()).contains("type=\"password\"");
        assertThat(get(port, "/health").statusCode()).isEqualTo(200);
    }

    @Test
    void logsInWithTheRightPasswordIntoAStrictHttpOnlySession() throws Exception {
        int port = start(Optional.of("correct-horse"), "mail1");

        var login = post(port, "/login", "application/x-www-form-urlencoded", "password=correct-horse&next=%2Fcluster");

        assertThat(login.statusCode()).isEqualTo(303);
        assertThat(login.headers().firstValue("Location")).contains("/cluster");
        var cookie = login.headers().firstValue("Set-Cookie").orElseThrow();
        assertThat(cookie).startsWith("ferry_session_mail1=").contains("HttpOnly", "SameSite=Strict");
        var session = cookie.substring(0, cookie.indexOf(';'));
        assertThat(get(port, "/cluster", "Cookie", session).statusCode()).isEqualTo(200);
        assertThat(get(port, "/cluster", "Cookie", "ferry_session_mail1=forged").statusCode()).isEqualTo(401);
    }

    @Test
    void aWrongPasswordMakesTheNextLoginWaitAndTheRightOneThenSucceeds() throws Exception {
        int port = start(Optional.of("correct-horse"), "mail1");

        var wrong = post(port, "/login", "application/json", "{\"password\":\"wrong-horse\"}");
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(wrong.headers().firstValue("Retry-After")).contains("1");
        // The console's clock stands still here, so the next turn is a second away, in real time.
        long started = System.nanoTime();
        var right = post(port, "/login", "application/json", "{\"password\":\"correct-horse\"}");
        assertThat(right.statusCode()).isEqualTo(200);
        assertThat(right.headers().firstValue("Set-Cookie")).isPresent();
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(900));
    }

    @Test
    void refusesWritesWithoutTheSessionsCsrfToken() throws Exception {
        int port = start(Optional.of("correct-horse"), "mail1");
        var login = post(port, "/login", "application/json", "{\"password\":\"correct-horse\"}");
        assertThat(login.statusCode()).isEqualTo(200);
        var token = new com.fasterxml.jackson.databind.ObjectMapper().readTree(login.body()).get("csrfToken").asText();
        var cookie = login.headers().firstValue("Set-Cookie").orElseThrow();
        var session = cookie.substring(0, cookie.indexOf(';'));

        assertThat(post(port, "/logout", "application/x-www-form-urlencoded", "", "Cookie", session).statusCode()).isEqualTo(403);
        assertThat(post(port, "/logout", "application/x-www-form-urlencoded", "csrf=not-it", "Cookie", session).statusCode())
                .isEqualTo(403);
        assertThat(post(port, "/logout", "application/x-www-form-urlencoded", "", "Cookie", session, "X-CSRF-Token", token)
                .statusCode()).isEqualTo(303);
        assertThat(get(port, "/api/status", "Cookie", session).statusCode()).as("logged out").isEqualTo(401);
    }

    @Test
    void listsTheClusterWithLinksAndMarksALaggingVersion() throws Exception {
        peers = List.of(peer("mail2", "<script>alert(2)</script>", 43), peer("mail3", "mail3.example", 40));
        int port = start(Optional.empty(), "mail1");

        var page = get(port, "/cluster").body();
        assertThat(page).contains("3 live instances", "href=\"http://mail2.example:8485/\"", "&lt;script&gt;alert(2)&lt;/script&gt;")
                .doesNotContain("<script>alert");
        assertThat(page).contains("class=\"lag\">42 (behind: 43 is the newest)", "class=\"lag\">40 (behind")
                .doesNotContain("class=\"lag\">43");
        var api = new com.fasterxml.jackson.databind.ObjectMapper().readTree(get(port, "/api/cluster").body());
        assertThat(api.get("instances").findValuesAsText("server")).containsExactly("mail1", "mail2", "mail3");
        assertThat(api.get("instances").findValues("behind").stream().map(v -> v.asBoolean()).toList()).containsExactly(true, false, true);
    }

    @Test
    void showsRecentResultsFilteredAndEscaped() throws Exception {
        results = new RecentResults(10);
        results.record(result("ann@a.example", RecentResult.Outcome.DELIVERED, AttemptState.DATA, 250, "ok"));
        results.record(result("bob@b.example", RecentResult.Outcome.FAILED, AttemptState.RCPTTO, 550, "<script>no such user</script>"));
        int port = start(Optional.empty(), "mail1");

        var all = get(port, "/results").body();
        assertThat(all).contains("ann@a.example", "bob@b.example", "&lt;script&gt;no such user").doesNotContain("<script>no");
        var failed = get(port, "/results?outcome=failed").body();
        assertThat(failed).contains("bob@b.example").doesNotContain("ann@a.example");
        var byDomain = get(port, "/results?domain=a.example").body();
        assertThat(byDomain).contains("ann@a.example").doesNotContain("bob@b.example");
        assertThat(get(port, "/results?outcome=lost").statusCode()).isEqualTo(400);
        assertThat(get(port, "/api/results?state=rcptto").body()).contains("bob@b.example").doesNotContain("ann@a.example");
    }

    @Test
    void showsTheNewestHundredResultsAndOffersTheRest() throws Exception {
        results = new RecentResults(RecentResults.DEFAULT_CAPACITY);
        for (int i = 0; i < 120; i++) {
            results.record(result("user" + i + "@a.example", RecentResult.Outcome.DELIVERED, AttemptState.DATA, 250, "ok"));
        }
        int port = start(Optional.empty(), "mail1");

        var page = get(port, "/results?outcome=delivered").body();
        assertThat(page.split("data-label=\"Recipient\"", -1)).hasSize(101);
        assertThat(page).contains("user119@a.example", "The newest 100 are shown.",
                "href=\"/results?limit=1000&amp;outcome=delivered\"").doesNotContain("user19@a.example");

        var all = get(port, "/results?limit=1000&outcome=delivered").body();
        assertThat(all.split("data-label=\"Recipient\"", -1)).hasSize(121);
        assertThat(all).doesNotContain("are shown");
    }

    @Test
    void metricsAreOpenWithoutPasswordAndTakeBasicAuthWithOne() throws Exception {
        int open = start(Optional.empty(), "mail1");
        var scrape = get(open, "/metrics");
        assertThat(scrape.statusCode()).isEqualTo(200);
        assertThat(scrape.body()).contains("ferry_settings_version 42", "ferry_cluster_rejected_total{source=\"control\"} 3");
        assertThat(scrape.headers().firstValue("Set-Cookie")).as("no session per scrape").isEmpty();
        console.close();

        int locked = start(Optional.of("correct-horse"), "mail1");
        assertThat(get(locked, "/metrics").statusCode()).isEqualTo(401);
        assertThat(get(locked, "/metrics", "Authorization", "Basic " + java.util.Base64.getEncoder()
                .encodeToString("prometheus:wrong-horse".getBytes())).statusCode()).isEqualTo(401);
        assertThat(get(locked, "/metrics", "Authorization", "Basic " + java.util.Base64.getEncoder()
                .encodeToString("prometheus:correct-horse".getBytes())).statusCode()).isEqualTo(200);
    }

    private static RecentResult result(String recipient, RecentResult.Outcome outcome, AttemptState state, int code, String text)
            throws Exception {
        return new RecentResult(NOW, outcome, Optional.of(recipient), Optional.of(Domain.parse(recipient.substring(recipient.indexOf('@') + 1))),
                Optional.of(InetAddress.getByName("127.0.0.2")), Optional.of(InetAddress.getByName("127.0.0.9")), Optional.of(state),
                Optional.of(code < 400 ? dev.ferrymta.relay.attempt.AttemptResult.ACCEPTED : dev.ferrymta.relay.attempt.AttemptResult.ERROR),
                java.util.OptionalInt.of(code), Optional.empty(), text, 1, Optional.of("mx.example"));
    }

    private static Peer peer(String id, String hostname, long configVersion) throws Exception {
        return new Peer(new ServerId(id), "incarnation-" + id, hostname, List.of(InetAddress.getByName("127.0.0.9")),
                URI.create("http://" + id + ".example:8485/"), "1.2.3", configVersion, NOW.minusSeconds(60), java.util.Map.of(),
                NOW.minusSeconds(2));
    }

    private HttpResponse<String> post(int port, String path, String type, String body, String... headers) throws Exception {
        var request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).header("Content-Type", type)
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (headers.length > 0) {
            request.headers(headers);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void startsNoSessionForAnApiReadWithoutPassword() throws Exception {
        int port = start(Optional.empty(), "mail1");

        var read = get(port, "/api/cluster");
        assertThat(read.statusCode()).isEqualTo(200);
        assertThat(read.headers().firstValue("Set-Cookie")).isEmpty();
        assertThat(get(port, "/cluster").headers().firstValue("Set-Cookie")).as("a page needs one for its forms").isPresent();
        assertThat(get(port, "/api/session").headers().firstValue("Set-Cookie")).isPresent();
    }

    @Test
    void answers404ForUnknownPaths() throws Exception {
        int port = start(Optional.empty(), "mail1");

        assertThat(get(port, "/nothing-here").statusCode()).isEqualTo(404);
    }
}
