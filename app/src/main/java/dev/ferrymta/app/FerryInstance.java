package dev.ferrymta.app;

import dev.ferrymta.console.ConsoleServer;
import dev.ferrymta.console.InstanceInfo;
import dev.ferrymta.db.DatabasePool;
import dev.ferrymta.relay.FerryVersion;
import dev.ferrymta.relay.broker.BrokerLink;
import java.net.InetAddress;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running instance: starts the console, connects to the broker and the database (each
 * retrying on its own until it answers), says it is ready, and runs until {@link #stop()}.
 */
final class FerryInstance {

    private static final Logger log = LoggerFactory.getLogger(FerryInstance.class);

    private final FerryConfig config;
    private final Clock clock;
    private final BrokerLink broker;
    private final DatabasePool database;
    private final CountDownLatch stopRequested = new CountDownLatch(1);

    FerryInstance(FerryConfig config, Clock clock) {
        this.config = config;
        this.clock = clock;
        this.broker = new BrokerLink(config.relay().rabbitmqAddress(), "ferry " + config.relay().serverId());
        this.database = new DatabasePool(config.database().address());
    }

    /** Starts, runs until {@link #stop()}, then shuts down. Throws when the start fails. */
    void run() throws Exception {
        var info = new InstanceInfo(config.relay().serverId(), FerryVersion.current(), clock.instant(),
                config.relay().smtpIps(), List.of(broker, database));
        try (var console = new ConsoleServer(config.console(), info, clock)) {
            console.start();
            if (connect()) {
                log.info("ready: server {} owns {}; RabbitMQ {}; PostgreSQL {}; console {}",
                        config.relay().serverId(), describe(config.relay().smtpIps()), broker.address(),
                        database.address(), config.console().url());
                stopRequested.await();
            }
            log.info("stopping");
        } finally {
            broker.close();
            database.close();
            log.info("stopped");
        }
    }

    /** Asks the instance to stop; returns at once. */
    void stop() {
        stopRequested.countDown();
        // Ends a connect loop still waiting for a service that never came.
        broker.close();
        database.close();
    }

    /** Connects to broker and database side by side, so that both problems show at once. */
    private boolean connect() throws InterruptedException, ExecutionException {
        try (var executor = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<Boolean> brokerUp = executor.submit(broker::connect);
            Future<Boolean> databaseUp = executor.submit(database::connect);
            return brokerUp.get() && databaseUp.get() && stopRequested.getCount() > 0;
        }
    }

    private static String describe(List<InetAddress> ips) {
        return ips.isEmpty() ? "no source IPs" : String.join(", ", ips.stream().map(InetAddress::getHostAddress).toList());
    }
}
