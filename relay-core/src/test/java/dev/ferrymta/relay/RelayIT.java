package dev.ferrymta.relay;

import static dev.ferrymta.relay.RelayFixture.message;
import static dev.ferrymta.relay.TestSettings.settings;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferrymta.relay.attempt.AttemptResult;
import dev.ferrymta.relay.attempt.AttemptState;
import dev.ferrymta.relay.broker.QueueType;
import dev.ferrymta.relay.mail.Domain;
import dev.ferrymta.relay.outbox.DelayTiers;
import dev.ferrymta.relay.outbox.PeerRouter;
import dev.ferrymta.relay.outbox.RecentResult;
import dev.ferrymta.relay.outbox.RecentResults;
import dev.ferrymta.testing.broker.TestBroker;
import dev.ferrymta.testing.smtp.ReceivedMessage;
import dev.ferrymta.testing.smtp.SmtpCommand;
import dev.ferrymta.testing.smtp.SmtpSink;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The relay end to end against the real broker, an SMTP sink and a DNS responder: from the outbox
 * through the lanes and the SMTP client to the results, retries and delay queues.
 */
class RelayIT {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @RegisterExtension
    final TestBroker broker = new TestBroker();

    private RelayFixture relay;
    private SmtpSink sink;

    @BeforeEach
    void startSink() throws Exception {
        sink = SmtpSink.start(InetAddress.getByName("127.0.0.1"), 0);
        relay = new RelayFixture(broker);
        relay.settings(settings().route("sink.test", "127.0.0.1", sink.port()).version(1));
    }

    @AfterEach
    void stop() {
        relay.close();
        sink.close();
    }

    /** One lane: the throttle is per source IP and domain, and the relay owns two IPs. */
    private static ObjectNode fromTwo(ObjectNode message) {
        message.putArray("ips").add("127.0.0.2");
        return message;
    }

    @Test
    void deliversFromTheSourceIpTheMessageAsksFor() throws Exception {
        relay.start();
        var viaTwo = message("two@sink.test");
        viaTwo.putArray("ips").add("127.0.0.2");
        var viaThree = message("three@sink.test");
        viaThree.putArray("ips").add("127.0.0.3");
        relay.send(viaTwo);
        relay.send(viaThree);

        var received = sink.awaitMessages(2, WAIT);
        assertThat(received).extracting(m -> m.recipients().getFirst() + " " + m.clientAddress().getHostAddress())
                .containsExactlyInAnyOrder("two@sink.test 127.0.0.2", "three@sink.test 127.0.0.3");
        var results = relay.take(relay.results, 2, WAIT);
        assertThat(results).extracting(r -> r.get("recipient").asText() + " " + r.get("results").get(0).get("from").asText())
                .containsExactlyInAnyOrder("two@sink.test 127.0.0.2", "three@sink.test 127.0.0.3");
        assertThat(relay.take(relay.success, 2, WAIT)).hasSize(2);
    }

    /**
     * The retry goes round the 1 s delay queue and back to the outbox: with quorum queues a quorum
     * delay queue, dead-lettering at-least-once to a quorum outbox.
     */
    @ParameterizedTest(name = "rabbitmq-queue-type {0}")
    @EnumSource(QueueType.class)
    void retriesAfter450AndDeliversOnTheNextAttempt(QueueType type) throws Exception {
        sink.script().on(SmtpCommand.MAIL).times(1).reply(450, "4.3.2 try again later");
        relay.with("rabbitmq-queue-type", type.argument()).start();
        var message = message("later@sink.test");
        message.putArray("retries").add(1);
        relay.send(message);

        var retry = relay.take(relay.retry, 1, WAIT).getFirst();
        assertThat(retry.get("results")).hasSize(1);
        assertThat(retry.get("results").get(0).get("state").asText()).isEqualTo("mailfrom");
        assertThat(retry.get("results").get(0).get("code").asInt()).isEqualTo(450);
        assertThat(retry.has("mime")).isFalse();

        var success = relay.take(relay.success, 1, WAIT).getFirst();
        assertThat(success.get("results")).extracting(r -> r.get("state").asText() + "/" + r.get("result").asText())
                .containsExactly("mailfrom/error", "message/accepted");
        assertThat(sink.messages()).hasSize(1);
        // The results queue holds the final result only; the retry went to the retry queue (as in MailerQ).
        assertThat(relay.take(relay.results, 1, WAIT)).singleElement().satisfies(r -> assertThat(r.get("results")).hasSize(2));
        assertThat(relay.depth(relay.results)).isZero();
        // It went round the shortest delay queue, which is of the configured type (RabbitMQ takes the declare).
        var tiers = new DelayTiers(relay.outbox);
        var tier = tiers.tierFor(Duration.ofSeconds(1));
        try (var channel = relay.channel().getConnection().createChannel()) {
            channel.queueDeclare(tiers.queue(tier), true, false, false, type.delay(tier, relay.outbox));
            channel.queueDeclare(relay.outbox, true, false, false, type.durable());
        }
    }

