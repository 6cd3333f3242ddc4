package dev.ferrymta.testing.broker;

import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import dev.ferrymta.testing.TestNames;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A JUnit extension giving each test a RabbitMQ virtual host of its own on the local broker,
 * deleted with everything in it after the test. For tests that must do to "all connections"
 * what an operator would do to a broker ({@code rabbitmqctl close_all_connections}) without
 * touching anyone else's: {@link #closeAllConnections(String)} closes every connection of this
 * virtual host and of no other.
 *
 * <p>Needs {@code rabbitmqctl} on the machine running the broker (this one), run as root, or
 * through {@code sudo -n} for another user, as {@code dev/services} does.
 */
public final class TestVirtualHost implements BeforeEachCallback, AfterEachCallback {

    private static final long COMMAND_SECONDS = 60;

    private final List<Connection> connections = new ArrayList<>();
    private String name;

    @Override
    public void beforeEach(ExtensionContext context) throws Exception {
        name = "%s.%s.%s".formatted(TestNames.PREFIX, TestNames.classPart(context, 30), TestNames.randomId());
        rabbitmqctl("add_vhost", name);
        rabbitmqctl("set_permissions", "--vhost", name, user(), ".*", ".*", ".*");
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        for (var connection : connections) {
            if (connection.isOpen()) {
                connection.abort(2_000);
            }
        }
        connections.clear();
        rabbitmqctl("delete_vhost", name);
    }

    /** The virtual host's name. */
    public String name() {
        return name;
    }

    /** {@code amqp://guest:guest@127.0.0.1:5672/<vhost>}: the address to give Ferry. */
    public String address() {
        var base = URI.create(TestBroker.ADDRESS);
        var authority = base.getRawAuthority();
        return "amqp://" + authority + "/" + java.net.URLEncoder.encode(name, StandardCharsets.UTF_8);
    }

    /** A connection to the virtual host for the test's own use; closed after the test. */
    public Connection connection(String connectionName) throws IOException, TimeoutException {
        var factory = factory();
        var connection = factory.newConnection(connectionName);
        connections.add(connection);
        return connection;
    }

    /** A factory for the virtual host, automatic recovery on, for tests that reconnect themselves. */
    public ConnectionFactory factory() {
        var factory = TestBroker.factory();
        factory.setVirtualHost(name);
        return factory;
    }

    /**
     * {@code rabbitmqctl close_all_connections --vhost <this>}: the broker closes every connection
     * to this virtual host at once, as an operator's command or a broker restart would.
     */
    public void closeAllConnections(String reason) throws IOException, InterruptedException {
        rabbitmqctl("close_all_connections", "--vhost", name, reason);
    }

    /**
     * {@code rabbitmqctl set_policy --vhost <this> NAME PATTERN DEFINITION --apply-to queues}: an
     * operator's policy (a length limit, an overflow rule) on the queues whose names match
     * {@code pattern}, existing ones included, without declaring them with other arguments.
     *
     * @param definition the policy as JSON, e.g. {@code {"max-length":0,"overflow":"reject-publish"}}
     */
    public void setPolicy(String policy, String pattern, String definition) throws IOException, InterruptedException {
        rabbitmqctl("set_policy", "--vhost", name, "--apply-to", "queues", "--priority", "10", policy, pattern, definition);
    }

    /** Removes a policy {@link #setPolicy} set. */
    public void clearPolicy(String policy) throws IOException, InterruptedException {
        rabbitmqctl("clear_policy", "--vhost", name, policy);
    }

    /**
     * {@code rabbitmqctl list_consumers --vhost <this> queue_name prefetch_count}: the prefetch
     * count of each consumer of {@code queue}, as the broker applies it (per consumer), in the
     * order the broker lists them.
     */
    public List<Integer> consumerPrefetches(String queue) throws IOException, InterruptedException {
        var prefetches = new ArrayList<Integer>();
        for (var line : rabbitmqctl("list_consumers", "--vhost", name, "--no-table-headers", "queue_name", "prefetch_count").split("\n")) {
            var fields = line.strip().split("\t");
            if (fields.length == 2 && fields[0].equals(queue)) {
                prefetches.add(Integer.parseInt(fields[1].strip()));
            }
        }
        return prefetches;
    }

    private static String user() {
        var info = URI.create(TestBroker.ADDRESS).getUserInfo();
        return info == null ? "guest" : info.split(":", 2)[0];
    }

    /** Runs {@code rabbitmqctl --quiet ARGUMENTS} and returns what it printed. */
    private static String rabbitmqctl(String... arguments) throws IOException, InterruptedException {
        var command = new ArrayList<String>();
        if (!"root".equals(System.getProperty("user.name"))) {
            // rabbitmqctl needs the broker's Erlang cookie, which only root and rabbitmq read;
            // dev/services asks for sudo for the same reason.
            command.addAll(List.of("sudo", "-n"));
        }
        command.add(executable());
        command.add("--quiet");
        command.addAll(List.of(arguments));
        var process = new ProcessBuilder(command).redirectErrorStream(true).start();
        var output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(COMMAND_SECONDS, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IOException(String.join(" ", command) + " did not finish within " + COMMAND_SECONDS + " s");
        }
        if (process.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed (exit " + process.exitValue() + "): " + output.strip());
        }
        return output;
    }

    private static String executable() {
        for (var directory : List.of("/usr/sbin", "/usr/local/sbin", "/sbin", "/usr/bin")) {
            var candidate = Path.of(directory, "rabbitmqctl");
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        return "rabbitmqctl";
    }
}
