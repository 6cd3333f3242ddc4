package dev.ferrymta.relay;

import static dev.ferrymta.relay.RelayFixture.message;
import static dev.ferrymta.relay.TestSettings.settings;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferrymta.relay.bounce.BounceCategory;
import dev.ferrymta.relay.bounce.RecordedActions;
import dev.ferrymta.relay.bounce.ReplyMatch;
import dev.ferrymta.relay.bounce.ResponseRule;
import dev.ferrymta.relay.outbox.DelayTiers;
import dev.ferrymta.testing.broker.TestBroker;
import dev.ferrymta.testing.smtp.SmtpCommand;
import dev.ferrymta.testing.smtp.SmtpSink;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A receiver's rate-limit reply, on the real broker and a real sink: the response rule suspends
 * sending from that IP to that domain on this instance before its next message (or backs it off),
 * hands the action on to be shared, and leaves the other IPs sending.
 */
class AutomaticSuspensionIT {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @RegisterExtension
    final TestBroker broker = new TestBroker();

    private RelayFixture relay;
    private SmtpSink sink;

    @BeforeEach
    void start() throws Exception {
        sink = SmtpSink.start(InetAddress.getByName("127.0.0.51"), 25);
        relay = new RelayFixture(broker);
        relay.settings(settings().version(1));
        relay.dns.mx("limited.test", 10, "mx.limited.test").a("mx.limited.test", "127.0.0.51");
    }

    @AfterEach
    void stop() throws Exception {
        relay.close();
        sink.close();
    }

    @Test
    void aRateLimitReplyStopsThatIpForThatDomainAndOnlyThat() throws Exception {
        var limitedIp = InetAddress.getByName("127.0.0.2");
        var recipientsFromLimitedIp = new AtomicInteger();
        sink.script().on(SmtpCommand.RCPT).from(limitedIp).matching(line -> recipientsFromLimitedIp.incrementAndGet() < 0);
        sink.script().on(SmtpCommand.RCPT).from(limitedIp).reply(421, "4.7.28 [127.0.0.2] Our system has detected an unusual rate "
                + "of unsolicited mail originating from your IP address. To protect our users from spam, mail sent from your IP "
                + "address has been temporarily rate limited.");
        relay.start();
        var recorded = new RecordedActions();
        var shared = recorded.suspensions;
        relay.relay().responses().shareWith(recorded);

        var first = message("one@limited.test");
        first.putArray("ips").add("127.0.0.2");
        relay.send(first);
        var retry = relay.take(relay.retry, 1, WAIT).getFirst().get("results").get(0);
        assertThat(retry.get("code").asInt()).isEqualTo(421);
        assertThat(retry.get("category").asText()).isEqualTo("rate-limit");
        assertThat(shared).singleElement().satisfies(s -> {
            assertThat(s.rule()).isEqualTo("google-rate-limit");
            assertThat(s.ip()).isEqualTo(limitedIp);
            assertThat(s.domain().map(Object::toString)).contains("limited.test");
        });

        // Two more from the limited IP, two from the other: the other IP's are delivered, the
        // limited IP's wait in the delay queues without being tried.
        for (var ip : List.of("127.0.0.2", "127.0.0.2", "127.0.0.3", "127.0.0.3")) {
            var next = message("next@limited.test");
            next.putArray("ips").add(ip);
            relay.send(next);
        }
        var delivered = sink.awaitMessages(2, WAIT);
        assertThat(delivered).allSatisfy(m -> assertThat(m.clientAddress().getHostAddress()).isEqualTo("127.0.0.3"));
        awaitDeferred(3); // the first message's retry and the two held back
        assertThat(recipientsFromLimitedIp).as("RCPT commands from the limited IP").hasValue(1);
        assertThat(shared).as("shared once").hasSize(1);
    }

