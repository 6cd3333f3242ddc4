package dev.ferrymta.relay.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferrymta.relay.attempt.Attempt;
import dev.ferrymta.relay.attempt.AttemptResult;
import dev.ferrymta.relay.attempt.AttemptState;
import dev.ferrymta.relay.mail.Domain;
import dev.ferrymta.relay.message.MessageParser;
import dev.ferrymta.relay.message.OutboxMessage;
import dev.ferrymta.relay.message.ParsedMessage;
import dev.ferrymta.relay.outbox.RecentResult.Outcome;
import dev.ferrymta.relay.outbox.RecentResults.Query;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class RecentResultsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant NOON = Instant.parse("2026-11-22T12:00:00Z");

    private static OutboxMessage message(String recipient) {
        var body = "{\"envelope\":\"a@ferry.test\",\"recipient\":\"" + recipient + "\",\"mime\":\"Subject: x\\r\\n\\r\\nx\"}";
        return ((ParsedMessage.Valid) MessageParser.parse(body.getBytes(StandardCharsets.UTF_8))).message();
    }

    private static Attempt attempt(AttemptState state, AttemptResult result, int code, String description) throws Exception {
        return new Attempt(state, result, NOON, Optional.of(InetAddress.getByName("127.0.0.2")),
                Optional.of(InetAddress.getByName("192.0.2.7")), Optional.of("mx.example.org"), OptionalInt.of(code),
                Optional.of("2.0.0"), description);
    }

    private static RecentResult delivered(String recipient) throws Exception {
        return RecentResult.of(Outcome.DELIVERED, message(recipient), 1,
                attempt(AttemptState.MESSAGE, AttemptResult.ACCEPTED, 250, "ok " + recipient));
    }

    private static List<String> recipients(List<RecentResult> results) {
        return results.stream().map(result -> result.recipient().orElseThrow()).toList();
    }

    @Test
    void listsNewestFirst() throws Exception {
        var recent = new RecentResults(10);
        for (var name : List.of("one", "two", "three")) {
            recent.record(delivered(name + "@example.org"));
        }
        assertThat(recipients(recent.find(Query.latest(10))))
                .containsExactly("three@example.org", "two@example.org", "one@example.org");
    }

    @Test
    void keepsOnlyTheNewestWhenFull() throws Exception {
        var recent = new RecentResults(3);
        for (int i = 1; i <= 5; i++) {
            recent.record(delivered("user" + i + "@example.org"));
        }
        assertThat(recipients(recent.find(Query.latest(1_000))))
                .containsExactly("user5@example.org", "user4@example.org", "user3@example.org");
    }

    @Test
    void returnsNoMoreThanTheLimit() throws Exception {
        var recent = new RecentResults(100);
        for (int i = 1; i <= 50; i++) {
            recent.record(delivered("user" + i + "@example.org"));
        }
        assertThat(recipients(recent.find(Query.latest(2)))).containsExactly("user50@example.org", "user49@example.org");
    }

    @Test
    void aLimitOutsideOneToAThousandIsRefused() {
        assertThatThrownBy(() -> Query.latest(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Query.latest(RecentResults.MAX_LIMIT + 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RecentResults(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void filtersByDomainWhateverItsCase() throws Exception {
        var recent = new RecentResults(10);
        recent.record(delivered("ann@example.org"));
        recent.record(delivered("bob@other.test"));
        recent.record(delivered("cy@EXAMPLE.org"));

        assertThat(recipients(recent.find(Query.latest(10).withDomain(Domain.parse("Example.ORG")))))
                .containsExactly("cy@example.org", "ann@example.org");
    }

    @Test
    void filtersByStateAndOutcomeTogether() throws Exception {
        var recent = new RecentResults(10);
        recent.record(delivered("ok@example.org"));
        recent.record(RecentResult.of(Outcome.RETRY, message("later@example.org"), 1,
                attempt(AttemptState.RCPTTO, AttemptResult.ERROR, 451, "greylisted")));
        recent.record(RecentResult.of(Outcome.FAILED, message("gone@example.org"), 1,
                attempt(AttemptState.RCPTTO, AttemptResult.ERROR, 550, "no such user")));

        assertThat(recipients(recent.find(Query.latest(10).withState(AttemptState.RCPTTO)))).containsExactly("gone@example.org",
                "later@example.org");
        assertThat(recipients(recent.find(Query.latest(10).withState(AttemptState.RCPTTO).withOutcome(Outcome.FAILED))))
                .containsExactly("gone@example.org");
        assertThat(recent.find(Query.latest(10).withState(AttemptState.DATA))).isEmpty();
    }

    @Test
    void anOutcomeCarriesTheLastAttemptsFields() throws Exception {
        var result = RecentResult.of(Outcome.FAILED, message("gone@example.org"), 3,
                attempt(AttemptState.RCPTTO, AttemptResult.ERROR, 550, "5.1.1 no such user"));

        assertThat(result.time()).isEqualTo(NOON);
        assertThat(result.domain()).contains(Domain.parse("example.org"));
        assertThat(result.sourceIp()).contains(InetAddress.getByName("127.0.0.2"));
        assertThat(result.remoteIp()).contains(InetAddress.getByName("192.0.2.7"));
        assertThat(result.state()).contains(AttemptState.RCPTTO);
        assertThat(result.result()).contains(AttemptResult.ERROR);
        assertThat(result.code()).hasValue(550);
        assertThat(result.description()).isEqualTo("5.1.1 no such user");
        assertThat(result.attempts()).isEqualTo(3);
        assertThat(result.mta()).contains("mx.example.org");
    }

    @Test
    void aForwardHasNoStateAndNamesTheIps() throws Exception {
        var recent = new RecentResults(10);
        recent.record(RecentResult.forwarded(message("far@example.org"), List.of(InetAddress.getByName("127.0.0.3")), NOON));

        var forward = recent.find(Query.latest(10).withOutcome(Outcome.FORWARDED)).getFirst();
        assertThat(forward.state()).isEmpty();
        assertThat(forward.sourceIp()).isEmpty();
        assertThat(forward.description()).contains("127.0.0.3");
        assertThat(recent.find(Query.latest(10).withState(AttemptState.PROCESS))).isEmpty();
    }

    @Test
    void anInvalidMessageKeepsWhatItSaysOfItsRecipientWithinBounds() throws Exception {
        var invalid = Attempt.local(AttemptState.PROCESS, AttemptResult.INVALID, NOON, "\"mime\" is missing");
        var named = RecentResult.invalid(Optional.of((ObjectNode) JSON.readTree("{\"recipient\":\"Ann@Example.ORG\"}")), invalid);
        var huge = RecentResult.invalid(Optional.of(JSON.createObjectNode().put("recipient", "x".repeat(100_000))), invalid);
        var none = RecentResult.invalid(Optional.empty(), invalid);

        assertThat(named.recipient()).contains("Ann@Example.ORG");
        assertThat(named.domain()).contains(Domain.parse("example.org"));
        assertThat(named.attempts()).isZero();
        assertThat(huge.recipient().orElseThrow()).hasSizeLessThan(400);
        assertThat(huge.domain()).isEmpty();
        assertThat(none.recipient()).isEmpty();
        assertThat(none.outcome()).isEqualTo(Outcome.INVALID);
    }

    @Test
    void aLongReplyIsCutShort() throws Exception {
        var result = RecentResult.of(Outcome.RETRY, message("a@example.org"), 1,
                attempt(AttemptState.DATA, AttemptResult.ERROR, 451, "y".repeat(200_000)));
        assertThat(result.description()).hasSizeLessThan(RecentResult.MAX_DESCRIPTION_CHARS + 10);
    }

    @Test
    void manyWritersAndAReaderSeeWholeEntriesInOrder() throws Exception {
        int writers = 8;
        int each = 20_000;
        var recent = new RecentResults(1_000);
        var entries = new RecentResult[writers][each];
        for (int w = 0; w < writers; w++) {
            for (int i = 0; i < each; i++) {
                // attempts = writer * each + i: a writer's own entries must come out newest first.
                entries[w][i] = new RecentResult(NOON, Outcome.DELIVERED, Optional.of("w" + w + "@example.org"),
                        Optional.of(Domain.parse("example.org")), Optional.empty(), Optional.empty(), Optional.empty(),
                        Optional.empty(), OptionalInt.empty(), Optional.empty(), "", w * each + i, Optional.empty());
            }
        }
        var pool = Executors.newFixedThreadPool(writers + 1);
        try {
            var start = new CyclicBarrier(writers + 1);
            var done = new CountDownLatch(writers);
            var futures = new ArrayList<Future<?>>();
            for (int w = 0; w < writers; w++) {
                int writer = w;
                futures.add(pool.submit(() -> {
                    start.await();
                    for (var entry : entries[writer]) {
                        recent.record(entry);
                    }
                    done.countDown();
                    return null;
                }));
            }
            var reads = pool.submit(() -> {
                start.await();
                int count = 0;
                while (done.getCount() > 0) {
                    assertWellOrdered(recent.find(Query.latest(1_000)), each);
                    count++;
                }
                return count;
            });
            for (var future : futures) {
                future.get(30, TimeUnit.SECONDS);
            }
            assertThat(reads.get(30, TimeUnit.SECONDS)).isPositive();
        } finally {
            pool.shutdownNow();
        }
        var last = recent.find(Query.latest(1_000));
        assertThat(last).hasSize(1_000);
        assertWellOrdered(last, each);
    }

    /** No entry twice, and each writer's entries newest first. */
    private static void assertWellOrdered(List<RecentResult> results, int each) {
        assertThat(new HashSet<>(results)).hasSameSizeAs(results);
        var previous = new HashMap<Integer, Integer>();
        for (var result : results) {
            int writer = result.attempts() / each;
            int index = result.attempts() % each;
            var before = previous.put(writer, index);
            assertThat(before == null || before > index).as("writer %d: %d after %d", writer, index, before).isTrue();
        }
    }
}
