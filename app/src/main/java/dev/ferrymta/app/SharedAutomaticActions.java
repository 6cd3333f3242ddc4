package dev.ferrymta.app;

import dev.ferrymta.db.write.AutomaticActionWriter;
import dev.ferrymta.db.write.WriteResult;
import dev.ferrymta.relay.bounce.AutomaticActions;
import dev.ferrymta.relay.bounce.AutomaticBackOff;
import dev.ferrymta.relay.bounce.Suspension;
import dev.ferrymta.relay.settings.CurrentSettings;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Shares the suspensions and back-offs response rules make with the whole cluster: each becomes (or
 * extends) an automatic pause or back-off of the shared settings, then the new version is broadcast
 * as a cluster reset and loaded here, so every instance obeys it within about a second. Written on a
 * thread of its own, in order; a write the database refuses is logged, and this instance's own
 * action still holds.
 */
final class SharedAutomaticActions implements AutomaticActions, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SharedAutomaticActions.class);

    private final AutomaticActionWriter writes;
    private final CurrentSettings settings;
    private final LongConsumer broadcast;
    private final String instance;
    private final ExecutorService writer = Executors.newSingleThreadExecutor(Thread.ofPlatform().daemon().name("response-actions").factory());

    SharedAutomaticActions(AutomaticActionWriter writes, CurrentSettings settings, LongConsumer broadcast, String instance) {
        this.writes = writes;
        this.settings = settings;
        this.broadcast = broadcast;
        this.instance = instance;
    }

    @Override
    public CompletionStage<Boolean> suspend(Suspension suspension) {
        return share("suspension", suspension.rule(), suspension.ip().getHostAddress(),
                () -> writes.pause(suspension.ip(), suspension.domain().map(Object::toString), suspension.provider(), suspension.until(),
                        suspension.reason(instance)));
    }

    @Override
    public CompletionStage<Boolean> backOff(AutomaticBackOff backOff) {
        return share("back-off", backOff.rule(), backOff.ip().getHostAddress(), () -> writes.backOff(backOff.ip(),
                backOff.domain().map(Object::toString), backOff.provider(), backOff.until(), backOff.messagesPerMinute(), backOff.maxConnections(),
                backOff.reason(instance)));
    }

    /**
     * Writes on the writer thread, broadcasts the new version and loads it here.
     *
     * @return true once the settings in force here hold the action; false when it could not be written
     */
    private CompletionStage<Boolean> share(String what, String rule, String ip, Supplier<Optional<WriteResult>> write) {
        var held = new CompletableFuture<Boolean>();
        try {
            writer.execute(() -> {
                try {
                    var written = write.get();
                    if (written.isPresent()) {
                        broadcast.accept(written.get().version());
                        settings.reloadIfNewer(written.get().version());
                        held.complete(settings.version() >= written.get().version());
                    } else {
                        // An automatic one of the scope already lasts as long: make sure it is in force here.
                        settings.check();
                        held.complete(true);
                    }
                } catch (RuntimeException e) {
                    log.warn("could not share the {} by response rule '{}' with the cluster ({}); it holds on this instance only: {}",
                            what, rule, ip, e.getMessage());
                    held.complete(false);
                }
            });
        } catch (RejectedExecutionException stopping) {
            held.complete(false);
        }
        return held;
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
