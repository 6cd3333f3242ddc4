package dev.ferrymta.relay.bounce;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Automatic actions kept in lists instead of shared, for tests; each is answered with
 * {@code held} (whether the shared settings now hold it).
 */
public final class RecordedActions implements AutomaticActions {

    public final List<Suspension> suspensions = new CopyOnWriteArrayList<>();
    public final List<AutomaticBackOff> backOffs = new CopyOnWriteArrayList<>();
    private volatile boolean held;

    /** From now on, answer that the shared settings hold each action (or not). */
    public RecordedActions held(boolean value) {
        held = value;
        return this;
    }

    @Override
    public CompletionStage<Boolean> suspend(Suspension suspension) {
        suspensions.add(suspension);
        return CompletableFuture.completedFuture(held);
    }

    @Override
    public CompletionStage<Boolean> backOff(AutomaticBackOff backOff) {
        backOffs.add(backOff);
        return CompletableFuture.completedFuture(held);
    }
}