    @Test
    void retriesAGreylistingRefusalAtRcpt() throws Exception {
        sink.script().on(SmtpCommand.RCPT).times(1).reply(451, "4.7.1 greylisted, please try again in a second");
        relay.start();
        var message = message("grey@sink.test");
        message.putArray("retries").add(1);
        relay.send(message);

        var success = relay.take(relay.success, 1, WAIT).getFirst();
        var first = success.get("results").get(0);
        assertThat(first.get("state").asText()).isEqualTo("rcptto");
        assertThat(first.get("code").asInt()).isEqualTo(451);
        assertThat(first.get("status").asText()).isEqualTo("4.7.1");
        assertThat(success.get("results").get(1).get("result").asText()).isEqualTo("accepted");
        assertThat(sink.awaitMessages(1, WAIT)).hasSize(1);
    }

    @Test
    void bouncesWhenRcptReturns550() throws Exception {
        sink.script().on(SmtpCommand.RCPT).reply(550, "5.1.1 no such user");
        relay.start();
        relay.send(message("nobody@sink.test"));

        var failure = relay.take(relay.failure, 1, WAIT).getFirst();
        var attempt = failure.get("results").get(0);
        assertThat(attempt.get("state").asText()).isEqualTo("rcptto");
        assertThat(attempt.get("result").asText()).isEqualTo("error");
        assertThat(attempt.get("code").asInt()).isEqualTo(550);
        assertThat(attempt.get("status").asText()).isEqualTo("5.1.1");
        assertThat(attempt.get("description").asText()).contains("no such user");
        assertThat(relay.take(relay.results, 1, WAIT)).hasSize(1);
        assertThat(relay.depth(relay.retry)).isZero();
        assertThat(sink.messages()).isEmpty();
    }

    @Test
    void triesTheNextMxWhenTheFirstRefuses() throws Exception {
        try (var first = SmtpSink.start(InetAddress.getByName("127.0.0.11"), 25);
                var second = SmtpSink.start(InetAddress.getByName("127.0.0.12"), 25)) {
            first.script().on(SmtpCommand.RCPT).reply(452, "4.2.2 mailbox full for now");
            relay.dns.mx("mx.test", 10, "mx1.mx.test").mx("mx.test", 20, "mx2.mx.test")
                    .a("mx1.mx.test", "127.0.0.11").a("mx2.mx.test", "127.0.0.12");
            relay.start();
            relay.send(message("user@mx.test"));

            var delivered = second.awaitMessages(1, WAIT);
            assertThat(delivered.getFirst().recipients()).containsExactly("user@mx.test");
            var success = relay.take(relay.success, 1, WAIT).getFirst();
            assertThat(success.get("results")).hasSize(1);
            assertThat(success.get("results").get(0).get("to").asText()).isEqualTo("127.0.0.12");
            assertThat(first.messages()).isEmpty();
        }
    }

    @Test
    void aServerThatStallsTimesOutAndTheMessageFailsAtItsLastAttempt() throws Exception {
        sink.script().on(SmtpCommand.END_OF_DATA).delayed(Duration.ofSeconds(4));
        relay.with("smtp-timeout", "1s").start();
        var message = message("slow@sink.test");
        message.put("maxattempts", 1);
        relay.send(message);

        var failure = relay.take(relay.failure, 1, WAIT).getFirst();
        assertThat(failure.get("results")).extracting(r -> r.get("state").asText() + "/" + r.get("result").asText())
                .containsExactly("message/timeout", "process/timeout");
        assertThat(failure.get("results").get(1).get("description").asText()).contains("1 attempt");
    }

    @Test
    void usesStartTlsWhenOffered() throws Exception {
        relay.start();
        relay.send(message("secret@sink.test"));
        assertThat(sink.awaitMessages(1, WAIT).getFirst().tls()).isTrue();
    }

