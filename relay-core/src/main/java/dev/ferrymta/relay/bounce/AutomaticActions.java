package dev.ferrymta.relay.bounce;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Where the automatic actions of response rules go to be shared: the application writes each in
 * the shared settings (a suspension as a pause, a back-off as a back-off) and broadcasts the
 * reset, so every instance obeys it. Called on a lane's thread; an implementation hands the work
 * off and never blocks long.
 *
 * <p>Each call completes with {@code true} once the settings in force on this instance hold the
 * action (written now, or already there lasting as long): from then on the shared settings decide,
 * so an operator who lifts it early lifts it here too. {@code false}: only this instance knows it,
 * and it holds here until its end.
 */
public interface AutomaticActions {

    /** Nowhere: the instance that got the reply obeys it alone. */
    AutomaticActions LOCAL_ONLY = new AutomaticActions() {
        @Override
        public CompletionStage<Boolean> suspend(Suspension suspension) {
            return CompletableFuture.completedFuture(false);
        }

        @Override
        public CompletionStage<Boolean> backOff(AutomaticBackOff backOff) {
            return CompletableFuture.completedFuture(false);
        }
    };

    /** A rule suspended a scope: share the suspension. */
    CompletionStage<Boolean> suspend(Suspension suspension);

    /** A rule slowed a scope: share the back-off. */
    CompletionStage<Boolean> backOff(AutomaticBackOff backOff);
}
