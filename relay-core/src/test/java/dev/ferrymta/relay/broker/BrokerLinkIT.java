package dev.ferrymta.relay.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferrymta.relay.config.AmqpAddress;
import dev.ferrymta.relay.config.HostAndPort;
import dev.ferrymta.relay.lifecycle.LinkState;
import dev.ferrymta.testing.TestNames;
import dev.ferrymta.testing.broker.TestVirtualHost;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link BrokerLink} given a broker as several nodes, of which only the real broker answers: a
 * closed port stands for a node that is down. Whichever order the client tries them in, the link
 * ends up on the node that answers and says so.
 */
class BrokerLinkIT {

    /** A port nothing listens on: connecting to it is refused at once, as to a stopped node. */
    private static final HostAndPort CLOSED = new HostAndPort("127.0.0.1", 1);

    @RegisterExtension
    final TestVirtualHost vhost = new TestVirtualHost();

    private final String linkName = "ferry broker link it " + TestNames.randomId();
    private BrokerLink link;

    @AfterEach
    void close() {
        if (link != null) {
            link.close();
        }
    }

    @Test
    void connectsToTheNodeThatAnswersAndReportsIt() throws Exception {
        assertThat(answers(CLOSED)).as("something listens on %s", CLOSED).isFalse();
        var broker = AmqpAddress.parse(vhost.address());
        var real = broker.nodes().getFirst();
        link = new BrokerLink(withNodes(broker, CLOSED, real), linkName);

        assertThat(link.node()).isEmpty();
        assertThat(link.connect()).isTrue();

        assertThat(link.state()).isEqualTo(LinkState.UP);
        assertThat(link.node()).contains(realNode(real));
        assertThat(link.address()).contains("@127.0.0.1:1/", "@" + real + "/").doesNotContain("guest:guest");
        try (var channel = link.connection().createChannel()) {
            assertThat(channel.queueDeclare().getQueue()).startsWith("amq.gen-");
        }
        try (var once = link.connectOnce(); var side = link.sideConnection("it", Duration.ofSeconds(2))) {
            assertThat(BrokerLink.nodeOf(once)).isEqualTo(realNode(real));
            assertThat(BrokerLink.nodeOf(side)).isEqualTo(realNode(real));
        }

        link.close();
        assertThat(link.node()).isEmpty();
    }

    @Test
    void triesEveryNodeAndFailsOverFromOneThatAcceptsButIsNoBroker() throws Exception {
        var broker = AmqpAddress.parse(vhost.address());
        var real = broker.nodes().getFirst();
        try (var silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            // A node that takes the TCP connection and drops it before the AMQP handshake.
            var accepted = new AtomicInteger();
            Thread.ofVirtual().start(() -> {
                while (!silent.isClosed()) {
                    try (var socket = silent.accept()) {
                        accepted.incrementAndGet();
                    } catch (IOException closed) {
                        return;
                    }
                }
            });
            link = new BrokerLink(withNodes(broker, new HostAndPort("127.0.0.1", silent.getLocalPort()), real), linkName);

            // The client tries the nodes in random order: connect until it has tried the silent one
            // first at least once (each connect does so with a chance of one half).
            for (int attempt = 1; attempt <= 30 && accepted.get() == 0; attempt++) {
                try (var connection = link.connectOnce()) {
                    assertThat(BrokerLink.nodeOf(connection)).isEqualTo(realNode(real));
                }
            }
            assertThat(accepted.get()).as("connections the silent node was asked for").isPositive();
        }
    }

    @Test
    void recoversThroughTheListAndReportsTheNodeAgain() throws Exception {
        var broker = AmqpAddress.parse(vhost.address());
        var real = broker.nodes().getFirst();
        link = new BrokerLink(withNodes(broker, CLOSED, real), linkName);
        assertThat(link.connect()).isTrue();
        var recovered = new CountDownLatch(1);
        link.onRecovery(recovered::countDown);

        vhost.closeAllConnections("broker link it: node going away");

        assertThat(recovered.await(30, TimeUnit.SECONDS)).as("recovered within 30 s").isTrue();
        assertThat(link.state()).isEqualTo(LinkState.UP);
        assertThat(link.node()).contains(realNode(real));
        assertThat(link.problem()).isEmpty();
    }

    @Test
    void failsWhenNoNodeAnswers() {
        var broker = AmqpAddress.parse(vhost.address());
        link = new BrokerLink(withNodes(broker, CLOSED, new HostAndPort("127.0.0.1", 2)), linkName);

        assertThatThrownBy(link::connectOnce).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> link.sideConnection("it", Duration.ofSeconds(2))).isInstanceOf(IOException.class);
    }

    /** The same broker (user, password, vhost) reached through these nodes, in this order. */
    private static AmqpAddress withNodes(AmqpAddress broker, HostAndPort... nodes) {
        return new AmqpAddress(broker.tls(), List.of(nodes), broker.user(), broker.password(), broker.vhost());
    }

    /** How the link names a node: its IP address, not the name it was configured by. */
    private static String realNode(HostAndPort configured) throws IOException {
        var ip = InetAddress.getByName(configured.host());
        return (ip instanceof java.net.Inet6Address ? "[" + ip.getHostAddress() + "]" : ip.getHostAddress()) + ":" + configured.port();
    }

    private static boolean answers(HostAndPort node) {
        try (var socket = new Socket()) {
            socket.connect(new InetSocketAddress(node.host(), node.port()), 1_000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
