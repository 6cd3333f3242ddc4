package dev.ferrymta.relay;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import dev.ferrymta.relay.broker.BrokerLink;
import dev.ferrymta.relay.broker.IntakeBudget;
import dev.ferrymta.relay.config.AmqpAddress;
import dev.ferrymta.relay.config.ConfigFile;
import dev.ferrymta.relay.config.ConfigReader;
import dev.ferrymta.relay.config.ConfigSources;
import dev.ferrymta.relay.config.HostInfo;
import dev.ferrymta.relay.config.RelayConfig;
import dev.ferrymta.relay.dns.DnsJavaResolver;
import dev.ferrymta.relay.outbox.DelayTiers;
import dev.ferrymta.relay.outbox.PeerRouter;
import dev.ferrymta.relay.settings.CurrentSettings;
import dev.ferrymta.relay.settings.Settings;
import dev.ferrymta.relay.settings.SwappableSettings;
import dev.ferrymta.relay.smtp.SmtpClient;
import dev.ferrymta.relay.smtp.SmtpTimeouts;
import com.rabbitmq.client.Connection;
import dev.ferrymta.testing.broker.TestBroker;
import dev.ferrymta.testing.broker.TestRabbitNode;
import dev.ferrymta.testing.broker.TestVirtualHost;
import dev.ferrymta.testing.dns.DnsResponder;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import javax.net.ssl.SSLContext;

/**
 * A relay under test: real broker queues of the test's own, settings the test sets, a DNS
 * responder the relay asks, and helpers to put messages in the outbox and read the results.
 */
final class RelayFixture implements AutoCloseable {

    static final ObjectMapper JSON = new ObjectMapper();

    final String outbox;
    final String results;
    final String success;
    final String failure;
    final String retry;
    final DnsResponder dns = DnsResponder.start();
    private final TestBroker broker;
    private final Connector connector;
    private final List<Connection> opened = new ArrayList<>();
    private final SwappableSettings settings = new SwappableSettings(Settings.EMPTY);
    private final CurrentSettings current;
    private final Map<String, String> config = new LinkedHashMap<>();
    private PeerRouter router = PeerRouter.NONE;
    private Duration patience = Relay.PUBLISH_PATIENCE;
    private IntakeBudget budget = IntakeBudget.fromHeap();
    private BrokerLink link;
    private Relay relay;
    private Channel channel;

    RelayFixture(TestBroker broker) {
        this(broker, (TestVirtualHost) null);
    }

    /**
     * A relay on a virtual host of the test's own, so the test can close every connection to it
     * ({@link TestVirtualHost#closeAllConnections}) without touching anyone else's; null: the
     * broker's default virtual host.
     */
    RelayFixture(TestBroker broker, TestVirtualHost vhost) {
        this(broker, vhost == null ? broker.address() : vhost.address(),
                vhost == null ? broker::connection : () -> vhost.connection("ferry relay fixture"));
    }

    /** A relay on a RabbitMQ node of the test's own (a limit of its own, reset to empty). */
    RelayFixture(TestBroker names, TestRabbitNode node) {
        this(names, node.address(), () -> node.factory().newConnection("ferry relay fixture"));
    }

    private Connection open() throws IOException, TimeoutException {
        var connection = connector.open();
        opened.add(connection);
        return connection;
    }

    /** Opens the test's own connections to the relay's broker. */
    @FunctionalInterface
    interface Connector {
        Connection open() throws IOException, TimeoutException;
    }

    private RelayFixture(TestBroker broker, String address, Connector connector) {
        this.broker = broker;
        this.connector = connector;
        this.outbox = broker.queue("outbox");
        this.results = broker.queue("results");
        this.success = broker.queue("success");
        this.failure = broker.queue("failure");
        this.retry = broker.queue("retry");
        new DelayTiers(outbox).tiers().forEach(tier -> broker.track(new DelayTiers(outbox).queue(tier)));
        broker.track(dev.ferrymta.relay.outbox.ResultPublisher.parkingQueue(outbox));
        this.current = settings.current();
        config.put("server-id", "relay-test");
        config.put("rabbitmq-address", address);
        config.put("rabbitmq-outbox", outbox);
        config.put("rabbitmq-results", results);
        config.put("rabbitmq-success", success);
        config.put("rabbitmq-failure", failure);
        config.put("rabbitmq-retry", retry);
        config.put("smtp-ips", "127.0.0.2, 127.0.0.3");
        config.put("smtp-timeout", "2s");
        config.put("retry-interval", "1s");
        config.put("dns-server", dns.hostPort());
        // The sinks DNS names listen on this machine's loopback addresses.
        config.put("smtp-allowed-destinations", "127.0.0.0/8");
    }

    /** Sets a config key before {@link #start()}. */
    RelayFixture with(String key, String value) {
        config.put(key, value);
        return this;
    }

    /** How long a refused publish is tried again before it is parked, before {@link #start()}. */
    RelayFixture patience(Duration next) {
        patience = next;
        return this;
    }

    /** The budget of bytes in hand, before {@link #start()}. */
    RelayFixture budget(IntakeBudget next) {
        budget = next;
        return this;
    }

