package dev.ferrymta.console;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferrymta.db.DatabaseAddress;
import dev.ferrymta.db.DatabasePool;
import dev.ferrymta.db.JdbcSettingsSource;
import dev.ferrymta.db.SchemaMigrator;
import dev.ferrymta.db.write.SettingsWriter;
import dev.ferrymta.relay.settings.CurrentSettings;
import dev.ferrymta.testing.db.TestDatabase;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.KeyPairGenerator;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import dev.ferrymta.relay.config.HostAndPort;
import dev.ferrymta.relay.dkim.DkimPublicationChecks;
import dev.ferrymta.relay.dns.DnsJavaResolver;
import dev.ferrymta.testing.dns.DnsResponder;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code /api/settings} over real HTTP, writing the real database: every kind created, changed and
 * deleted; refusals that change nothing; every committed write broadcast.
 */
class SettingsApiIT {

    @RegisterExtension
    static final TestDatabase database = new TestDatabase();

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient http = HttpClient.newBuilder().cookieHandler(new java.net.CookieManager()).build();
    private static String csrf;
    private static final List<Long> broadcast = new CopyOnWriteArrayList<>();

    private static DatabasePool pool;
    private static CurrentSettings settings;
    private static ConsoleServer console;
    private static final DnsResponder dns = DnsResponder.start();
    private static DkimPublicationChecks dkimChecks;
    private static String base;

    @BeforeAll
    static void start() throws Exception {
        pool = new DatabasePool(DatabaseAddress.parse(database.address()));
        assertThat(pool.connect()).isTrue();
        SchemaMigrator.migrate(pool.dataSource());
        settings = new CurrentSettings(new JdbcSettingsSource(pool.dataSource(), pool.address()));
        settings.loadInitial();
        var editor = new SettingsEditor(settings, new SettingsWriter(pool.dataSource(), Clock.systemUTC()), broadcast::add);
        var config = new ConsoleConfig(InetAddress.getLoopbackAddress(), 0, URI.create("http://127.0.0.1/"), Optional.empty());
        var info = new InstanceInfo("api-test", "api.example", "1.2.3", Instant.now(), List.of(), List.of(), settings::version,
                Optional::empty, () -> Optional.of(editor), List::of, java.util.OptionalLong::empty,
                Optional::empty, () -> 0, () -> 0, Optional.of(dkimChecks = new DkimPublicationChecks(
                        new DnsJavaResolver(Optional.of(HostAndPort.parse(dns.hostPort(), 53)), Duration.ofSeconds(2)), Clock.systemUTC())),
                false); // no cluster-secret: the pages and /health must say so
        console = new ConsoleServer(config, info, Clock.systemUTC());
        console.start();
        base = "http://127.0.0.1:" + console.port();
        // Without a password every visitor gets a session; its token must come with each write.
        csrf = JSON.readTree(get("/api/session").body()).get("csrfToken").asText();
    }

