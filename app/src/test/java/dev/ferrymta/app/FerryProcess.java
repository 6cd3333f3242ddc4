package dev.ferrymta.app;

import dev.ferrymta.relay.outbox.DelayTiers;
import dev.ferrymta.testing.broker.TestBroker;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A Ferry instance in a process of its own, started from the runnable jar the build just made,
 * with its output collected for assertions. Killed at close if still running.
 */
final class FerryProcess implements AutoCloseable {

    static final Path ROOT = Path.of("").toAbsolutePath().getParent();
    static final Path JAR = ROOT.resolve("app/target/ferry.jar");

    private final Process process;
    private final List<String> output = new CopyOnWriteArrayList<>();
    private final Thread reader;

    private FerryProcess(Process process) {
        this.process = process;
        // A platform thread: a blocking read of a pipe holds its carrier, and three instances'
        // readers on a two-core machine left no carrier for the sink's virtual threads.
        this.reader = Thread.ofPlatform().daemon().name("ferry-output").start(() -> {
            try (var reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = reader.readLine()) != null) {
                    output.add(line);
                }
            } catch (IOException e) {
                output.add("(output closed: " + e + ")");
            }
        });
    }

    /** Starts {@code java -Xmx256m -jar ferry.jar ARGS} with the JDK running the tests. */
    static FerryProcess start(String... args) throws IOException {
        return startWith(List.of("-Xmx256m"), args);
    }

    /** Starts {@code java JVM-OPTIONS -jar ferry.jar ARGS} with the JDK running the tests. */
    static FerryProcess startWith(List<String> jvmOptions, String... args) throws IOException {
        if (!Files.exists(JAR)) {
            throw new IllegalStateException(JAR + " is missing: integration tests run after mvn package");
        }
        var java = ProcessHandle.current().info().command().orElse("java");
        var command = new ArrayList<>(List.of(java));
        command.addAll(jvmOptions);
        if (Runtime.version().feature() >= 24) {
            command.add("--sun-misc-unsafe-memory-access=allow");
        }
        command.addAll(List.of("-jar", JAR.toString()));
        command.addAll(List.of(args));
        var builder = new ProcessBuilder(command).directory(ROOT.toFile()).redirectErrorStream(true);
        builder.environment().keySet().removeIf(name -> name.startsWith("FERRY_"));
        return new FerryProcess(builder.start());
    }

    /**
     * Arguments giving an instance queues of the test's own (outbox, results, failure) and a
     * cluster exchange of the test's own, with what the instance derives from them (delay queues,
     * the parking queue, its forward queue) registered for deletion after the test.
     */
    static List<String> queueArgs(TestBroker broker, String serverId) {
        var outbox = broker.queue(serverId + ".outbox");
        var tiers = new DelayTiers(outbox);
        tiers.tiers().forEach(tier -> broker.track(tiers.queue(tier)));
        broker.track(dev.ferrymta.relay.outbox.ResultPublisher.parkingQueue(outbox));
        var exchange = clusterExchange(broker);
        broker.track(exchange + "." + serverId + ".forward");
        return List.of("--server-id=" + serverId, "--rabbitmq-outbox=" + outbox,
                "--rabbitmq-results=" + broker.queue(serverId + ".results"),
                "--rabbitmq-failure=" + broker.queue(serverId + ".failure"), "--cluster-exchange=" + exchange);
    }

    /** The test's cluster exchange: the same name for every instance of the test. */
    static String clusterExchange(TestBroker broker) {
        return broker.exchange("cluster");
    }

    /** A TCP port free right now on 127.0.0.1. */
    static int freePort() throws IOException {
        try (var socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    List<String> output() {
        return List.copyOf(output);
    }

    String outputText() {
        return String.join("\n", output);
    }

    /**
     * Waits, at most 10 s, until the output holds every one of {@code texts}, and returns it. An
     * instance writes its INFO lines in batches up to 50 ms late (WARN and ERROR at once), so a
     * line about something a test just saw happen may not be there yet.
     *
     * @throws AssertionError naming the texts missing, with the output, when the time runs out
     */
    String awaitOutput(String... texts) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            var text = outputText();
            var missing = java.util.Arrays.stream(texts).filter(wanted -> !text.contains(wanted)).toList();
            if (missing.isEmpty()) {
                return text;
            }
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("ferry's output did not come to hold " + missing + " within 10 s; output:\n" + text);
            }
            Thread.sleep(20);
        }
    }

    boolean isAlive() {
        return process.isAlive();
    }

    long pid() {
        return process.pid();
    }

    /** Sends SIGTERM. Through the handle: {@code Process.destroy} would also close the output pipe. */
    void terminate() {
        process.toHandle().destroy();
    }

    /** Sends SIGKILL: no shutdown hook, no clean stop, as when the machine loses power. */
    void kill() {
        process.toHandle().destroyForcibly();
    }

    /** Waits for the exit and returns the status; fails when it takes longer than {@code limit}. */
    int awaitExit(Duration limit) throws InterruptedException {
        if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("ferry did not exit within " + limit + "; output:\n" + outputText());
        }
        // The last lines may still be on their way through the pipe.
        reader.join(Duration.ofSeconds(5));
        return process.exitValue();
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
        }
    }
}
