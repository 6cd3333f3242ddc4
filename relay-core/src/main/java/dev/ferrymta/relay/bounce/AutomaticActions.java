package dev.ferrymta.relay.bounce;

/**
 * Where the automatic actions of response rules go to be shared: the application writes each in
 * the shared settings (a suspension as a pause, a back-off as a back-off) and broadcasts the
 * reset, so every instance obeys it. Called on a lane's thread; an implementation hands the work
 * off and never blocks long.
 */
public interface AutomaticActions {

    /** Nowhere: the instance that got the reply obeys it alone. */
    AutomaticActions LOCAL_ONLY = new AutomaticActions() {
        @Override
        public void suspend(Suspension suspension) {
        }

        @Override
        public void backOff(AutomaticBackOff backOff) {
        }
    };

    /** A rule suspended a scope: share the suspension. */
    void suspend(Suspension suspension);

    /** A rule slowed a scope: share the back-off. */
    void backOff(AutomaticBackOff backOff);
}
