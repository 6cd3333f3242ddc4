package dev.ferrymta.relay;

import static dev.ferrymta.relay.RelayFixture.message;
import static dev.ferrymta.relay.TestSettings.settings;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferrymta.relay.bounce.RecordedActions;
import dev.ferrymta.relay.bounce.ReplyMatch;
import dev.ferrymta.relay.bounce.ResponseRule;
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
 * Provider groups on the real broker, a real DNS responder and real sinks: two domains whose MX
 * hosts belong to one provider ({@code *.mx.testmail.test}, on one sink) and a domain of no
 * provider (on another). A provider throttle holds across both of the provider's domains; a
 * provider-scoped response rule holds every domain of the provider and no other.
 */
class ProviderGroupsIT {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @RegisterExtension
    final TestBroker broker = new TestBroker();

    private RelayFixture relay;
    private SmtpSink provider;
    private SmtpSink other;

    @BeforeEach
    void start() throws Exception {
        provider = SmtpSink.start(InetAddress.getByName("127.0.0.51"), 25);
        other = SmtpSink.start(InetAddress.getByName("127.0.0.52"), 25);
        relay = new RelayFixture(broker);
        relay.dns.mx("one.test", 10, "in1.mx.testmail.test").a("in1.mx.testmail.test", "127.0.0.51")
                .mx("two.test", 10, "in2.mx.testmail.test").a("in2.mx.testmail.test", "127.0.0.51")
                .mx("elsewhere.test", 10, "mx.elsewhere.test").a("mx.elsewhere.test", "127.0.0.52");
    }

    @AfterEach
    void stop() throws Exception {
        relay.close();
        provider.close();
        other.close();
    }

    private void send(String recipient) throws Exception {
        var message = message(recipient);
        message.putArray("ips").add("127.0.0.2");
        message.putArray("retries").add(1);
        relay.send(message);
    }

    @Test
    void aProviderThrottleHoldsAcrossEveryDomainOfTheProvider() throws Exception {
        // One connection from each IP to the whole provider, one message a connection.
        relay.settings(settings().provider("testmail", "*.mx.testmail.test").providerThrottle("testmail", 1, 1).version(1));
        provider.script().on(SmtpCommand.END_OF_DATA).delayed(Duration.ofMillis(200));
        relay.start();

        for (int i = 0; i < 4; i++) {
            send("a" + i + "@one.test");
            send("b" + i + "@two.test");
            send("c" + i + "@elsewhere.test");
        }

        assertThat(provider.awaitMessages(8, WAIT)).hasSize(8);
        assertThat(other.awaitMessages(4, WAIT)).hasSize(4);
        // Each domain has its own lane; without the provider's shared count there would be two at once.
        assertThat(provider.maxConcurrentConnectionsFrom(InetAddress.getByName("127.0.0.2")))
                .as("connections from 127.0.0.2 to the provider at once, over both its domains").isEqualTo(1);
        assertThat(relay.take(relay.success, 12, WAIT)).hasSize(12);
    }

    @Test
    void aProviderScopedRuleHoldsEveryDomainOfTheProviderAndNoOther() throws Exception {
        relay.settings(settings().provider("testmail", "*.mx.testmail.test")
                .responseRule(new ResponseRule("testmail-slow-down", ReplyMatch.of("421", "", "slow down"), Optional.empty(),
                        ResponseRule.Action.SUSPEND, ResponseRule.Scope.IP_PROVIDER, Duration.ofMinutes(10), OptionalInt.empty(),
                        OptionalInt.empty(), Optional.empty(), Optional.of("testmail")))
                .version(1));
        var rcptToTwo = new AtomicInteger();
        provider.script().on(SmtpCommand.RCPT).matching(line -> line.contains("@two.test") && rcptToTwo.incrementAndGet() < 0);
        provider.script().on(SmtpCommand.RCPT).times(1).reply(421, "4.7.0 please slow down");
        relay.start();
        var recorded = new RecordedActions();
        var suspensions = recorded.suspensions;
        relay.relay().responses().shareWith(recorded);

        send("first@one.test");
        var retry = relay.take(relay.retry, 1, WAIT).getFirst().get("results").get(0);
        assertThat(retry.get("code").asInt()).isEqualTo(421);
        assertThat(suspensions).singleElement().satisfies(s -> {
            assertThat(s.provider()).contains("testmail");
            assertThat(s.domain()).isEmpty();
        });

        for (var recipient : List.of("x@two.test", "y@two.test", "z@elsewhere.test")) {
            send(recipient);
        }
        assertThat(other.awaitMessages(1, WAIT)).hasSize(1);
        // The provider's other domain is held without being tried: both wait in the delay queues.
        relay.awaitQueue(relay.outbox + ".delay.1", WAIT);
        await(() -> relay.relay().status().counts().deferred() >= 2);
        assertThat(rcptToTwo).as("RCPT commands for two.test").hasValue(0);
        assertThat(provider.messages()).isEmpty();
    }

    private static void await(java.util.concurrent.Callable<Boolean> condition) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.call()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + WAIT);
            }
            Thread.sleep(20);
        }
    }
}
