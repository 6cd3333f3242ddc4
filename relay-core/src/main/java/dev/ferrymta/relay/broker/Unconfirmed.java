package dev.ferrymta.relay.broker;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * One published message waiting for the broker's verdict. It settles exactly once, whichever of
 * confirm, nack, return, timeout, channel loss or close comes first; later verdicts are ignored.
 */
final class Unconfirmed {

    private static final Runnable NOTHING = () -> {
    };

    private final long id;
    private final long startedNanos;
    private final Consumer<Unconfirmed> onSettled;
    private final Executor callbacks;
    private final AtomicBoolean settled = new AtomicBoolean();
    private final CompletableFuture<Void> outcome = new CompletableFuture<>();
    private volatile Runnable unlink = NOTHING;

    /**
     * @param onSettled runs once, on the settling thread, before the caller's future completes
     * @param callbacks completes the caller's future: never the broker's reader thread, where a
     *                  caller's callback that blocks (or publishes again) would stop all confirms
     */
    Unconfirmed(long id, long startedNanos, Consumer<Unconfirmed> onSettled, Executor callbacks) {
        this.id = id;
        this.startedNanos = startedNanos;
        this.onSettled = onSettled;
        this.callbacks = callbacks;
    }

    long id() {
        return id;
    }

    long startedNanos() {
        return startedNanos;
    }

    boolean isSettled() {
        return settled.get();
    }

    /** What the caller sees. Completing or cancelling it does not touch the bookkeeping. */
    CompletableFuture<Void> outcome() {
        return outcome;
    }

    /** Something to undo when the message settles, such as its entry in a channel's ledger. */
    void onSettled(Runnable action) {
        unlink = action;
        if (settled.get()) {
            // Settled meanwhile: the settling thread may have read the old value. Undoing twice is harmless.
            action.run();
        }
    }

    /** @return false when the message had already settled */
    boolean confirm() {
        return settle(null);
    }

    /** @return false when the message had already settled */
    boolean fail(PublishFailedException failure) {
        return settle(failure);
    }

    private boolean settle(PublishFailedException failure) {
        if (!settled.compareAndSet(false, true)) {
            return false;
        }
        unlink.run();
        onSettled.accept(this);
        Runnable complete = () -> {
            if (failure == null) {
                outcome.complete(null);
            } else {
                outcome.completeExceptionally(failure);
            }
        };
        try {
            callbacks.execute(complete);
        } catch (RuntimeException rejected) {
            complete.run(); // better on this thread than never
        }
        return true;
    }
}