    @Test
    void eachDkimKeySaysWhetherItIsPublishedAndWhatToPublish() throws Exception {
        var pair = KeyPairGenerator.getInstance("RSA");
        pair.initialize(2048);
        var keys = pair.generateKeyPair();
        var pem = "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(keys.getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
        var published = "v=DKIM1; k=rsa; p=" + Base64.getEncoder().encodeToString(keys.getPublic().getEncoded());
        dns.txt("pub1._domainkey.published.example", published);
        var created = send("POST", "/api/settings/dkim-keys", JSON.createObjectNode().put("domain", "published.example")
                .put("selector", "pub1").put("privateKey", pem).toString());
        assertThat(created.statusCode()).isEqualTo(201);
        var missing = send("POST", "/api/settings/dkim-keys", JSON.createObjectNode().put("domain", "published.example")
                .put("selector", "nowhere").put("privateKey", pem).toString());
        assertThat(missing.statusCode()).isEqualTo(201);

        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> {
            var rows = JSON.readTree(get("/api/settings/dkim-keys").body()).get("dkim-keys");
            var bySelector = new java.util.HashMap<String, String>();
            rows.forEach(row -> bySelector.put(row.get("selector").asText(), row.path("publication").asText()));
            return "published, matches".equals(bySelector.get("pub1")) && bySelector.getOrDefault("nowhere", "").startsWith("not published");
        });
        var page = get("/settings").body();
        assertThat(page).contains("published, matches", "TXT record to publish",
                "pub1._domainkey.published.example TXT &quot;" + published.replace("\"", "&quot;") + "&quot;");
    }

    @Test
    void anInstanceWithoutClusterSecretSaysItsClusterTrafficIsUnsigned() throws Exception {
        var health = JSON.readTree(get("/health").body());
        assertThat(health.get("clusterTraffic").asText()).isEqualTo("unsigned");
        assertThat(health.get("warnings").get(0).asText()).startsWith("cluster traffic is unsigned");
        assertThat(get("/").body()).contains("Warning: cluster traffic is unsigned");
    }

    @Test
    void theOverviewListsTheAutomaticActionsInForce() throws Exception {
        var until = Instant.now().plus(Duration.ofMinutes(10)).toString();
        var created = send("POST", "/api/settings/pauses", JSON.createObjectNode().put("localIp", "10.9.7.1").put("domain", "auto.example")
                .put("until", until).put("reason", "automatic: rule 'google-rate-limit' on mail-2 after: 421 4.7.28 unusual rate").toString());
        assertThat(created.statusCode()).isEqualTo(201);
        var row = JSON.readTree(created.body());
        try {
            var page = get("/").body();
            assertThat(page).contains("<h2>Automatic actions</h2>", "10.9.7.1", "auto.example", "rule &#39;google-rate-limit&#39; on mail-2");
        } finally {
            assertThat(send("DELETE", "/api/settings/pauses/" + row.get("id").asLong() + "?revision=" + row.get("revision").asInt(), "")
                    .statusCode()).isEqualTo(200);
        }
    }

    @Test
    void theOverviewListsTheAutomaticBackOffsInForce() throws Exception {
        var until = Instant.now().plus(Duration.ofMinutes(10)).toString();
        var created = send("POST", "/api/settings/back-offs", JSON.createObjectNode().put("localIp", "10.9.7.2").put("domain", "slow.example")
                .put("until", until).put("messagesPerMinute", 30).put("maxConnections", 1)
                .put("reason", "automatic: rule 'yahoo-deferred' on mail-3 after: 421 4.7.0 [TSS04]").toString());
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        var row = JSON.readTree(created.body());
        try {
            var page = get("/").body();
            assertThat(page).contains("<h2>Automatic actions</h2>", "slowed to 30/min, 1 connection", "10.9.7.2", "slow.example",
                    "rule &#39;yahoo-deferred&#39; on mail-3", "<th>Since</th>");
            var since = row("back-offs", row.get("id").asLong()).orElseThrow().get("since").asText();
            assertThat(java.time.Duration.between(Instant.parse(since), Instant.now()).abs()).isLessThan(Duration.ofMinutes(1));
            assertThat(page).contains(since);
        } finally {
            assertThat(send("DELETE", "/api/settings/back-offs/" + row.get("id").asLong() + "?revision=" + row.get("revision").asInt(), "")
                    .statusCode()).isEqualTo(200);
        }
    }

    @AfterAll
    static void stop() {
        dns.close();
        if (dkimChecks != null) {
            dkimChecks.close();
        }
        if (console != null) {
            console.close();
        }
        if (pool != null) {
            pool.close();
        }
    }

    static Stream<Arguments> kinds() {
        return Stream.of(
                Arguments.of("pools", "{\"name\":\"api-pool\",\"ips\":[\"10.9.0.1\",\"10.9.0.2\"]}",
                        "{\"name\":\"api-pool\",\"ips\":[\"10.9.0.3\"]}", "ips", "[\"10.9.0.3\"]"),
                Arguments.of("throttles", "{\"domain\":\"api-throttle.example\",\"maxConnections\":5}",
                        "{\"domain\":\"api-throttle.example\",\"maxConnections\":7,\"messagesPerMinute\":600}",
                        "maxConnections", "7"),
                Arguments.of("routes", "{\"domain\":\"api-route.example\",\"kind\":\"smarthost\",\"host\":\"127.0.0.1\",\"port\":2525}",
                        "{\"domain\":\"api-route.example\",\"kind\":\"mx\",\"host\":\"mx.api-route.example\"}", "host",
                        "\"mx.api-route.example\""),
                Arguments.of("pauses", "{\"domain\":\"api-pause.example\",\"reason\":\"complaints\"}",
                        "{\"domain\":\"api-pause.example\",\"localIp\":\"10.9.1.0/24\",\"reason\":\"still\"}", "localIp",
                        "\"10.9.1.0/24\""),
                // A pause of one campaign: the messages tagged spring-sale.
                Arguments.of("pauses", "{\"domain\":\"api-tag.example\",\"reason\":\"campaign\"}",
                        "{\"domain\":\"api-tag.example\",\"reason\":\"campaign\",\"tag\":\"spring-sale\"}", "tag",
                        "\"spring-sale\""),
                Arguments.of("ehlo-names", "{\"localIp\":\"10.9.2.1\",\"name\":\"mail1.api.example\"}",
                        "{\"localIp\":\"10.9.2.1\",\"name\":\"mail2.api.example\"}", "name", "\"mail2.api.example\""),
                Arguments.of("dkim-keys", dkimKey("s1"), dkimKey("s2"), "selector", "\"s2\""),
                Arguments.of("response-rules",
                        "{\"name\":\"api-rule\",\"code\":\"421\",\"text\":\"\\\\bTSS04\\\\b\",\"action\":\"backoff\",\"minutes\":30,\"maxConnections\":1}",
                        "{\"name\":\"api-rule\",\"code\":\"421\",\"text\":\"\\\\bTSS04\\\\b\",\"action\":\"suspend\",\"scope\":\"ip\",\"minutes\":15,"
                                + "\"category\":\"rate-limit\"}", "action", "\"suspend\""),
                Arguments.of("back-offs",
                        "{\"localIp\":\"10.9.3.0/24\",\"domain\":\"api-slow.example\",\"until\":\"2099-01-01T00:00:00Z\",\"messagesPerMinute\":60}",
                        "{\"localIp\":\"10.9.3.0/24\",\"until\":\"2099-01-01T00:00:00Z\",\"maxConnections\":2}", "maxConnections", "2"),
                Arguments.of("providers", "{\"name\":\"api-hosting\",\"mxPatterns\":[\"*.mx.api-hosting.example\"]}",
                        "{\"name\":\"api-hosting\",\"mxPatterns\":[\"*.mx.api-hosting.example\",\"mx9.api-hosting.example\"]}",
                        "mxPatterns", "[\"*.mx.api-hosting.example\",\"mx9.api-hosting.example\"]"),
                // A throttle for every domain Google hosts, from each IP.
                Arguments.of("throttles", "{\"provider\":\"google\",\"maxConnections\":20}",
                        "{\"provider\":\"google\",\"maxConnections\":10,\"messagesPerMinute\":600}", "maxConnections", "10"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void everyKindIsCreatedChangedAndDeleted(String kind, String created, String changed, String field, String value)
            throws Exception {
        long before = settings.version();

        var create = send("POST", "/api/settings/" + kind, created);
        assertThat(create.statusCode()).as(create.body()).isEqualTo(201);
        var result = JSON.readTree(create.body());
        long id = result.get("id").asLong();
        long version = result.get("configVersion").asLong();
        assertThat(version).isGreaterThan(before);
        assertThat(broadcast).contains(version);
        assertThat(settings.version()).as("in force here when the answer comes").isGreaterThanOrEqualTo(version);
        assertThat(row(kind, id)).isPresent();

        var update = send("PUT", "/api/settings/" + kind + "/" + id, withRevision(changed, result.get("revision").asInt()));
        assertThat(update.statusCode()).as(update.body()).isEqualTo(200);
        var updated = JSON.readTree(update.body());
        assertThat(updated.get("configVersion").asLong()).isGreaterThan(version);
        assertThat(row(kind, id).orElseThrow().get(field)).isEqualTo(JSON.readTree(value));

        var stale = send("PUT", "/api/settings/" + kind + "/" + id, withRevision(changed, result.get("revision").asInt()));
        assertThat(stale.statusCode()).as(stale.body()).isEqualTo(409);
        assertThat(JSON.readTree(stale.body()).get("currentRevision").asInt()).isEqualTo(updated.get("revision").asInt());

        var delete = send("DELETE", "/api/settings/" + kind + "/" + id + "?revision=" + updated.get("revision").asInt(), null);
        assertThat(delete.statusCode()).as(delete.body()).isEqualTo(200);
        assertThat(row(kind, id)).isEmpty();

        var again = send("DELETE", "/api/settings/" + kind + "/" + id + "?revision=" + updated.get("revision").asInt(), null);
        assertThat(again.statusCode()).as(again.body()).isEqualTo(404);
        assertThat(JSON.readTree(again.body()).get("error").asText()).isEqualTo("not found");
    }

    static Stream<Arguments> badInput() {
        return Stream.of(
                Arguments.of("throttles", "{\"domain\":\"bad.example\",\"maxConnections\":\"5\"}", "maxConnections"),
                Arguments.of("throttles", "{\"domain\":\"bad.example\",\"maxConnections\":1.5}", "maxConnections"),
                Arguments.of("throttles", "{\"domain\":\"bad.example\",\"maxConnections\":-1}", "maxConnections"),
                Arguments.of("throttles", "{\"domain\":\"<script>alert(1)</script>\",\"maxConnections\":2}", "domain"),
                Arguments.of("throttles", "{\"domain\":\"bad.example\",\"maxConection\":2}", "maxConection"),
                Arguments.of("routes", "{\"domain\":5,\"kind\":\"mx\",\"host\":\"h.example\"}", "domain"),
                Arguments.of("routes", "{\"domain\":\"bad.example\",\"kind\":\"teleport\",\"host\":\"h.example\"}", "kind"),
                Arguments.of("pools", "{\"name\":\"bad\",\"ips\":\"10.0.0.1\"}", "ips"),
                Arguments.of("pools", "{\"name\":\"bad\",\"ips\":[\"10.0.0.1\",\"not an ip\"]}", "ips[1]"),
                Arguments.of("pauses", "{\"domain\":\"bad.example\",\"until\":\"2001-01-01T00:00:00Z\"}", "until"),
                Arguments.of("ehlo-names", "{\"localIp\":\"10.0.0.0/8\",\"name\":\"mail.example\"}", "localIp"),
                Arguments.of("dkim-keys", "{\"domain\":\"bad.example\",\"selector\":\"s\",\"privateKey\":\"nope\"}", "privateKey"),
                Arguments.of("response-rules", "{\"name\":\"bad\",\"text\":\"(a+)+(\",\"action\":\"suspend\",\"minutes\":5}", "text"),
                Arguments.of("response-rules", "{\"name\":\"bad\",\"code\":\"421\",\"action\":\"throttle\"}", "action"),
                Arguments.of("response-rules", "{\"name\":\"bad\",\"code\":\"421\",\"action\":\"backoff\",\"minutes\":5}",
                        "messagesPerMinute"),
                Arguments.of("back-offs", "{\"localIp\":\"10.0.0.1\",\"until\":\"2099-01-01T00:00:00Z\"}", "messagesPerMinute"),
                Arguments.of("throttles", "{\"provider\":\"gogle\",\"maxConnections\":2}", "provider"),
                Arguments.of("pauses", "{\"provider\":\"google\",\"domain\":\"gmail.com\"}", "provider"),
                Arguments.of("providers", "{\"name\":\"x\",\"mxPatterns\":[\"*.com\"]}", "mxPatterns[0]"));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("badInput")
    void badInputGetsFieldErrorsAndChangesNothing(String kind, String body, String field) throws Exception {
        long before = currentVersion();
        int broadcasts = broadcast.size();

        var response = send("POST", "/api/settings/" + kind, body);

        assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
        var answer = JSON.readTree(response.body());
        assertThat(answer.get("error").asText()).isEqualTo("invalid");
        assertThat(answer.get("fields").findValuesAsText("field")).contains(field);
        assertThat(currentVersion()).isEqualTo(before);
        assertThat(broadcast).hasSize(broadcasts);
    }

    @Test
    void refusesWhatIsNotAJsonRow() throws Exception {
        long before = currentVersion();
        var form = HttpRequest.newBuilder(URI.create(base + "/api/settings/throttles"))
                .header("Content-Type", "application/x-www-form-urlencoded").header("X-CSRF-Token", csrf)
                .POST(HttpRequest.BodyPublishers.ofString("domain=x.example&maxConnections=1")).build();
        assertThat(http.send(form, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(415);
        assertThat(send("POST", "/api/settings/throttles", "{\"domain\":").statusCode()).isEqualTo(400);
        assertThat(send("POST", "/api/settings/throttles", "[1,2]").statusCode()).isEqualTo(400);
        assertThat(send("POST", "/api/settings/throttles", "{\"reason\":\"" + "x".repeat(70_000) + "\"}").statusCode()).isEqualTo(413);
        assertThat(send("POST", "/api/settings/teleporters", "{}").statusCode()).isEqualTo(404);
        assertThat(send("PUT", "/api/settings/throttles/abc", "{\"revision\":1}").statusCode()).isEqualTo(404);
        assertThat(send("PUT", "/api/settings/throttles/999999", "{\"domain\":\"x.example\",\"revision\":1}").statusCode())
                .isEqualTo(404);
        var noRevision = send("PUT", "/api/settings/throttles/1", "{\"domain\":\"x.example\"}");
        assertThat(noRevision.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(noRevision.body()).get("fields").findValuesAsText("field")).containsExactly("revision");
        assertThat(send("DELETE", "/api/settings/throttles/1", null).statusCode()).isEqualTo(400);
        assertThat(currentVersion()).isEqualTo(before);
    }

    @Test
    void listsEveryKindWithTheVersion() throws Exception {
        var create = send("POST", "/api/settings/throttles", "{\"domain\":\"listed.example\",\"maxConnections\":3}");
        assertThat(create.statusCode()).isEqualTo(201);

        var all = JSON.readTree(get("/api/settings").body());

        assertThat(all.get("configVersion").asLong()).isEqualTo(JSON.readTree(create.body()).get("configVersion").asLong());
        for (var kind : List.of("pools", "throttles", "routes", "pauses", "ehlo-names", "dkim-keys")) {
            assertThat(all.get(kind).isArray()).as(kind).isTrue();
        }
        assertThat(all.get("throttles").findValuesAsText("domain")).contains("listed.example");
        assertThat(get("/api/settings/nothing").statusCode()).isEqualTo(404);
    }

    @Test
    void refusesAWriteWithoutTheCsrfTokenOrASession() throws Exception {
        long before = currentVersion();
        var body = HttpRequest.BodyPublishers.ofString("{\"domain\":\"csrf.example\",\"maxConnections\":1}");
        var noToken = HttpRequest.newBuilder(URI.create(base + "/api/settings/throttles")).header("Content-Type", "application/json")
                .POST(body).build();
        assertThat(http.send(noToken, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(403);
        var stranger = HttpClient.newHttpClient();
        var noSession = HttpRequest.newBuilder(URI.create(base + "/api/settings/throttles")).header("Content-Type", "application/json")
                .header("X-CSRF-Token", csrf).POST(body).build();
        assertThat(stranger.send(noSession, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(403);
        assertThat(currentVersion()).isEqualTo(before);
    }

    @Test
    void theSettingsPageAddsChangesAndDeletesThroughItsForms() throws Exception {
        var page = get("/settings").body();
        assertThat(page).contains("name=\"csrf\" value=\"" + csrf + "\"", "<h2 id=\"throttles\">Throttles</h2>");

        var added = form("/settings/throttles", "csrf=" + csrf + "&domain=form.example&maxConnections=3&messagesPerMinute=");
        assertThat(added.statusCode()).isEqualTo(303);
        var saved = added.headers().firstValue("Location").orElseThrow();
        assertThat(saved).startsWith("/settings?saved=");
        var row = JSON.readTree(get("/api/settings/throttles").body()).get("throttles").findParents("domain").stream()
                .filter(node -> node.get("domain").asText().equals("form.example")).findFirst().orElseThrow();
        assertThat(row.get("maxConnections").asInt()).isEqualTo(3);
        assertThat(row.get("messagesPerMinute").isNull()).isTrue();
        assertThat(get(saved).body()).contains("Saved as version " + saved.substring(saved.indexOf('=') + 1), "All 1 instances run it");

        var refused = form("/settings/throttles/" + row.get("id").asLong(), "csrf=" + csrf + "&revision=" + row.get("revision").asInt()
                + "&domain=%3Cscript%3E&maxConnections=many");
        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(refused.body()).contains("Nothing was saved", "&lt;script&gt;").doesNotContain("<script>");

        var deleted = form("/settings/throttles/" + row.get("id").asLong() + "/delete", "csrf=" + csrf + "&revision="
                + row.get("revision").asInt());
        assertThat(deleted.statusCode()).isEqualTo(303);
        assertThat(get("/api/settings/throttles").body()).doesNotContain("form.example");
        assertThat(form("/settings/throttles", "domain=sneaky.example&maxConnections=3").statusCode()).as("no token").isEqualTo(403);
    }

    @Test
    void theSettingsPageShowsAHundredRowsOfAKindAndFindsTheRest() throws Exception {
        sql("INSERT INTO pauses (domain, reason) SELECT 'many' || g || '.example', 'bulk' FROM generate_series(1, 150) g");
        try {
            var page = get("/settings").body();
            assertThat(rowsOf(page, "many\\d+")).hasSize(100);
            assertThat(page).contains("Pauses (150)", "The first 100 of 150 are shown.", "href=\"/settings?all=pauses#pauses\"");

            assertThat(rowsOf(get("/settings?all=pauses").body(), "many\\d+")).hasSize(150);

            var found = get("/settings?find=%20MANY14%20").body();
            assertThat(rowsOf(found, "many\\d+")).containsExactlyInAnyOrder("many14", "many140", "many141", "many142", "many143",
                    "many144", "many145", "many146", "many147", "many148", "many149");
            assertThat(found).contains("Pauses (11 of 150)", "value=\"MANY14\"", "None match \u201cMANY14\u201d.")
                    .doesNotContain("are shown");

            var hostile = get("/settings?find=%3Cscript%3Ealert(1)%3C%2Fscript%3E").body();
            assertThat(hostile).contains("&lt;script&gt;alert(1)").doesNotContain("<script>");
        } finally {
            sql("DELETE FROM pauses WHERE reason = 'bulk'");
        }
    }

    /** Runs a statement on the settings tables as another writer would, bumping the version, and reloads. */
    private static void sql(String statement) throws Exception {
        try (var connection = pool.dataSource().getConnection(); var run = connection.createStatement()) {
            run.execute(statement);
            run.execute("UPDATE config_version SET version = version + 1");
        }
        settings.reloadIfNewer(currentVersion());
    }

    /** The domains (without ".example") in the settings page's table cells that match {@code name}. */
    private static List<String> rowsOf(String page, String name) {
        return java.util.regex.Pattern.compile("data-label=\"Domain\">(" + name + ")\\.example</td>").matcher(page).results()
                .map(match -> match.group(1)).toList();
    }

    private static HttpResponse<String> form(String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static Optional<JsonNode> row(String kind, long id) throws Exception {
        var response = get("/api/settings/" + kind);
        assertThat(response.statusCode()).isEqualTo(200);
        for (var row : JSON.readTree(response.body()).get(kind)) {
            if (row.get("id").asLong() == id) {
                assertThat(row.has("privateKey")).as("private keys never leave").isFalse();
                return Optional.of(row);
            }
        }
        return Optional.empty();
    }

    private static long currentVersion() throws Exception {
        try (var connection = pool.dataSource().getConnection(); var statement = connection.createStatement();
                var result = statement.executeQuery("SELECT version FROM config_version")) {
            result.next();
            return result.getLong(1);
        }
    }

    private static String withRevision(String json, int revision) {
        return json.substring(0, json.length() - 1) + ",\"revision\":" + revision + "}";
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base + path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> send(String method, String path, String body) throws Exception {
        var request = HttpRequest.newBuilder(URI.create(base + path)).header("X-CSRF-Token", csrf);
        if (body == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            request.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String dkimKey(String selector) {
        try {
            var key = KeyPairGenerator.getInstance("Ed25519").generateKeyPair().getPrivate();
            var pem = "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(key.getEncoded())
                    + "\n-----END PRIVATE KEY-----\n";
            return JSON.createObjectNode().put("domain", "api-dkim.example").put("selector", selector).put("privateKey", pem)
                    .toString();
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