    @Test
    void fallsBackToPlainWhenOpportunisticStartTlsFails() throws Exception {
        sink.script().on(SmtpCommand.STARTTLS).reply(454, "4.7.0 TLS not available now");
        relay.start();
        relay.send(message("plain@sink.test"));
        var received = sink.awaitMessages(1, WAIT).getFirst();
        assertThat(received.tls()).isFalse();
        assertThat(relay.take(relay.success, 1, WAIT).getFirst().get("results")).hasSize(1);
    }

    @Test
    void doesNotDeliverInPlainWhenTlsIsRequiredAndNotOffered() throws Exception {
        try (var plain = SmtpSink.builder().listen(InetAddress.getByName("127.0.0.1"), 0).withoutTls().start()) {
            relay.settings(settings().route("plain.test", "127.0.0.1", plain.port()).version(2));
            relay.start();
            var message = message("secret@plain.test");
            message.put("security", "required");
            message.put("maxattempts", 1);
            relay.send(message);

            var failure = relay.take(relay.failure, 1, WAIT).getFirst();
            assertThat(failure.get("results").get(0).get("state").asText()).isEqualTo("starttls");
            assertThat(plain.messages()).isEmpty();
        }
    }

    @Test
    void sendsManyMessagesOverOnePipelinedConnection() throws Exception {
        relay.settings(settings().route("sink.test", "127.0.0.1", sink.port()).throttle("sink.test", 1, 100).version(2));
        relay.start();
        for (int i = 0; i < 10; i++) {
            relay.send(fromTwo(message("user" + i + "@sink.test")));
        }
        var received = sink.awaitMessages(10, WAIT);
        assertThat(received).extracting(ReceivedMessage::connectionId).containsOnly(received.getFirst().connectionId());
        assertThat(received).extracting(ReceivedMessage::sequenceInConnection).containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
        assertThat(sink.connectionsAccepted()).isEqualTo(1);
    }

    /**
     * A server that takes a MAIL sent behind the previous end of data as a command out of turn
     * (503, or Postfix's "554 5.5.0 SMTP protocol synchronization") must not make a good message
     * bounce: it is sent again on a fresh connection and delivered, with one attempt in its result.
     */
    @ParameterizedTest(name = "the pipelined MAIL answered {0} {1}")
    @org.junit.jupiter.params.provider.CsvSource({
            "503, 5.5.1 bad sequence of commands",
            "554, 5.5.0 Error: SMTP protocol synchronization",
    })
    void aPipelinedMailTakenOutOfTurnIsSentAgainFreshNotBounced(int code, String text) throws Exception {
        // The first message waits for its 354, so the next ones are in the lane when its content goes.
        sink.script().on(SmtpCommand.DATA).times(1).delayed(Duration.ofMillis(300));
        var mails = new java.util.concurrent.atomic.AtomicInteger();
        sink.script().on(SmtpCommand.MAIL).matching(line -> mails.incrementAndGet() == 2).reply(code, text);
        relay.settings(settings().route("sink.test", "127.0.0.1", sink.port()).throttle("sink.test", 1, 100).version(2));
        relay.start();
        for (int i = 0; i < 3; i++) {
            relay.send(fromTwo(message("user" + i + "@sink.test")));
        }

        assertThat(sink.awaitMessages(3, WAIT)).extracting(received -> received.recipients().getFirst())
                .containsExactlyInAnyOrder("user0@sink.test", "user1@sink.test", "user2@sink.test");
        var results = relay.take(relay.success, 3, WAIT);
        assertThat(results).allSatisfy(result -> assertThat(result.get("results")).hasSize(1));
        assertThat(relay.depth(relay.failure)).isZero();
        assertThat(mails).as("MAIL commands seen: three messages and the one sent again").hasValue(4);
        assertThat(sink.connectionsAccepted()).isEqualTo(2);
    }

    @Test
    void aKeptConnectionTheServerDroppedIsReplacedWithoutCountingAnAttempt() throws Exception {
        relay.settings(settings().route("sink.test", "127.0.0.1", sink.port()).throttle("sink.test", 1, 100).version(2));
        relay.start();
        relay.send(fromTwo(message("first@sink.test")));
        sink.awaitMessages(1, WAIT);
        sink.script().on(SmtpCommand.MAIL).times(1).dropConnection();
        relay.send(fromTwo(message("second@sink.test")));

        assertThat(sink.awaitMessages(2, WAIT).get(1).recipients()).containsExactly("second@sink.test");
        assertThat(sink.connectionsAccepted()).isEqualTo(2);
        var results = relay.take(relay.success, 2, WAIT);
        assertThat(results).allSatisfy(result -> assertThat(result.get("results")).hasSize(1));
    }

