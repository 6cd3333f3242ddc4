package dev.ferrymta.console;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferrymta.relay.attempt.AttemptResult;
import dev.ferrymta.relay.attempt.AttemptState;
import dev.ferrymta.relay.mail.Domain;
import dev.ferrymta.relay.outbox.RecentResult;
import dev.ferrymta.relay.outbox.RecentResult.Outcome;
import dev.ferrymta.relay.outbox.RecentResults;
import java.net.InetAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code /api/results} over real HTTP, mounted as the console mounts it. */
class ResultsApiIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant NOON = Instant.parse("2026-11-22T12:00:00.123456Z");

    private final RecentResults recent = new RecentResults(RecentResults.DEFAULT_CAPACITY);
    private final AtomicReference<RecentResults> running = new AtomicReference<>(recent);
    private RoutesServer server;

    @BeforeEach
    void start() {
        server = new RoutesServer(routes -> new ResultsApi(() -> Optional.ofNullable(running.get())).routes(routes, h -> h));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private static RecentResult attempted(String recipient, Outcome outcome, AttemptState state, AttemptResult result, int code,
            String description) throws Exception {
        return new RecentResult(NOON, outcome, Optional.of(recipient), Optional.of(Domain.parse(recipient.substring(recipient.indexOf('@') + 1))),
                Optional.of(InetAddress.getByName("127.0.0.2")), Optional.of(InetAddress.getByName("192.0.2.7")), Optional.of(state),
                Optional.of(result), OptionalInt.of(code), Optional.of("5.1.1"), description, 2, Optional.of("mx.example.org"));
    }

    private static RecentResult forwarded(String recipient) throws Exception {
        return new RecentResult(NOON, Outcome.FORWARDED, Optional.of(recipient), Optional.of(Domain.parse("example.org")),
                Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), OptionalInt.empty(), Optional.empty(),
                "forwarded to the instance that owns 127.0.0.3", 0, Optional.empty());
    }

    private void recordSome() throws Exception {
        recent.record(attempted("ann@example.org", Outcome.DELIVERED, AttemptState.MESSAGE, AttemptResult.ACCEPTED, 250, "queued"));
        recent.record(attempted("bob@example.org", Outcome.FAILED, AttemptState.RCPTTO, AttemptResult.ERROR, 550, "no such user"));
        recent.record(attempted("cy@other.test", Outcome.FAILED, AttemptState.RCPTTO, AttemptResult.ERROR, 550, "no such user"));
        recent.record(forwarded("dee@example.org"));
    }

    private JsonNode results(String query) throws Exception {
        var response = server.get("/api/results" + query);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).contains("application/json");
        return JSON.readTree(response.body()).get("results");
    }

    private static List<String> recipients(JsonNode results) {
        var names = new ArrayList<String>();
        results.forEach(result -> names.add(result.get("recipient").asText()));
        return names;
    }

    private static List<String> fields(JsonNode error) {
        var names = new ArrayList<String>();
        error.get("fields").forEach(field -> names.add(field.get("field").asText()));
        return names;
    }

    @Test
    void listsTheLatestResultsNewestFirstWithEveryKey() throws Exception {
        recordSome();

        var results = results("");

        assertThat(recipients(results)).containsExactly("dee@example.org", "cy@other.test", "bob@example.org", "ann@example.org");
        assertThat(results.get(3).toString()).isEqualTo("""
                {"time":"2026-11-22T12:00:00.123Z","recipient":"ann@example.org","domain":"example.org","outcome":"delivered",\
                "state":"message","result":"accepted","sourceIp":"127.0.0.2","remoteIp":"192.0.2.7","mta":"mx.example.org",\
                "code":250,"status":"5.1.1","description":"queued","attempts":2}""");
        assertThat(results.get(0).toString()).isEqualTo("""
                {"time":"2026-11-22T12:00:00.123Z","recipient":"dee@example.org","domain":"example.org","outcome":"forwarded",\
                "state":null,"result":null,"sourceIp":null,"remoteIp":null,"mta":null,"code":null,"status":null,\
                "description":"forwarded to the instance that owns 127.0.0.3","attempts":0}""");
    }

    @Test
    void filtersByDomainStateAndOutcomeTogether() throws Exception {
        recordSome();

        assertThat(recipients(results("?domain=EXAMPLE.org"))).containsExactly("dee@example.org", "bob@example.org", "ann@example.org");
        assertThat(recipients(results("?domain=example.org&state=rcptto&outcome=failed"))).containsExactly("bob@example.org");
        assertThat(recipients(results("?outcome=FORWARDED"))).containsExactly("dee@example.org");
        assertThat(recipients(results("?state=dns"))).isEmpty();
    }

    @Test
    void returnsNoMoreThanTheLimit() throws Exception {
        recordSome();
        assertThat(recipients(results("?limit=2"))).containsExactly("dee@example.org", "cy@other.test");
    }

    @Test
    void anEmptyParameterIsNoFilter() throws Exception {
        recordSome();
        assertThat(results("?domain=&state=&outcome=&limit=")).hasSize(4);
    }

    @Test
    void badParametersAre400NamingEachField() throws Exception {
        var response = server.get("/api/results?domain=not_a_domain&state=nowhere&outcome=lost&limit=0&colour=red");

        assertThat(response.statusCode()).isEqualTo(400);
        var error = JSON.readTree(response.body());
        assertThat(error.get("error").asText()).isEqualTo("invalid");
        assertThat(fields(error)).containsExactlyInAnyOrder("domain", "state", "outcome", "limit", "colour");
        assertThat(error.get("message").asText()).contains("state: no such state; one of: process, dns,");
        assertThat(error.get("fields").toString()).contains("\"message\":\"must be a whole number from 1 to 1000\"");
    }

    @Test
    void aLimitThatIsNotANumberIs400() throws Exception {
        var response = server.get("/api/results?limit=ten");
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(fields(JSON.readTree(response.body()))).containsExactly("limit");
    }

    @Test
    void aParameterGivenTwiceIs400() throws Exception {
        var response = server.get("/api/results?state=dns&state=data");
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(fields(JSON.readTree(response.body()))).containsExactly("state");
    }

    @Test
    void is503WhileTheRelayIsNotRunning() throws Exception {
        running.set(null);

        var response = server.get("/api/results");

        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(JSON.readTree(response.body()).get("error").asText()).isEqualTo("not ready");
    }
}
