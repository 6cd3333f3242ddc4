package dev.ferrymta.testing.broker;

import com.rabbitmq.client.ConnectionFactory;
import dev.ferrymta.testing.TestNames;
import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A JUnit extension starting a RabbitMQ node of the test's own beside the machine's broker, for
 * tests that must do to "their broker" what an operator would: give it a limit in its
 * configuration, reset it to empty, run {@code rabbitmqctl} commands on it. The machine's node
 * ({@link TestBroker#ADDRESS}) is never stopped, reset or reconfigured.
 *
 * <pre>{@code
 * @RegisterExtension final TestRabbitNode node = TestRabbitNode.withConfig("max_message_size = 1048576");
 *
 * try (var connection = node.factory().newConnection()) { ... }
 * var config = "--rabbitmq-address=" + node.address();   // amqp://guest:guest@127.0.0.1:41234/
 * node.reset();                                          // empty again, same port
 * }</pre>
 *
 * <p>As an instance field, each test gets a fresh node, stopped and deleted after it, pass or
 * fail. As a static field, the tests of the class share one node, started before the first and
 * stopped after the last, which saves the seconds a start takes; a test that needs it empty calls
 * {@link #reset()} first.
 *
 * <p>The node is {@code ferrytest-<class>-<random>@localhost}, running as the {@code rabbitmq}
 * user, with AMQP on {@code 127.0.0.1} only, on a port free when it starts; its configuration,
 * data and log are in a directory of its own under {@code java.io.tmpdir}
 * ({@code ferrytest-rabbit-*}), deleted once it has stopped. The machine's
 * {@code /etc/rabbitmq/rabbitmq.conf}, {@code conf.d/} and {@code advanced.config} do not apply
 * to it, nor do its plugins; {@code rabbitmq-env.conf} does, since it says how Erlang runs on
 * this machine (on which interface, for one).
 *
 * <p>Needs {@code rabbitmq-server} and {@code rabbitmqctl} on this machine, run as root, or
 * through {@code sudo -n} for another user, as {@link TestVirtualHost} does; the
 * {@code rabbitmq} user must be able to enter {@code java.io.tmpdir}.
 */
public final class TestRabbitNode implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback {

    private static final Logger log = LoggerFactory.getLogger(TestRabbitNode.class);

    /** How long a node may take to accept AMQP connections, after a start or a reset. */
    private static final Duration STARTUP = Duration.ofSeconds(60);
    /** How long one {@code rabbitmqctl} command may take. */
    private static final Duration COMMAND = Duration.ofSeconds(60);
    /** How long a node may take to stop gently before it is killed. */
    private static final Duration STOP = Duration.ofSeconds(30);
    /** Attempts at a start that failed because another process took a port we had found free. */
    private static final int START_ATTEMPTS = 3;
    private static final String DIRECTORY_PREFIX = TestNames.PREFIX + "-rabbit-";
    private static final String RABBITMQ_USER = "rabbitmq";

    private final List<String> configLines;
    private Node node;
    /** The unique id of the context that started the node: its end, and no other, stops it. */
    private String owner;

    /** A node with RabbitMQ's defaults, but for its listener. */
    public TestRabbitNode() {
        this(List.of());
    }

    private TestRabbitNode(List<String> configLines) {
        this.configLines = List.copyOf(configLines);
    }

    /**
     * A node whose {@code rabbitmq.conf} has these lines too, e.g. {@code "max_message_size =
     * 1048576"} (bytes). An invalid line fails the start with RabbitMQ's own message.
     */
    public static TestRabbitNode withConfig(String... confLines) {
        return new TestRabbitNode(List.of(confLines));
    }

    @Override
    public void beforeAll(ExtensionContext context) throws IOException, InterruptedException {
        startFor(context);
    }

    @Override
    public void beforeEach(ExtensionContext context) throws IOException, InterruptedException {
        startFor(context);
    }

    @Override
    public void afterEach(ExtensionContext context) throws IOException, InterruptedException {
        stopFor(context);
    }

    @Override
    public void afterAll(ExtensionContext context) throws IOException, InterruptedException {
        stopFor(context);
    }

    /** The node's AMQP port on {@code 127.0.0.1}. */
    public int port() {
        return requireNode().port;
    }

    /**
     * {@code amqp://guest:guest@127.0.0.1:<port>/}: the address to give Ferry. RabbitMQ lets guest
     * in from loopback only, which this is.
     */
    public String address() {
        return "amqp://guest:guest@127.0.0.1:%d/".formatted(port());
    }

    /** The node's Erlang name, {@code ferrytest-<class>-<random>@localhost}. */
    public String nodeName() {
        return requireNode().name;
    }

    /** The node's log file; deleted with the node after the test. */
    public Path logFile() {
        return requireNode().logFile;
    }

    /**
     * A connection factory for the node, automatic recovery off as {@link TestBroker#factory()}
     * has it; the test closes its connections itself, or leaves them to the node's stop.
     */
    public ConnectionFactory factory() {
        return requireNode().factory();
    }

    /**
     * {@code rabbitmqctl stop_app}, {@code reset}, {@code start_app}, as an operator empties a
     * node: every connection to it is closed, and it comes back on the same port with nothing but
     * what a fresh node has (the default virtual host, exchanges and guest user; no queues, no
     * other exchanges, users, policies or parameters). Returns once it accepts AMQP connections
     * again; an {@link IOException} names its log if it does not within 60 s.
     */
    public void reset() throws IOException, InterruptedException {
        var node = requireNode();
        var started = System.nanoTime();
        node.rabbitmqctl(COMMAND, "stop_app");
        node.rabbitmqctl(COMMAND, "reset");
        node.rabbitmqctl(COMMAND, "start_app");
        node.awaitAmqp();
        log.info("RabbitMQ node {} reset in {} ms", node.name, millisSince(started));
    }

    /**
     * Runs {@code rabbitmqctl -n <this node> --quiet <arguments>}, e.g. {@code
     * rabbitmqctl("set_vm_memory_high_watermark", "0.0001")}, and returns what it printed.
     * Arguments naming another node are refused: this is never a way to reach the machine's.
     *
     * @throws IOException if it fails (the message has its output) or takes over 60 s
     */
    public String rabbitmqctl(String... arguments) throws IOException, InterruptedException {
        for (var argument : arguments) {
            if (argument.equals("-n") || argument.startsWith("--node")) {
                throw new IllegalArgumentException("rabbitmqctl runs on this test's node only: " + argument);
            }
        }
        return requireNode().rabbitmqctl(COMMAND, arguments);
    }

    private void startFor(ExtensionContext context) throws IOException, InterruptedException {
        if (node != null) {
            // A static field's node serves every test of the class, and of its @Nested classes.
            return;
        }
        var name = "%s-%s-%s@localhost".formatted(TestNames.PREFIX, TestNames.classPart(context, 30), TestNames.randomId());
        for (var attempt = 1; ; attempt++) {
            var started = System.nanoTime();
            try {
                node = Node.start(name, configLines);
                owner = context.getUniqueId();
                log.info("RabbitMQ node {} up on 127.0.0.1:{} in {} ms", name, node.port, millisSince(started));
                return;
            } catch (PortTaken e) {
                if (attempt == START_ATTEMPTS) {
                    throw e;
                }
                log.info("{}; starting it again on other ports", e.getMessage());
            }
        }
    }

    private void stopFor(ExtensionContext context) throws IOException, InterruptedException {
        if (node == null || !context.getUniqueId().equals(owner)) {
            return;
        }
        var started = System.nanoTime();
        try {
            node.stop();
            log.info("RabbitMQ node {} stopped and deleted in {} ms", node.name, millisSince(started));
        } finally {
            node = null;
            owner = null;
        }
    }

    private Node requireNode() {
        if (node == null) {
            throw new IllegalStateException("TestRabbitNode is used outside a test: register it with @RegisterExtension");
        }
        return node;
    }

    /** A start that failed because the node could not listen on a port found free a moment before. */
    private static final class PortTaken extends IOException {
        PortTaken(String message) {
            super(message);
        }
    }

    /** One running node: its process, its ports and its directory. */
    private static final class Node {

        final String name;
        final List<String> configLines;
        final int port;
        /** Where the node's directory is: ours, so that the node's output can be written in it. */
        final Path base;
        /** The node's own directory, owned by the rabbitmq user. */
        final Path home;
        final Path logFile;
        final Path pidFile;
        /** What {@code rabbitmq-server} printed: where a configuration error shows, before any log exists. */
        final Path output;
        /** rabbitmq-server, through env, su and sh: the Erlang VM's ancestor, but not its keeper. */
        Process process;
        /**
         * The Erlang VM, the node itself. Watched rather than {@link #process}: su stays in the
         * JVM's process group, so a ^C meant for Maven ends su and leaves the VM running (in a
         * session of its own); a handle also cannot outlive its process into a reused pid.
         */
        ProcessHandle vm;
        /** Kills and deletes the node if the JVM ends (a ^C, a test run cut short) while it runs. */
        final Thread killer = new Thread(() -> {
            killQuietly();
            deleteQuietly();
        }, "TestRabbitNode killer");

        private Node(String name, List<String> configLines, int port, Path base) {
            this.name = name;
            this.configLines = configLines;
            this.port = port;
            this.base = base;
            this.home = base.resolve("node");
            this.logFile = home.resolve("log").resolve(name + ".log");
            this.pidFile = home.resolve("rabbitmq.pid");
            this.output = base.resolve("rabbitmq-server.out");
        }

        static Node start(String name, List<String> configLines) throws IOException, InterruptedException {
            var ports = freePorts(2);
            // Absolute: rabbitmq-server runs from the rabbitmq user's home.
            var base = Files.createTempDirectory(DIRECTORY_PREFIX).toAbsolutePath();
            var node = new Node(name, configLines, ports[0], base);
            Runtime.getRuntime().addShutdownHook(node.killer);
            try {
                node.prepare(ports[1]);
                node.launch(ports[1]);
                node.findVm();
                node.awaitAmqp();
                return node;
            } catch (IOException | InterruptedException | RuntimeException e) {
                node.killQuietly();
                node.forgetKiller();
                if (e instanceof PortTaken) {
                    node.deleteQuietly();
                } else {
                    log.warn("RabbitMQ node {} did not start; its directory {} is kept for reading", name, base);
                }
                throw e;
            }
        }

        private void prepare(int distPort) throws IOException, InterruptedException {
            // The node runs as rabbitmq: it must pass through our directory into its own.
            Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwx--x--x"));
            Files.createDirectories(home.resolve("mnesia"));
            Files.createDirectories(home.resolve("log"));
            var conf = new ArrayList<String>();
            conf.add("# TestRabbitNode " + name + ", Erlang distribution on port " + distPort);
            conf.add("listeners.tcp.local = 127.0.0.1:" + port);
            conf.addAll(configLines);
            Files.write(home.resolve("rabbitmq.conf"), conf, StandardCharsets.UTF_8);
            // No plugins: the machine's may listen on fixed ports (management on 15672).
            Files.writeString(home.resolve("enabled_plugins"), "[].\n", StandardCharsets.US_ASCII);
            runAsRoot(base, "chown", "-R", RABBITMQ_USER + ":", home.toString());
        }

        private void launch(int distPort) throws IOException {
            var environment = new LinkedHashMap<String, String>();
            environment.put("RABBITMQ_NODENAME", name);
            // With its suffix: 3.10 takes the path either way, later versions want it.
            environment.put("RABBITMQ_CONFIG_FILE", home.resolve("rabbitmq.conf").toString());
            // Neither exists: the machine's conf.d/ and advanced.config are not for this node.
            environment.put("RABBITMQ_CONFIG_FILES", home.resolve("conf.d").toString());
            environment.put("RABBITMQ_ADVANCED_CONFIG_FILE", home.resolve("advanced.config").toString());
            environment.put("RABBITMQ_ENABLED_PLUGINS_FILE", home.resolve("enabled_plugins").toString());
            environment.put("RABBITMQ_MNESIA_BASE", home.resolve("mnesia").toString());
            environment.put("RABBITMQ_LOG_BASE", home.resolve("log").toString());
            environment.put("RABBITMQ_PID_FILE", pidFile.toString());
            environment.put("RABBITMQ_DIST_PORT", Integer.toString(distPort));
            // Else a node that fails to boot leaves its crash dump in the machine node's home.
            environment.put("ERL_CRASH_DUMP", home.resolve("erl_crash.dump").toString());

            // In the foreground rather than -detached: a detached node that fails before its log
            // is open (an invalid config line) leaves no word of why.
            var command = new ArrayList<>(rootPrefix());
            // Through env: sudo would drop the variables of our own environment.
            command.add("env");
            environment.forEach((key, value) -> command.add(key + "=" + value));
            command.add(executable("rabbitmq-server"));
            var builder = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(output.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            // A RABBITMQ_* of the developer's shell (RABBITMQ_NODE_PORT...) must not reach this node.
            builder.environment().keySet().removeIf(key -> key.startsWith("RABBITMQ_"));
            process = builder.start();
        }

        /** Finds the Erlang VM among rabbitmq-server's descendants, where it is from its first moments. */
        private void findVm() throws IOException, InterruptedException {
            var deadline = System.nanoTime() + STARTUP.toNanos();
            while (vm == null) {
                vm = process.descendants()
                        .filter(child -> child.info().command().map(command -> command.matches(".*/beam(\\.smp)?")).orElse(false))
                        .findFirst()
                        .orElse(null);
                if (vm == null) {
                    if (!process.isAlive()) {
                        throw failure("exited while starting");
                    }
                    if (System.nanoTime() - deadline > 0) {
                        throw failure("started no Erlang VM within %d s".formatted(STARTUP.toSeconds()));
                    }
                    Thread.sleep(20);
                }
            }
        }

        /**
         * Returns once a guest connection to the node succeeds; fails early if the node has exited.
         * The port was free only when we looked: a connection counts only if it reached this node,
         * not whatever took the port meanwhile (another test's node, guest included).
         */
        void awaitAmqp() throws IOException, InterruptedException {
            var factory = factory();
            factory.setConnectionTimeout(2_000);
            factory.setHandshakeTimeout(2_000);
            var deadline = System.nanoTime() + STARTUP.toNanos();
            var answered = "nothing yet";
            while (true) {
                if (!vm.isAlive()) {
                    throw failure("exited while starting");
                }
                try (var connection = factory.newConnection("ferry test: is the node up")) {
                    var clusterName = String.valueOf(connection.getServerProperties().get("cluster_name"));
                    if (isThisNode(clusterName)) {
                        return;
                    }
                    answered = "a broker named " + clusterName;
                } catch (IOException | TimeoutException e) {
                    answered = e.toString();
                }
                if (System.nanoTime() - deadline > 0) {
                    throw failure("did not accept AMQP connections on 127.0.0.1:%d within %d s (last: %s)"
                            .formatted(port, STARTUP.toSeconds(), answered));
                }
                Thread.sleep(100);
            }
        }

        /**
         * Whether a broker's {@code cluster_name} is this node's: the config's, if it sets one,
         * else the node's name with Erlang's idea of the full host name, of which we compare only
         * the part that is ours.
         */
        private boolean isThisNode(String clusterName) {
            var configured = configLines.stream()
                    .map(line -> line.split("=", 2))
                    .filter(parts -> parts.length == 2 && parts[0].strip().equals("cluster_name"))
                    .map(parts -> parts[1].strip())
                    .reduce((first, last) -> last);
            return configured.map(clusterName::equals).orElseGet(() -> clusterName.startsWith(name.substring(0, name.indexOf('@') + 1)));
        }

        ConnectionFactory factory() {
            var factory = new ConnectionFactory();
            factory.setHost("127.0.0.1");
            factory.setPort(port);
            factory.setUsername("guest");
            factory.setPassword("guest");
            factory.setVirtualHost("/");
            factory.setAutomaticRecoveryEnabled(false);
            return factory;
        }

        String rabbitmqctl(Duration timeout, String... arguments) throws IOException, InterruptedException {
            var command = new ArrayList<>(rootPrefix());
            // -n always: without it rabbitmqctl goes to the machine's node.
            command.addAll(List.of(executable("rabbitmqctl"), "-n", name, "--quiet"));
            command.addAll(List.of(arguments));
            return run(command, timeout, base);
        }

        /**
         * {@code rabbitmqctl stop}, which waits for the node's Erlang VM to end; kills the VM if
         * that fails or it lives on for 30 s; then deletes the node's directory.
         */
        void stop() throws IOException, InterruptedException {
            try {
                // Not if the test stopped it itself (rabbitmqctl("stop")), or it died.
                if (vm.isAlive()) {
                    try {
                        rabbitmqctl(STOP, "stop", pidFile.toString());
                    } catch (IOException e) {
                        log.warn("RabbitMQ node {} did not stop gently, killing it: {}", name, e.getMessage());
                    }
                }
                if (!exited(vm)) {
                    log.warn("RabbitMQ node {} still runs {} s after stop, killing it", name, STOP.toSeconds());
                    kill();
                }
                // The scripts that started it end with it.
                process.waitFor(STOP.toSeconds(), TimeUnit.SECONDS);
            } finally {
                forgetKiller();
                delete();
            }
        }

        private void forgetKiller() {
            try {
                Runtime.getRuntime().removeShutdownHook(killer);
            } catch (IllegalStateException e) {
                // The JVM is shutting down already; the hook finds the node gone.
            }
        }

        /**
         * SIGKILL to the node's Erlang VM, and to rabbitmq-server if the VM was not found; the rest
         * ends with them. Only ever a process of this node: never the machine's node.
         */
        private void kill() throws IOException, InterruptedException {
            var target = vm != null ? vm : process != null ? process.toHandle() : null;
            if (target == null || !target.isAlive()) {
                return;
            }
            if (rootPrefix().isEmpty()) {
                // The handle knows the process's start time: it cannot hit a reused pid.
                target.destroyForcibly();
            } else {
                runAsRoot(base, "kill", "-KILL", Long.toString(target.pid()));
            }
            if (!exited(target)) {
                throw new IOException("RabbitMQ node %s (pid %d) still runs after SIGKILL".formatted(name, target.pid()));
            }
        }

        private static boolean exited(ProcessHandle handle) throws InterruptedException {
            try {
                handle.onExit().get(STOP.toSeconds(), TimeUnit.SECONDS);
                return true;
            } catch (ExecutionException | TimeoutException e) {
                return false;
            }
        }

        private void killQuietly() {
            try {
                kill();
            } catch (IOException | InterruptedException | RuntimeException e) {
                log.warn("could not kill RabbitMQ node {}: {}", name, e.toString());
            }
        }

        private void delete() throws IOException, InterruptedException {
            // rm -rf as root: make sure it is the directory we made.
            if (!base.getFileName().toString().startsWith(DIRECTORY_PREFIX)
                    || !base.getParent().equals(Path.of(System.getProperty("java.io.tmpdir")).toAbsolutePath().normalize())) {
                throw new IllegalStateException("not a TestRabbitNode directory: " + base);
            }
            runAsRoot(base.getParent(), "rm", "-rf", "--", base.toString());
        }

        private void deleteQuietly() {
            try {
                delete();
            } catch (IOException | InterruptedException | RuntimeException e) {
                log.warn("could not delete {}: {}", base, e.toString());
            }
        }

        private IOException failure(String what) {
            // A node that fails on its configuration does so before it opens its log.
            var where = Files.exists(logFile) ? "see its log " + logFile + " and" : "it wrote no log; see";
            var message = "RabbitMQ node %s %s; %s the output of rabbitmq-server %s, kept for reading:%n%s"
                    .formatted(name, what, where, output, excerpt());
            // The listener port's, or the Erlang distribution's.
            return message.contains("eaddrinuse") || logMentions("eaddrinuse") ? new PortTaken(message) : new IOException(message);
        }

        /** From the first error rabbitmq-server printed, the lines that say what went wrong. */
        private String excerpt() {
            List<String> lines;
            try {
                lines = Files.readAllLines(output, StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "(no output: " + e + ")";
            }
            var first = 0;
            while (first < lines.size() && !lines.get(first).contains("[error]") && !lines.get(first).contains("BOOT FAILED")) {
                first++;
            }
            if (first == lines.size()) {
                first = Math.max(0, lines.size() - 25);
            }
            return String.join("\n", lines.subList(first, Math.min(lines.size(), first + 25)));
        }

        private boolean logMentions(String text) {
            try {
                return Files.readString(logFile, StandardCharsets.UTF_8).contains(text);
            } catch (IOException e) {
                return false;
            }
        }
    }

    private static long millisSince(long nanoTime) {
        return (System.nanoTime() - nanoTime) / 1_000_000;
    }

    /** {@code count} distinct ports free on loopback at this moment. */
    private static int[] freePorts(int count) throws IOException {
        var sockets = new ArrayList<ServerSocket>();
        try {
            // All open at once, so that the kernel cannot hand out the same port twice.
            for (var i = 0; i < count; i++) {
                sockets.add(new ServerSocket(0, 1, InetAddress.getLoopbackAddress()));
            }
            return sockets.stream().mapToInt(ServerSocket::getLocalPort).toArray();
        } finally {
            for (var socket : sockets) {
                socket.close();
            }
        }
    }

    /** Runs a command as root, its output in a file in {@code scratch}. */
    private static void runAsRoot(Path scratch, String... command) throws IOException, InterruptedException {
        var full = new ArrayList<>(rootPrefix());
        full.addAll(List.of(command));
        run(full, COMMAND, scratch);
    }

    /**
     * Runs a command, its output into a file rather than a pipe: the Erlang VM behind
     * {@code rabbitmqctl} may outlive a command we gave up on, and would hold a pipe open.
     */
    private static String run(List<String> command, Duration timeout, Path scratch) throws IOException, InterruptedException {
        return Commands.run(command, timeout, scratch, DIRECTORY_PREFIX + "command-");
    }

    private static List<String> rootPrefix() {
        // rabbitmq-server and rabbitmqctl switch to the rabbitmq user, which only root may do;
        // dev/services asks for sudo for the same reason.
        return "root".equals(System.getProperty("user.name")) ? List.of() : List.of("sudo", "-n");
    }

    private static String executable(String name) {
        for (var directory : List.of("/usr/sbin", "/usr/local/sbin", "/sbin", "/usr/bin")) {
            var candidate = Path.of(directory, name);
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        return name;
    }
}
