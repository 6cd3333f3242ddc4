package dev.ferrymta.app;

import dev.ferrymta.db.write.AutomaticPauses;
import dev.ferrymta.relay.bounce.AutomaticActions;
import dev.ferrymta.relay.bounce.Suspension;
import dev.ferrymta.relay.settings.CurrentSettings;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Shares the suspensions response rules make with the whole cluster: each becomes (or extends) an
 * automatic pause of the shared settings, then the new version is broadcast as a cluster reset and
 * loaded here, so every instance obeys it within about a second. Written on a thread of its own, in
 * order; a write the database refuses is logged, and this instance's own suspension still holds.
 */
final class SharedSuspensions implements AutomaticActions, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SharedSuspensions.class);

    private final AutomaticPauses pauses;
    private final CurrentSettings settings;
    private final LongConsumer broadcast;
    private final String instance;
    private final ExecutorService writer = Executors.newSingleThreadExecutor(Thread.ofPlatform().daemon().name("response-actions").factory());

    SharedSuspensions(AutomaticPauses pauses, CurrentSettings settings, LongConsumer broadcast, String instance) {
        this.pauses = pauses;
        this.settings = settings;
        this.broadcast = broadcast;
        this.instance = instance;
    }

    @Override
    public void suspend(Suspension suspension) {
        writer.execute(() -> {
            try {
                pauses.pause(suspension.ip(), suspension.domain().map(Object::toString), suspension.until(), suspension.reason(instance))
                        .ifPresent(written -> {
                            broadcast.accept(written.version());
                            settings.reloadIfNewer(written.version());
                        });
            } catch (RuntimeException e) {
                log.warn("could not share the suspension by response rule '{}' with the cluster ({}); it holds on this instance only: {}",
                        suspension.rule(), suspension.ip().getHostAddress(), e.getMessage());
            }
        });
    }

    @Override
    public void close() {
        writer.shutdown();
        try {
            writer.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
