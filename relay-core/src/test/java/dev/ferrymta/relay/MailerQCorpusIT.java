package dev.ferrymta.relay;

import static dev.ferrymta.relay.TestSettings.settings;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferrymta.relay.message.MailerQProperty;
import dev.ferrymta.relay.outbox.ResultJson;
import dev.ferrymta.testing.broker.TestBroker;
import dev.ferrymta.testing.smtp.ReceivedMessage;
import dev.ferrymta.testing.smtp.SmtpSink;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * MailerQ compatibility corpus: every file under {@code src/test/resources/mailerq-corpus/} is a
 * message in MailerQ's outbox format and what must come of it, run against the real broker and
 * real SMTP sinks (one offering DSN, one not) that record the MAIL and RCPT parameters and the
 * data as received. Adding a case is adding a file; see the corpus's README.md for the fields.
 */
class MailerQCorpusIT {

    static final Path CORPUS = Path.of("src/test/resources/mailerq-corpus");
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Pattern NOW_PLUS = Pattern.compile("\\{\\{now\\+(\\d+)}}");

    @RegisterExtension
    final TestBroker broker = new TestBroker();

    private RelayFixture relay;
    private SmtpSink withDsn;
    private SmtpSink withoutDsn;
    private final java.util.Map<String, SmtpSink> smarthosts = new java.util.LinkedHashMap<>();

    @BeforeEach
    void start() throws Exception {
        withDsn = SmtpSink.builder().listen(InetAddress.getByName("127.0.0.41"), 25).extension("DSN").start();
        withoutDsn = SmtpSink.start(InetAddress.getByName("127.0.0.42"), 25);
        // Smarthosts a message may name: with STARTTLS and AUTH PLAIN LOGIN, without STARTTLS, with AUTH LOGIN only.
        smarthosts.put("smarthost-tls", SmtpSink.builder().listen(InetAddress.getByName("127.0.0.43"), 2587)
                .login("corpus-user", "corpus-pass").start());
        smarthosts.put("smarthost-plain", SmtpSink.builder().listen(InetAddress.getByName("127.0.0.44"), 2587).withoutTls()
                .login("corpus-user", "corpus-pass").start());
        smarthosts.put("smarthost-login-only", SmtpSink.builder().listen(InetAddress.getByName("127.0.0.45"), 2587)
                .login("corpus-user", "corpus-pass", "LOGIN").start());
        relay = new RelayFixture(broker).with("rabbitmq-maxpriority", "10");
        relay.settings(settings().version(1));
        relay.dns.mx("dsn.corpus.test", 10, "mx.dsn.corpus.test").a("mx.dsn.corpus.test", "127.0.0.41");
        relay.dns.mx("plain.corpus.test", 10, "mx.plain.corpus.test").a("mx.plain.corpus.test", "127.0.0.42");
        relay.start();
    }

    @AfterEach
    void stop() throws Exception {
        relay.close();
        withDsn.close();
        withoutDsn.close();
        for (var sink : smarthosts.values()) {
            sink.close();
        }
    }

    static Stream<Path> cases() throws IOException {
        try (var files = Files.list(CORPUS)) {
            return files.filter(f -> f.toString().endsWith(".json")).sorted().toList().stream();
        }
    }

