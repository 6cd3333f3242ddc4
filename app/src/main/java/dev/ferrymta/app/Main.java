package dev.ferrymta.app;

import dev.ferrymta.relay.FerryVersion;
import dev.ferrymta.relay.config.ConfigException;
import dev.ferrymta.relay.config.HostInfo;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * {@code ferry [--config FILE] [--key=value ...]}. Exit status: 0 after a clean stop, 2 for a
 * configuration error (one line on standard error naming the key), 1 for any other fatal error.
 */
public final class Main {

    static final int EXIT_OK = 0;
    static final int EXIT_FATAL = 1;
    static final int EXIT_CONFIG = 2;

    /** How long a stop may take before the process gives up waiting and exits anyway. */
    static final Duration STOP_DEADLINE = Duration.ofSeconds(30);

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.getenv(), HostInfo.local(), System.out, System.err));
    }

    static int run(String[] args, Map<String, String> environment, HostInfo host, PrintStream out, PrintStream err) {
        FerryConfig config;
        try {
            var commandLine = CommandLine.parse(Arrays.asList(args));
            switch (commandLine.action()) {
                case VERSION -> {
                    out.println("ferry " + FerryVersion.current());
                    return EXIT_OK;
                }
                case HELP -> {
                    out.print(CommandLine.USAGE);
                    return EXIT_OK;
                }
                case RUN, LIST_CLUSTER -> { }
            }
            config = FerryConfig.load(commandLine, environment, host);
            config.warnings().forEach(warning -> err.println("ferry: config: warning: " + warning));
            if (commandLine.action() == CommandLine.Action.LIST_CLUSTER) {
                return ClusterListing.print(config, out, err);
            }
        } catch (ConfigException e) {
            err.println("ferry: config: " + e.getMessage());
            return EXIT_CONFIG;
        }
        return runInstance(config);
    }

    private static int runInstance(FerryConfig config) {
        Logger log = LoggerFactory.getLogger(Main.class);
        var instance = new FerryInstance(config, Clock.systemUTC(), HostInfo.local().hostName());
        var stopping = new AtomicBoolean();
        onStopSignal(() -> {
            // A terminal sends SIGINT to the whole process group, a supervisor may repeat SIGTERM.
            if (stopping.compareAndSet(false, true)) {
                log.info("stop signal received");
                instance.stop();
                watchStopDeadline(log, instance);
            }
        });
        try {
            instance.run();
            markCleanStop(System.getProperty(CLEAN_STOP_PROPERTY), instance.messagesHandled(),
                    trainingMessages(System.getProperty(TRAINING_PROPERTY)));
            return EXIT_OK;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return EXIT_FATAL;
        } catch (Exception e) {
            log.error("fatal: {}", describe(e), e);
            return EXIT_FATAL;
        }
    }

    /** The first message of the exception or its causes (never "null"), with the broker's reason when it gave one. */
    static String describe(Throwable e) {
        for (var cause = e; cause != null; cause = cause.getCause()) {
            if (cause.getMessage() != null && !cause.getMessage().isBlank()) {
                var broker = dev.ferrymta.relay.broker.QueueArguments.brokerReason(cause);
                return cause instanceof com.rabbitmq.client.ShutdownSignalException ? broker : cause.getMessage();
            }
        }
        return e.getClass().getSimpleName();
    }

    /**
     * Names a file to create when the instance has stopped cleanly: the launcher (./ferry) sets it
     * on a run that makes the JVM's class cache, which the JVM writes when it exits, and keeps the
     * cache only when this file exists (docs/adr/0015-speed.md).
     */
    static final String CLEAN_STOP_PROPERTY = "ferry.jvm-cache.clean-stop";

    /**
     * The fewest outbox messages a run must have handled (attempted or forwarded) for its class
     * cache to be kept: a JDK 25+ AOT cache holds the method profiles of the run that made it, and
     * the JIT compiles from them at the next start, so a run that handled none would leave a cache
     * that teaches it nothing about delivering (docs/adr/0018-the-jvm-cache-is-trained-by-deliveries.md).
     * A whole number; absent, blank or not a number: 0, any clean stop.
     */
    static final String TRAINING_PROPERTY = "ferry.jvm-cache.training";

    /** {@link #TRAINING_PROPERTY}'s value as a count: 0 when absent, blank, negative or not a number. */
    static long trainingMessages(String value) {
        if (value == null || value.isBlank()) {
            return 0;
        }
        try {
            return Math.max(0, Long.parseLong(value.strip()));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /**
     * Creates {@code path} (when given) to say the run stopped cleanly, if it handled at least
     * {@code training} outbox messages; otherwise says in the log why its class cache is not kept.
     * A failure to write costs only the cache.
     *
     * @return whether the file was written
     */
    static boolean markCleanStop(String path, long handled, long training) {
        if (path == null || path.isBlank()) {
            return false;
        }
        var log = LoggerFactory.getLogger(Main.class);
        if (handled < training) {
            log.info("JVM cache: not kept from this run: it handled {} outbox messages (attempted or forwarded), and a cache is "
                    + "kept from a run that handled at least {}, whose method profiles it holds (FERRY_JVM_CACHE_TRAINING; "
                    + "docs/adr/0018); the next start makes one again", handled, training);
            return false;
        }
        try {
            java.nio.file.Files.writeString(java.nio.file.Path.of(path), "stopped cleanly; outbox messages handled: " + handled + "\n");
            return true;
        } catch (java.io.IOException | RuntimeException e) {
            log.debug("could not write {}: {}", path, e.toString());
            return false;
        }
    }

    /** Stops logback, which writes the lines its appenders still hold (BatchingConsoleAppender). */
    static void stopLogging() {
        if (LoggerFactory.getILoggerFactory() instanceof ch.qos.logback.classic.LoggerContext context) {
            context.stop();
        }
    }

    /** SIGTERM and SIGINT start a clean stop; main returns and exits 0 instead of the JVM's 143. */
    private static void onStopSignal(Runnable stop) {
        for (var name : new String[] {"TERM", "INT"}) {
            Signal.handle(new Signal(name), signal -> stop.run());
        }
    }

    /**
     * A stop that has not finished by the deadline (a broker that blocks or does not answer) ends
     * the process anyway, with exit status 0: what was in hand is unacked, so the broker hands it
     * out again, and the line says what that was.
     */
    private static void watchStopDeadline(Logger log, FerryInstance instance) {
        Thread.ofPlatform().daemon().name("stop-deadline").start(() -> {
            try {
                Thread.sleep(STOP_DEADLINE);
                String left;
                try {
                    left = instance.leftOver();
                } catch (RuntimeException e) {
                    left = "unknown (" + e.getMessage() + ")";
                }
                log.warn("the stop did not finish within {} s; exiting now, leaving {}", STOP_DEADLINE.toSeconds(), left);
                stopLogging(); // a halt runs no shutdown hook: the lines still waiting are written first
                Runtime.getRuntime().halt(EXIT_OK);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }
}
