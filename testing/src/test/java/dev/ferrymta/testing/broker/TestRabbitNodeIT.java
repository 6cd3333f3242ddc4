package dev.ferrymta.testing.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ShutdownSignalException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineTestKit;

class TestRabbitNodeIT {

    static final int LIMIT = 1_048_576;

    /** One node for the tests of this class, as a static field: a start takes seconds. */
    @RegisterExtension
    static final TestRabbitNode node = TestRabbitNode.withConfig("max_message_size = " + LIMIT);

    @RegisterExtension
    final TestBroker broker = new TestBroker();

    /** The nodes the sample tests below ran on, read after they ran. */
    static final List<Seen> SEEN = new CopyOnWriteArrayList<>();

    record Seen(String name, int port, Path logFile) {
    }

    @Test
    void aQueueDeclaredOnTheNodeIsGoneAfterResetAndTheMachinesNodeIsLeftAlone() throws Exception {
        var port = node.port();
        var mainQueue = broker.queue("survives");
        try (var main = TestBroker.factory().newConnection()) {
            main.createChannel().queueDeclare(mainQueue, true, false, false, null);
        }
        var open = node.factory().newConnection("open over the reset");
        try {
            var channel = open.createChannel();
            channel.queueDeclare("outbox", true, false, false, null);
            channel.exchangeDeclare("ferry", BuiltinExchangeType.TOPIC, true);
            channel.basicPublish("", "outbox", null, "hello".getBytes(StandardCharsets.US_ASCII));

            node.reset();

            assertThat(open.isOpen()).as("a connection open over the reset").isFalse();
        } finally {
            open.abort();
        }
        assertThat(node.port()).isEqualTo(port);
        // guest is back: a reset node is as a fresh one.
        try (var connection = node.factory().newConnection()) {
            assertNotFound(connection, channel -> channel.queueDeclarePassive("outbox"));
            assertNotFound(connection, channel -> channel.exchangeDeclarePassive("ferry"));
        }
        assertThat(node.rabbitmqctl("list_queues", "--no-table-headers", "name")).isEmpty();
        assertThat(node.rabbitmqctl("list_exchanges", "--no-table-headers", "name").lines().map(String::strip))
                .containsExactlyInAnyOrder("", "amq.direct", "amq.fanout", "amq.headers", "amq.match", "amq.rabbitmq.trace", "amq.topic");
        try (var main = TestBroker.factory().newConnection()) {
            assertThat(main.createChannel().queueDeclarePassive(mainQueue).getQueue()).isEqualTo(mainQueue);
        }
    }

    @Test
    void aMessageOverTheLimitMakesTheBrokerCloseTheChannel() throws Exception {
        try (var connection = node.factory().newConnection()) {
            var channel = connection.createChannel();
            var queue = channel.queueDeclare().getQueue();
            channel.confirmSelect();

            channel.basicPublish("", queue, null, new byte[2 * 1024 * 1024]);

            assertThatThrownBy(() -> channel.waitForConfirmsOrDie(10_000)).isInstanceOf(ShutdownSignalException.class);
            var close = (AMQP.Channel.Close) channel.getCloseReason().getReason();
            assertThat(close.getReplyCode()).isEqualTo(406);
            assertThat(close.getReplyText())
                    .isEqualTo("PRECONDITION_FAILED - message size 2097152 is larger than configured max size 1048576");
            assertThat(connection.isOpen()).as("the connection: a channel error only").isTrue();
        }
    }

    @Test
    void messagesUpToTheLimitAreConfirmed() throws Exception {
        try (var connection = node.factory().newConnection()) {
            var channel = connection.createChannel();
            var queue = channel.queueDeclare().getQueue();
            channel.confirmSelect();

            channel.basicPublish("", queue, null, new byte[100 * 1024]);
            channel.basicPublish("", queue, null, new byte[LIMIT]);

            channel.waitForConfirmsOrDie(10_000);
            assertThat(channel.queueDeclarePassive(queue).getMessageCount()).isEqualTo(2);
        }
    }

