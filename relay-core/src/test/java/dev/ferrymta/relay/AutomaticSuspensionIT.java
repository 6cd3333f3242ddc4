package dev.ferrymta.relay;

import static dev.ferrymta.relay.RelayFixture.message;
import static dev.ferrymta.relay.TestSettings.settings;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferrymta.relay.bounce.Suspension;
import dev.ferrymta.relay.outbox.DelayTiers;
import dev.ferrymta.testing.broker.TestBroker;
import dev.ferrymta.testing.smtp.SmtpCommand;
import dev.ferrymta.testing.smtp.SmtpSink;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A receiver's rate-limit reply, on the real broker and a real sink: the response rule suspends
 * sending from that IP to that domain on this instance before its next message, hands the
 * suspension on to be shared, and leaves the other IPs sending.
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
        var shared = new CopyOnWriteArrayList<Suspension>();
        relay.relay().responses().shareWith(shared::add);

        var first = message("one@limited.test");
        first.putArray("ips").add("127.0.0.2");
        relay.send(first);
        var retry = relay.take(relay.results, 1, WAIT).getFirst().get("results").get(0);
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