    @Test
    void aLaneThrottledToTwoConnectionsNeverHasMoreOpen() throws Exception {
        sink.script().on(SmtpCommand.END_OF_DATA).delayed(Duration.ofMillis(50));
        relay.settings(settings().route("sink.test", "127.0.0.1", sink.port()).throttle("sink.test", 2, 5).version(2));
        relay.start();
        for (int i = 0; i < 60; i++) {
            relay.send(fromTwo(message("user" + i + "@sink.test")));
        }
        assertThat(sink.awaitMessages(60, WAIT)).hasSize(60);
        assertThat(sink.maxConcurrentConnections()).isEqualTo(2);
        // Five messages per connection: at least twelve connections for sixty messages.
        assertThat(sink.connectionsAccepted()).isGreaterThanOrEqualTo(12);
    }

    @Test
    void aMessageThatIsNotJsonBecomesAnInvalidFailure() throws Exception {
        relay.start();
        relay.publish("this is not json".getBytes(StandardCharsets.UTF_8));

        var failure = relay.take(relay.failure, 1, WAIT).getFirst();
        var attempt = failure.get("results").get(0);
        assertThat(attempt.get("state").asText()).isEqualTo("process");
        assertThat(attempt.get("result").asText()).isEqualTo("invalid");
        assertThat(attempt.get("description").asText()).contains("not valid JSON");
        assertThat(failure.get("raw").asText()).isEqualTo("this is not json");
        assertThat(relay.depth(relay.outbox)).isZero();
    }

    @Test
    void aMessageWithoutRecipientFailsNamingTheFieldAndKeepsUnknownKeys() throws Exception {
        relay.start();
        var message = message("x@sink.test");
        message.remove("recipient");
        message.put("campaign", "spring-sale");
        relay.send(message);

        var failure = relay.take(relay.failure, 1, WAIT).getFirst();
        assertThat(failure.get("results").get(0).get("description").asText()).contains("\"recipient\" is missing");
        assertThat(failure.get("campaign").asText()).isEqualTo("spring-sale");
    }

    @Test
    void theResultCarriesEveryFieldOfTheFormat() throws Exception {
        relay.start();
        var message = message("fields@sink.test");
        message.put("campaign", "spring-sale");
        message.putObject("customer").put("id", 42);
        message.putArray("tags").add("spring").add("customer-42");
        message.putArray("ips").add("127.0.0.2");
        relay.send(message);
        var sent = Instant.now().minusSeconds(1);

        var result = relay.take(relay.results, 1, WAIT).getFirst();
        assertThat(result.get("envelope").asText()).isEqualTo("sender@ferry.test");
        assertThat(result.get("recipient").asText()).isEqualTo("fields@sink.test");
        assertThat(result.get("campaign").asText()).isEqualTo("spring-sale");
        assertThat(result.get("customer").get("id").asInt()).isEqualTo(42);
        assertThat(result.get("tags").get(1).asText()).isEqualTo("customer-42");
        assertThat(result.has("mime")).as("mime stripped without keepmime").isFalse();
        assertThat(result.get("results")).hasSize(1);
        JsonNode attempt = result.get("results").get(0);
        List<String> keys = new ArrayList<>();
        attempt.fieldNames().forEachRemaining(keys::add);
        // The sink offers STARTTLS: the session was TLS, so cipher and certificate are there too.
        assertThat(keys).containsExactlyInAnyOrder("state", "result", "time", "from", "to", "mta", "code", "status", "description",
                "messages", "dsn", "cipher", "certificate");
        assertThat(attempt.get("cipher").get("name").asText()).startsWith("TLS_");
        assertThat(attempt.get("certificate").get("verified").asBoolean()).isFalse();
        assertThat(attempt.get("messages").asInt()).isEqualTo(1);
        assertThat(attempt.get("dsn").isBoolean()).isTrue();
        assertThat(attempt.get("state").asText()).isEqualTo("message");
        assertThat(attempt.get("result").asText()).isEqualTo("accepted");
        assertThat(attempt.get("time").asText()).matches("\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}");
        assertThat(Instant.parse(attempt.get("time").asText().replace(' ', 'T') + "Z")).isAfterOrEqualTo(sent.minusSeconds(1));
        assertThat(attempt.get("from").asText()).isEqualTo("127.0.0.2");
        assertThat(attempt.get("to").asText()).isEqualTo("127.0.0.1");
        assertThat(attempt.get("mta").asText()).isNotBlank();
        assertThat(attempt.get("code").isInt()).isTrue();
        assertThat(attempt.get("code").asInt()).isEqualTo(250);
        assertThat(attempt.get("description").isTextual()).isTrue();
    }