    @Test
    void aBackOffRuleOfTheSharedSettingsSlowsItsScopeAndEveryMessageStillGoes() throws Exception {
        var ip = InetAddress.getByName("127.0.0.2");
        relay.settings(settings().throttle("limited.test", 5, 1)
                .responseRule(new ResponseRule("operator-slow-down", ReplyMatch.of("421", "", "slow down"), Optional.empty(),
                        ResponseRule.Action.BACKOFF, ResponseRule.Scope.IP_DOMAIN, Duration.ofMinutes(10), OptionalInt.of(120),
                        OptionalInt.of(1), Optional.of(BounceCategory.POLICY)))
                .version(2));
        sink.script().on(SmtpCommand.RCPT).from(ip).times(1).reply(421, "4.7.0 please slow down");
        relay.start();
        var recorded = new RecordedActions();
        var backOffs = recorded.backOffs;
        relay.relay().responses().shareWith(recorded);

        var first = message("first@limited.test");
        first.putArray("ips").add("127.0.0.2");
        first.putArray("retries").add(1);
        relay.send(first);
        var retry = relay.take(relay.retry, 1, WAIT).getFirst().get("results").get(0);
        assertThat(retry.get("category").asText()).as("the operator's rule sets it").isEqualTo("policy");
        assertThat(backOffs).singleElement().satisfies(b -> {
            assertThat(b.rule()).isEqualTo("operator-slow-down");
            assertThat(b.maxConnections()).hasValue(1);
            assertThat(b.messagesPerMinute()).hasValue(120);
        });

        // Six more from the same IP, one message a connection: without the back-off five would go at once.
        sink.reset();
        sink.script().on(SmtpCommand.END_OF_DATA).delayed(Duration.ofMillis(200));
        long start = System.nanoTime();
        for (int i = 0; i < 6; i++) {
            var next = message("m" + i + "@limited.test");
            next.putArray("ips").add("127.0.0.2");
            relay.send(next);
        }
        var delivered = sink.awaitMessages(7, WAIT); // the six and the first one's retry
        var took = Duration.ofNanos(System.nanoTime() - start);
        assertThat(delivered).hasSize(7);
        assertThat(sink.maxConcurrentConnectionsFrom(ip)).as("connections from the slowed IP at once").isEqualTo(1);
        // 120 a minute: one start every half second, so seven starts span three seconds at least.
        assertThat(took).isGreaterThanOrEqualTo(Duration.ofMillis(2_900));
        assertThat(relay.take(relay.success, 7, WAIT)).hasSize(7);
    }

    @Test
    void aReceiverLimitingSessionsIsBackedOffByTheShippedRuleAndEveryMessageArrivesOnce() throws Exception {
        // Comcast-style: two sessions at once from an IP; a third is greeted with 421 RL000001.
        var client = InetAddress.getByName("127.0.0.2");
        var refused = new AtomicInteger();
        relay.settings(settings().throttle("limited.test", 20, 1000).version(2));
        sink.script().on(SmtpCommand.GREETING).from(client).matching(line -> sink.openConnectionsFrom(client) > 2
                && refused.incrementAndGet() > 0).reply(421, "4.7.0 too many sessions from 127.0.0.2, see "
                + "http://postmaster.comcast.net/smtp-error-codes.php#RL000001");
        relay.start();
        int count = 300;
        for (int i = 0; i < count; i++) {
            var message = message("u" + i + "@limited.test");
            message.putArray("ips").add("127.0.0.2");
            message.putArray("retries").add(1);
            relay.send(message);
        }

        var delivered = sink.awaitMessages(count, WAIT);
        assertThat(delivered.stream().map(m -> m.recipients().getFirst()).distinct()).hasSize(count);
        // The first burst of up to 20 connections meets the limit; after the back-off to one
        // connection there are no more refusals. (Before a lane's surplus workers stopped
        // replacing each other, a lowered limit kept them starting and ending without end.)
        assertThat(refused.get()).as("sessions refused").isBetween(1, 20);
        // Each settled as delivered (the sink records a message before its 250 reaches the relay: wait for the results).
        assertThat(relay.take(relay.success, count, WAIT)).hasSize(count);
    }

    /** Waits until the delay queues hold {@code count} messages. */
    private void awaitDeferred(int count) throws Exception {
        var tiers = new DelayTiers(relay.outbox);
        long deadline = System.nanoTime() + WAIT.toNanos();
        long held = 0;
        while (System.nanoTime() < deadline) {
            held = 0;
            for (var tier : tiers.tiers()) {
                try {
                    held += relay.depth(tiers.queue(tier));
                } catch (java.io.IOException notDeclared) {
                    relay.reopen();
                }
            }
            if (held >= count) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the delay queues hold " + held + " messages, not " + count);
    }
}