    @Test
    void eachTestOfAnInstanceFieldGetsANodeOfItsOwnStoppedAndDeletedAfterItPassOrFail() throws Exception {
        SEEN.clear();

        var results = EngineTestKit.engine("junit-jupiter").selectors(selectClass(PassesAndFails.class)).execute();

        results.testEvents().assertStatistics(stats -> stats.succeeded(1).failed(1));
        assertThat(SEEN).hasSize(2);
        assertThat(SEEN.get(0).name()).startsWith("ferrytest-passesandfails-").endsWith("@localhost").isNotEqualTo(SEEN.get(1).name());
        assertThat(SEEN.get(0).port()).isNotEqualTo(SEEN.get(1).port());
        for (var seen : SEEN) {
            assertThatThrownBy(() -> new Socket("127.0.0.1", seen.port()).close()).as(seen.name()).isInstanceOf(ConnectException.class);
            assertThat(epmdNames()).doesNotContain(shortName(seen.name()));
            assertThat(directoryOf(seen.logFile())).doesNotExist();
        }
    }

    @Test
    void anInvalidConfigLineFailsTheStartWithRabbitMQsWordsAndLeavesNoNodeRunning() throws Exception {
        var results = EngineTestKit.engine("junit-jupiter").selectors(selectClass(InvalidConfig.class)).execute();

        results.testEvents().assertStatistics(stats -> stats.failed(1));
        var failure = results.testEvents().failed().stream()
                .map(event -> event.getPayload(TestExecutionResult.class).flatMap(TestExecutionResult::getThrowable).orElseThrow())
                .findFirst().orElseThrow();
        var message = failure.getMessage();
        assertThat(failure).isInstanceOf(IOException.class);
        // It fails before it opens its log: what it printed is the word.
        assertThat(message).contains("exited while starting", "it wrote no log", "rabbitmq-server.out",
                "\"banana\" cannot be converted to a(n) integer");
        var name = Pattern.compile("RabbitMQ node (\\S+)@localhost").matcher(message).results().findFirst().orElseThrow().group(1);
        assertThat(epmdNames()).doesNotContain(name);
        // Kept for reading after a failed start; this test has read it.
        var directory = Pattern.compile("(/\\S*/ferrytest-rabbit-[^/\\s]+)/").matcher(message).results().findFirst().orElseThrow().group(1);
        assertThat(Path.of(directory)).exists();
        asRoot("rm", "-rf", "--", directory);
    }

    static class PassesAndFails {
        @RegisterExtension
        final TestRabbitNode node = new TestRabbitNode();

        @Test
        void passes() throws Exception {
            record();
        }

        @Test
        void fails() throws Exception {
            record();
            throw new AssertionError("this sample test fails on purpose");
        }

        private void record() throws Exception {
            try (var connection = node.factory().newConnection()) {
                connection.createChannel().queueDeclare("outbox", true, false, false, null);
            }
            assertThat(node.address()).isEqualTo("amqp://guest:guest@127.0.0.1:" + node.port() + "/");
            assertThat(node.logFile()).exists();
            SEEN.add(new Seen(node.nodeName(), node.port(), node.logFile()));
        }
    }

    static class InvalidConfig {
        @RegisterExtension
        final TestRabbitNode node = TestRabbitNode.withConfig("max_message_size = banana");

        @Test
        void neverRuns() {
            throw new AssertionError("the node cannot have started");
        }
    }

    @FunctionalInterface
    interface ChannelAction {
        void run(Channel channel) throws IOException;
    }

    private static void assertNotFound(Connection connection, ChannelAction action) throws IOException {
        var channel = connection.createChannel();
        assertThatThrownBy(() -> action.run(channel)).isInstanceOf(IOException.class).hasStackTraceContaining("NOT_FOUND");
    }

    private static String shortName(String nodeName) {
        return nodeName.substring(0, nodeName.indexOf('@'));
    }

    /** The directory the node's files were in: the ancestor of its log that TestRabbitNode made. */
    private static Path directoryOf(Path logFile) {
        for (var path = logFile; path != null; path = path.getParent()) {
            if (path.getFileName() != null && path.getFileName().toString().startsWith("ferrytest-rabbit-")) {
                return path;
            }
        }
        throw new AssertionError("not in a TestRabbitNode directory: " + logFile);
    }

    /** The node names epmd knows on this machine. */
    private static List<String> epmdNames() throws Exception {
        var process = new ProcessBuilder("epmd", "-names").redirectErrorStream(true).start();
        var output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        process.waitFor();
        return output.lines().filter(line -> line.startsWith("name ")).map(line -> line.split(" ")[1]).toList();
    }

    private static void asRoot(String... command) throws Exception {
        var full = new ArrayList<String>();
        if (!"root".equals(System.getProperty("user.name"))) {
            full.addAll(List.of("sudo", "-n"));
        }
        full.addAll(Arrays.asList(command));
        assertThat(new ProcessBuilder(full).inheritIO().start().waitFor()).as(String.join(" ", full)).isZero();
    }
}