    static JsonNode read(Path file) {
        try {
            return RelayFixture.JSON.readTree(Files.readString(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void eachCaseEndsAsItSays(Path file) throws Exception {
        var spec = read(file);
        var expect = spec.get("expect");
        var message = (ObjectNode) RelayFixture.JSON.readTree(NOW_PLUS.matcher(spec.get("message").toString())
                .replaceAll(m -> ResultJson.time(Instant.now().plusSeconds(Long.parseLong(m.group(1))))));
        var marker = "corpus-" + file.getFileName();
        message.put("x-corpus-case", marker);
        int dsnBefore = withDsn.messages().size();
        int plainBefore = withoutDsn.messages().size();
        var published = Instant.now();
        relay.send(message);

        if (expect.has("deferredWithPriority")) {
            var deferred = takeDeferred(marker);
            assertThat(deferred.getProps().getPriority()).as("AMQP priority").isEqualTo(expect.get("deferredWithPriority").asInt());
            return;
        }
        // A final result is on the results queue; a retry, the first result of a message failed for now, on the retry queue.
        var result = firstResult();
        assertThat(result.get("x-corpus-case").asText()).isEqualTo(marker);
        var attempts = result.get("results");
        var last = attempts.get(attempts.size() - 1);

        if (expect.has("refused")) {
            var property = expect.get("refused").asText();
            assertThat(last.get("state").asText()).isEqualTo("process");
            assertThat(last.get("result").asText()).isEqualTo("invalid");
            assertThat(last.get("description").asText()).as("names the property").contains("\"" + property);
            assertThat(withDsn.messages()).hasSize(dsnBefore);
            assertThat(withoutDsn.messages()).hasSize(plainBefore);
            assertEmptyQueues(expect);
            return;
        }
        if (expect.has("failed")) {
            assertThat(last.get("result").asText()).isNotEqualTo("accepted");
            assertThat(last.get("description").asText()).contains(expect.get("failed").asText());
            if (expect.has("attempt")) {
                expect.get("attempt").fields().forEachRemaining(e -> assertThat(last.get(e.getKey())).as("attempt." + e.getKey())
                        .isEqualTo(e.getValue()));
            }
            for (var sink : smarthosts.values()) {
                assertThat(sink.messages()).isEmpty();
            }
            assertThat(withDsn.messages()).hasSize(dsnBefore);
            assertThat(withoutDsn.messages()).hasSize(plainBefore);
            assertEmptyQueues(expect);
            return;
        }
        assertThat(last.get("result").asText()).as(last.toString()).isEqualTo("accepted");
        if (expect.has("sink")) {
            var smarthost = smarthosts.get(expect.get("sink").asText());
            var received = smarthost.awaitMessages(1, WAIT).getFirst();
            assertThat(withDsn.messages()).hasSize(dsnBefore);
            assertThat(withoutDsn.messages()).as("nothing by MX").hasSize(plainBefore);
            assertThat(received.authenticatedAs()).isEqualTo(expect.path("authenticatedAs").asText(""));
            if (expect.has("tls")) {
                assertThat(received.tls()).isEqualTo(expect.get("tls").asBoolean());
            }
            check(expect, received, result, last, published);
            return;
        }
        var sink = message.get("recipient").asText().endsWith("@dsn.corpus.test") ? withDsn : withoutDsn;
        var received = sink.awaitMessages((sink == withDsn ? dsnBefore : plainBefore) + 1, WAIT).getLast();
        check(expect, received, result, last, published);
        assertEmptyQueues(expect);
    }

    /** The first result on the results or the retry queue, taken. */
    private JsonNode firstResult() throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            for (var queue : List.of(relay.results, relay.retry)) {
                var taken = relay.drainJson(queue, 1);
                if (!taken.isEmpty()) {
                    return taken.getFirst();
                }
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no result on " + relay.results + " or " + relay.retry + " within " + WAIT);
            }
            Thread.sleep(20);
        }
    }

    /** The result queues ({@code success}, {@code failure}, {@code retry}) that must have received nothing. */
    private void assertEmptyQueues(JsonNode expect) throws Exception {
        for (var queue : expect.path("emptyQueues")) {
            var name = switch (queue.asText()) {
                case "success" -> relay.success;
                case "failure" -> relay.failure;
                case "retry" -> relay.retry;
                default -> throw new IllegalArgumentException("unknown queue " + queue);
            };
            assertThat(relay.depth(name)).as(queue.asText() + " queue").isZero();
        }
    }

    /** The message as it waits in a delay queue (taken off it), found by its marker. */
    private com.rabbitmq.client.GetResponse takeDeferred(String marker) throws Exception {
        var tiers = new dev.ferrymta.relay.outbox.DelayTiers(relay.outbox);
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            for (var tier : tiers.tiers()) {
                try (var channel = relay.channel().getConnection().createChannel()) {
                    var got = channel.basicGet(tiers.queue(tier), true);
                    if (got != null && RelayFixture.JSON.readTree(got.getBody()).path("x-corpus-case").asText().equals(marker)) {
                        return got;
                    }
                } catch (IOException notDeclaredYet) {
                    // The relay declares its tiers at start; try again.
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the deferred message did not reach a delay queue within " + WAIT);
    }

    @Test
    void withRabbitmqMaxpriorityTheOutboxIsAPriorityQueueAndAnotherValueIsRefusedByName() throws Exception {
        relay.awaitQueue(relay.outbox, WAIT);
        try (var channel = relay.channel().getConnection().createChannel()) {
            // Equivalent arguments are accepted: the queue has x-max-priority 10.
            channel.queueDeclare(relay.outbox, true, false, false, java.util.Map.of("x-max-priority", 10));
        }
        var error = org.assertj.core.api.Assertions.catchThrowableOfType(IOException.class, () ->
                dev.ferrymta.relay.outbox.OutboxTopology.declarePriorityQueue(relay.channel().getConnection(), relay.outbox, 5,
                        "rabbitmq-maxpriority"));
        assertThat(error).hasMessageStartingWith("queue '" + relay.outbox + "' exists with x-max-priority 10, but Ferry declares it with "
                + "x-max-priority 5: RabbitMQ cannot change a queue's arguments").hasMessageContaining("or set rabbitmq-maxpriority to match");
    }

    private static void check(JsonNode expect, ReceivedMessage received, JsonNode result, JsonNode last, Instant published) {
        if (expect.has("sender")) {
            assertThat(received.sender()).isEqualTo(expect.get("sender").asText());
        }
        if (expect.has("from")) {
            assertThat(received.clientAddress().getHostAddress()).isEqualTo(expect.get("from").asText());
        }
        for (var parameter : expect.path("mailParameters")) {
            assertThat(received.mailParameters().split(" ")).as("MAIL parameters").contains(parameter.asText());
        }
        for (var parameter : expect.path("rcptParameters")) {
            assertThat(received.rcptParameters().getFirst().split(" ")).as("RCPT parameters").contains(parameter.asText());
        }
        for (var absent : expect.path("parametersAbsent")) {
            assertThat(received.mailParameters() + " " + received.rcptParameters()).doesNotContain(absent.asText());
        }
        var header = headerSection(received.text());
        for (var field : expect.path("headersPresent")) {
            assertThat(header).as("header section").contains(field.asText());
        }
        for (var field : expect.path("headersAbsent")) {
            assertThat(header.toLowerCase(java.util.Locale.ROOT)).as("header section").doesNotContain(field.asText().toLowerCase(java.util.Locale.ROOT));
        }
        if (expect.has("notBeforeSeconds")) {
            // The send time is a whole second in MailerQ's format: allow for the part cut off.
            assertThat(Duration.between(published, Instant.now()))
                    .isGreaterThanOrEqualTo(Duration.ofSeconds(expect.get("notBeforeSeconds").asLong() - 1));
        }
        if (expect.has("attempt")) {
            expect.get("attempt").fields().forEachRemaining(e -> assertThat(last.get(e.getKey())).as("attempt." + e.getKey())
                    .isEqualTo(e.getValue()));
        }
        if (expect.has("result")) {
            expect.get("result").fields().forEachRemaining(e -> assertThat(result.get(e.getKey())).as("result." + e.getKey())
                    .isEqualTo(e.getValue()));
        }
        if (expect.has("resultWithout")) {
            for (var key : expect.get("resultWithout")) {
                assertThat(result.has(key.asText())).as("result has " + key).isFalse();
            }
        }
        if (expect.path("resultHasMime").asBoolean(false)) {
            assertThat(result.has("mime")).as("result has mime").isTrue();
        }
        if (expect.has("attempts")) {
            assertThat(result.get("results").size()).isEqualTo(expect.get("attempts").asInt());
        }
    }

    private static String headerSection(String text) {
        int end = text.indexOf("\r\n\r\n");
        return end < 0 ? text : text.substring(0, end + 2);
    }

    /** Every MailerQ property has at least one case, so none is left untried. */
    @Test
    void everyMailerqPropertyHasACase() throws IOException {
        Set<String> covered = new TreeSet<>();
        try (var files = cases()) {
            files.forEach(file -> read(file).path("properties").forEach(p -> covered.add(p.asText())));
        }
        var all = new TreeSet<String>();
        for (var property : MailerQProperty.values()) {
            all.add(property.key());
        }
        assertThat(covered).containsAll(all);
        assertThat(all).containsAll(covered);
    }

    static List<String> refusedInCorpus() throws IOException {
        var refused = new ArrayList<String>();
        try (var files = cases()) {
            files.forEach(file -> {
                var expect = read(file).get("expect");
                if (expect.has("refused")) {
                    refused.add(expect.get("refused").asText());
                }
            });
        }
        return refused;
    }
}
