package dev.ferrymta.relay.bounce;

/**
 * Where the automatic actions of response rules go to be shared: the application writes each as a
 * pause in the shared settings and broadcasts the reset, so every instance obeys it. Called on a
 * lane's thread; an implementation hands the work off and never blocks long.
 */
@FunctionalInterface
public interface AutomaticActions {

    /** Nowhere: the instance that got the reply obeys it alone. */
    AutomaticActions LOCAL_ONLY = suspension -> { };

    /** A rule fired: share the suspension. */
    void suspend(Suspension suspension);
}