    /** The relay's connection to the broker, once started. */
    BrokerLink link() {
        return link;
    }

    /** Sets how messages for IPs the relay does not own are forwarded, before {@link #start()}. */
    RelayFixture router(PeerRouter next) {
        router = next;
        return this;
    }

    /** Puts a new settings snapshot in force, as a reload would. */
    void settings(Settings next) {
        settings.apply(next);
    }

    Settings settings() {
        return current.get();
    }

    RelayFixture start() throws Exception {
        var text = config.entrySet().stream().map(e -> e.getKey() + ": " + e.getValue()).collect(Collectors.joining("\n"));
        var relayConfig = RelayConfig.from(new ConfigReader(ConfigSources.layered(ConfigFile.parse(text, "test")), RelayConfig.KEYS),
                HostInfo.local());
        current.loadInitial();
        link = new BrokerLink(AmqpAddress.parse(config.get("rabbitmq-address")), "ferry relay test");
        assertThat(link.connect()).isTrue();
        var resolver = new DnsJavaResolver(relayConfig.dnsServer(), Duration.ofSeconds(2));
        var smtp = new SmtpClient(SmtpTimeouts.of(relayConfig.smtpTimeout()), SSLContext.getDefault(), Clock.systemUTC());
        relay = new Relay(relayConfig, current, link.connection(), resolver, smtp, router, "relay-test.example",
                Clock.systemUTC(), budget, patience);
        link.onRecovery(relay::connectionRecovered);
        relay.start();
        channel = open().createChannel();
        channel.confirmSelect();
        return this;
    }

    Relay relay() {
        return relay;
    }

    /** Opens the test's own channel again, after the test closed every connection to the broker. */
    void reopen() throws Exception {
        channel = open().createChannel();
        channel.confirmSelect();
    }

    /** The test's own channel to the relay's broker (in confirm mode), for setting up queues. */
    Channel channel() {
        return channel;
    }

    /** Publishes a message to the outbox, persistent and confirmed. */
    void send(ObjectNode message) throws IOException, InterruptedException, TimeoutException {
        publish(JSON.writeValueAsBytes(message));
    }

    void publish(byte[] body) throws IOException, InterruptedException, TimeoutException {
        channel.basicPublish("", outbox, new AMQP.BasicProperties.Builder().deliveryMode(2).build(), body);
        channel.waitForConfirmsOrDie(10_000);
    }

    /** A message to {@code recipient} with a small MIME body. */
    static ObjectNode message(String recipient) {
        var message = JSON.createObjectNode();
        message.put("envelope", "sender@ferry.test");
        message.put("recipient", recipient);
        message.put("mime", "From: sender@ferry.test\r\nTo: " + recipient + "\r\nSubject: test\r\n\r\nHello " + recipient + "\r\n");
        return message;
    }

    /** Takes {@code count} messages from a queue, waiting up to {@code timeout}; fails if fewer came. */
    List<JsonNode> take(String queue, int count, Duration timeout) throws Exception {
        var taken = new ArrayList<JsonNode>();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (taken.size() < count) {
            var response = channel.basicGet(queue, true);
            if (response == null) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("expected " + count + " messages on " + queue + " within " + timeout + ", got "
                            + taken.size() + ": " + taken);
                }
                Thread.sleep(20);
                continue;
            }
            taken.add(JSON.readTree(response.getBody()));
        }
        return taken;
    }

    /** At most {@code max} messages on a queue now, taken, without waiting. */
    List<JsonNode> drainJson(String queue, int max) throws IOException {
        var taken = new ArrayList<JsonNode>();
        while (taken.size() < max) {
            var response = channel.basicGet(queue, true);
            if (response == null) {
                break;
            }
            taken.add(JSON.readTree(response.getBody()));
        }
        return taken;
    }

    /**
     * What is on a queue now, taken: each result as its recipient and its last attempt's state,
     * result and description, for a failure message.
     */
    List<String> drain(String queue) throws IOException {
        var found = new ArrayList<String>();
        for (var response = channel.basicGet(queue, true); response != null; response = channel.basicGet(queue, true)) {
            var result = JSON.readTree(response.getBody());
            var attempts = result.path("results");
            var last = attempts.isEmpty() ? JSON.createObjectNode() : attempts.get(attempts.size() - 1);
            found.add(result.path("recipient").asText() + ": " + last.path("state").asText() + "/" + last.path("result").asText()
                    + " " + last.path("description").asText());
        }
        return found;
    }

    /** Waits until a queue exists (the relay declares it). */
    void awaitQueue(String queue, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try (var probe = channel.getConnection().createChannel()) {
                probe.queueDeclarePassive(queue);
                return;
            } catch (IOException missing) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("queue " + queue + " was not declared within " + timeout);
                }
                Thread.sleep(20);
            }
        }
    }

    /** How many messages wait in a queue now. */
    long depth(String queue) throws IOException {
        return channel.queueDeclarePassive(queue).getMessageCount();
    }

    @Override
    public void close() {
        if (relay != null) {
            relay.close();
        }
        if (link != null) {
            link.close();
        }
        for (var connection : opened) {
            if (connection.isOpen()) {
                connection.abort(2_000);
            }
        }
        dns.close();
    }
}