    @Test
    void keepsTheMimeInResultsWhenAsked() throws Exception {
        relay.start();
        var message = message("keep@sink.test");
        message.put("keepmime", true);
        relay.send(message);
        assertThat(relay.take(relay.results, 1, WAIT).getFirst().get("mime").asText()).contains("Hello keep@sink.test");
    }

    @Test
    void honoursTheMessagesQueueOverrides() throws Exception {
        var own = broker.queue("own-results");
        relay.start();
        var message = message("override@sink.test");
        message.putObject("queues").put("results", own).putNull("success");
        relay.send(message);

        relay.awaitQueue(own, WAIT);
        assertThat(relay.take(own, 1, WAIT)).hasSize(1);
        sink.awaitMessages(1, WAIT);
        // Settled means every publish replacing the message was confirmed: nothing more can arrive.
        await().atMost(WAIT).until(() -> relay.relay().status().unsettled() == 0);
        assertThat(relay.depth(relay.results)).isZero();
        assertThat(relay.depth(relay.success)).isZero();
    }

    @Test
    void aMessageForAnIpOwnedByNoOneIsATemporaryFailure() throws Exception {
        relay.start();
        var message = message("foreign@sink.test");
        message.putArray("ips").add("127.0.0.9");
        message.put("maxattempts", 1);
        relay.send(message);

        var failure = relay.take(relay.failure, 1, WAIT).getFirst();
        var attempt = failure.get("results").get(0);
        assertThat(attempt.get("state").asText() + "/" + attempt.get("result").asText()).isEqualTo("process/error");
        assertThat(attempt.get("description").asText()).contains("127.0.0.9");
    }

    @Test
    void aNullMxIsAPermanentFailure() throws Exception {
        relay.dns.nullMx("nomail.test");
        relay.start();
        relay.send(message("user@nomail.test"));

        var attempt = relay.take(relay.failure, 1, WAIT).getFirst().get("results").get(0);
        assertThat(attempt.get("state").asText()).isEqualTo("dns");
        assertThat(attempt.get("description").asText()).contains("null MX");
    }

    @Test
    void aDnsServerFailureIsRetried() throws Exception {
        relay.dns.serverFailure("broken.test");
        relay.start();
        var message = message("user@broken.test");
        message.putArray("retries").add(1);
        relay.send(message);

        var retry = relay.take(relay.retry, 1, WAIT).getFirst();
        assertThat(retry.get("results").get(0).get("state").asText() + "/" + retry.get("results").get(0).get("result").asText())
                .isEqualTo("dns/error");
    }

    @Test
    void aPausedDomainWaitsAndIsDeliveredWhenThePauseEnds() throws Exception {
        relay.settings(settings().route("sink.test", "127.0.0.1", sink.port())
                .pause("sink.test", Instant.now().plusSeconds(2)).version(2));
        relay.start();
        relay.send(message("paused@sink.test"));

        // The pause sent it round a delay queue unattempted (the event), not to the sink.
        await().atMost(WAIT).until(() -> relay.relay().status().counts().deferred() >= 1);
        assertThat(sink.messages()).isEmpty();
        assertThat(sink.awaitMessages(1, WAIT)).hasSize(1);
        var success = relay.take(relay.success, 1, WAIT).getFirst();
        assertThat(success.get("results")).as("waiting out a pause is not an attempt").hasSize(1);
    }

    @Test
    void aPauseByTagHoldsThatCampaignOnlyAndReleasesItWhenItEnds() throws Exception {
        relay.settings(settings().route("sink.test", "127.0.0.1", sink.port())
                .pauseTagged("sink.test", "spring-sale", Instant.now().plusSeconds(2)).version(2));
        relay.start();
        var held = message("held@sink.test");
        held.putArray("tags").add("newsletter").add("spring-sale");
        relay.send(held);
        var other = message("other@sink.test");
        other.putArray("tags").add("newsletter");
        relay.send(other);

        // The other campaign goes at once; the held one goes round a delay queue, then out.
        var first = sink.awaitMessages(1, WAIT).getFirst();
        assertThat(first.recipients()).containsExactly("other@sink.test");
        await().atMost(WAIT).until(() -> relay.relay().status().counts().deferred() >= 1);
        var second = sink.awaitMessages(2, WAIT).get(1);
        assertThat(second.recipients()).containsExactly("held@sink.test");
    }

