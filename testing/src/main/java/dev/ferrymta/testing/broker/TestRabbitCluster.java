package dev.ferrymta.testing.broker;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A JUnit extension giving tests the three clustered RabbitMQ nodes of {@code dev/rabbitmq-cluster}
 * ({@code ferry-a}, {@code ferry-b}, {@code ferry-c} {@code @localhost} on {@code 127.0.0.1:5681},
 * {@code 5682}, {@code 5683}), for tests of what Ferry does when a node of a cluster goes away:
 *
 * <pre>{@code
 * @RegisterExtension final TestRabbitCluster cluster = new TestRabbitCluster();
 *
 * var address = cluster.address();          // amqp://guest:guest@127.0.0.1:5681/, ...5682/, ...5683/
 * cluster.stopApp(cluster.node("127.0.0.1:5682"));   // rabbitmqctl -n ferry-b@localhost stop_app
 * }</pre>
 *
 * <p>Before the first test of a run it calls {@code dev/rabbitmq-cluster start}, which joins the
 * three nodes when they run (a few seconds) and otherwise starts the cluster afresh, its data
 * removed (about 20 s; a node restarted alone would wait minutes for its old peers), and fails the
 * test with the script's output when that fails. The nodes are left running
 * afterwards, for the next test run or developer; {@code dev/rabbitmq-cluster stop} removes them.
 * A test is skipped, saying why, only when the script cannot run at all here: no
 * {@code dev/rabbitmq-cluster} above the working directory, no RabbitMQ installed, or neither root
 * nor {@code sudo -n}. After each test, every node it stopped with {@link #stopApp} is started
 * again. The machine's own node (5672) is never touched.
 */
public final class TestRabbitCluster implements BeforeEachCallback, AfterEachCallback {

    private static final Logger log = LoggerFactory.getLogger(TestRabbitCluster.class);

    /** How long {@code dev/rabbitmq-cluster start} may take: three starts and two joins. */
    private static final Duration START = Duration.ofMinutes(4);
    /** How long one {@code rabbitmqctl} command may take ({@code start_app} waits for the node). */
    private static final Duration COMMAND = Duration.ofMinutes(2);
    private static final String SCRIPT = "dev/rabbitmq-cluster";

    /** One node of the cluster. */
    public record Node(String name, int port) {

        /** {@code 127.0.0.1:5681}, as {@code BrokerLink.node()} says it. */
        public String hostAndPort() {
            return "127.0.0.1:" + port;
        }

        /** {@code amqp://guest:guest@127.0.0.1:5681/}. */
        public String address() {
            return "amqp://guest:guest@" + hostAndPort() + "/";
        }
    }

    private static final List<Node> NODES = List.of(
            new Node("ferry-a@localhost", 5681), new Node("ferry-b@localhost", 5682), new Node("ferry-c@localhost", 5683));

    /** Whether this JVM has made sure the cluster runs: the script's start is done once per run. */
    private static volatile boolean started;

    private final Set<Node> stopped = new LinkedHashSet<>();

    @Override
    public void beforeEach(ExtensionContext context) throws IOException, InterruptedException {
        synchronized (TestRabbitCluster.class) {
            if (started) {
                return;
            }
            var script = script();
            Assumptions.assumeTrue(script.isPresent(), () -> "skipped: no executable " + SCRIPT + " in "
                    + Path.of("").toAbsolutePath() + " or above it, so the three-node RabbitMQ cluster cannot be started");
            Assumptions.assumeTrue(executable("rabbitmq-server").isPresent() && executable("rabbitmqctl").isPresent(),
                    "skipped: RabbitMQ is not installed here (rabbitmq-server, rabbitmqctl), so " + SCRIPT + " cannot start the cluster");
            Assumptions.assumeTrue(isRoot() || succeeds(List.of("sudo", "-n", "true")),
                    "skipped: " + SCRIPT + " runs as root, and this is neither root nor allowed sudo -n");
            var begun = System.nanoTime();
            var output = runAsRoot(List.of(script.get().toString(), "start"), START);
            started = true;
            log.info("{} start took {} ms: {}", SCRIPT, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begun),
                    output.lines().reduce((first, last) -> last).orElse(""));
        }
    }

    @Override
    public void afterEach(ExtensionContext context) throws IOException, InterruptedException {
        IOException failure = null;
        for (var node : List.copyOf(stopped)) {
            try {
                startApp(node);
            } catch (IOException e) {
                failure = e;
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    /** The three nodes, in order. */
    public List<Node> nodes() {
        return NODES;
    }

    /** Every node's address, separated by commas, as {@code rabbitmq-address} takes a cluster. */
    public String address() {
        return NODES.stream().map(Node::address).collect(Collectors.joining(","));
    }

    /** The node listening on {@code hostAndPort}, e.g. {@code 127.0.0.1:5682}. */
    public Node node(String hostAndPort) {
        return NODES.stream().filter(node -> node.hostAndPort().equals(hostAndPort)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException(hostAndPort + " is no node of the cluster: " + NODES));
    }

    /**
     * {@code rabbitmqctl -n <node> stop_app}: the node stays in the cluster but stops RabbitMQ, its
     * listener and every client connection to it, as a node going away does. Started again after the test.
     */
    public void stopApp(Node node) throws IOException, InterruptedException {
        stopped.add(node);
        rabbitmqctl(node, "stop_app");
    }

    /** {@code rabbitmqctl -n <node> start_app}: returns once the node runs again. */
    public void startApp(Node node) throws IOException, InterruptedException {
        rabbitmqctl(node, "start_app");
        stopped.remove(node);
    }

    /** Runs {@code rabbitmqctl -q -n <node> <arguments>} and returns what it printed. */
    public String rabbitmqctl(Node node, String... arguments) throws IOException, InterruptedException {
        var command = new ArrayList<>(List.of(executable("rabbitmqctl").orElse("rabbitmqctl"), "-q", "-n", node.name()));
        command.addAll(List.of(arguments));
        return runAsRoot(command, COMMAND);
    }

    /** {@code dev/rabbitmq-cluster}, looked for from the working directory (a module's, under Maven) upwards. */
    private static Optional<Path> script() {
        for (var directory = Path.of("").toAbsolutePath(); directory != null; directory = directory.getParent()) {
            var candidate = directory.resolve(SCRIPT);
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    private static Optional<String> executable(String name) {
        for (var directory : List.of("/usr/sbin", "/usr/local/sbin", "/sbin", "/usr/bin")) {
            var candidate = Path.of(directory, name);
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate.toString());
            }
        }
        return Optional.empty();
    }

    private static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    private static boolean succeeds(List<String> command) throws InterruptedException {
        try {
            run(command, Duration.ofSeconds(10));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static String runAsRoot(List<String> command, Duration timeout) throws IOException, InterruptedException {
        var full = new ArrayList<String>();
        if (!isRoot()) {
            full.addAll(List.of("sudo", "-n"));
        }
        full.addAll(command);
        return run(full, timeout);
    }

    /**
     * Runs a command, its output into a file rather than a pipe: a node started detached may keep
     * the pipe open long after the command ended.
     */
    private static String run(List<String> command, Duration timeout) throws IOException, InterruptedException {
        return Commands.run(command, timeout, Path.of(System.getProperty("java.io.tmpdir")), "ferrytest-rabbit-cluster-");
    }
}