    @Test
    void theRecentResultsListWhatWasDeliveredAndWhatFailed() throws Exception {
        relay.dns.nullMx("nomail.test");
        relay.start();
        relay.send(fromTwo(message("ann@sink.test")));
        relay.take(relay.success, 1, WAIT);
        relay.send(message("bob@nomail.test"));
        relay.take(relay.failure, 1, WAIT);

        var recent = relay.relay().recentResults();
        await().atMost(WAIT).until(() -> recent.find(RecentResults.Query.latest(10)).size() == 2);
        var both = recent.find(RecentResults.Query.latest(10));
        assertThat(both).extracting(RecentResult::outcome)
                .containsExactly(RecentResult.Outcome.FAILED, RecentResult.Outcome.DELIVERED);

        var delivered = recent.find(RecentResults.Query.latest(10).withDomain(Domain.parse("SINK.test"))).getFirst();
        assertThat(delivered.recipient()).contains("ann@sink.test");
        assertThat(delivered.outcome()).isEqualTo(RecentResult.Outcome.DELIVERED);
        assertThat(delivered.sourceIp()).contains(InetAddress.getByName("127.0.0.2"));
        assertThat(delivered.remoteIp()).contains(InetAddress.getByName("127.0.0.1"));
        assertThat(delivered.state()).contains(AttemptState.MESSAGE);
        assertThat(delivered.result()).contains(AttemptResult.ACCEPTED);
        assertThat(delivered.code()).hasValue(250);
        assertThat(delivered.mta()).isPresent();
        assertThat(delivered.attempts()).isEqualTo(1);

        var failed = recent.find(RecentResults.Query.latest(10).withOutcome(RecentResult.Outcome.FAILED)).getFirst();
        assertThat(failed.recipient()).contains("bob@nomail.test");
        assertThat(failed.domain()).contains(Domain.parse("nomail.test"));
        assertThat(failed.state()).contains(AttemptState.DNS);
        assertThat(failed.result()).contains(AttemptResult.ERROR);
        assertThat(failed.description()).contains("null MX");
        assertThat(failed.code()).isEmpty();
        assertThat(failed.attempts()).isEqualTo(1);
        assertThat(failed.time()).isAfterOrEqualTo(delivered.time());
    }

    @Test
    void theRecentResultsListAForwardOnceItIsConfirmed() throws Exception {
        var forwarded = new CompletableFuture<Void>();
        relay.router((inbound, parsed, ips) -> new PeerRouter.Route.Forwarded(forwarded)).start();
        var message = message("far@sink.test");
        message.putArray("ips").add("127.0.0.9");
        relay.send(message);

        var recent = relay.relay().recentResults();
        await().until(() -> relay.relay().status().unsettled() == 1);
        // Not before the forward is confirmed.
        await().during(Duration.ofMillis(300)).atMost(WAIT).until(() -> recent.find(RecentResults.Query.latest(10)).isEmpty());
        forwarded.complete(null);
        await().atMost(WAIT).until(() -> !recent.find(RecentResults.Query.latest(10)).isEmpty());
        var forward = recent.find(RecentResults.Query.latest(10)).getFirst();
        assertThat(forward.outcome()).isEqualTo(RecentResult.Outcome.FORWARDED);
        assertThat(forward.recipient()).contains("far@sink.test");
        assertThat(forward.state()).isEmpty();
        assertThat(forward.description()).contains("127.0.0.9");
        await().atMost(WAIT).until(() -> relay.relay().status().unsettled() == 0);
        assertThat(relay.depth(relay.results)).isZero();
    }

    @Test
    void aRaisedThrottleAppliesWithoutDroppingMessages() throws Exception {
        sink.script().on(SmtpCommand.END_OF_DATA).delayed(Duration.ofMillis(100));
        relay.settings(settings().route("sink.test", "127.0.0.1", sink.port()).throttle("sink.test", 1, 1000).version(2));
        relay.start();
        for (int i = 0; i < 40; i++) {
            relay.send(fromTwo(message("user" + i + "@sink.test")));
        }
        sink.awaitMessages(3, WAIT);
        relay.settings(settings().route("sink.test", "127.0.0.1", sink.port()).throttle("sink.test", 4, 1000).version(3));
        assertThat(sink.awaitMessages(40, WAIT)).hasSize(40);
        assertThat(sink.maxConcurrentConnections()).isBetween(2, 4);
        assertThat(relay.take(relay.success, 40, WAIT)).hasSize(40);
    }
}
