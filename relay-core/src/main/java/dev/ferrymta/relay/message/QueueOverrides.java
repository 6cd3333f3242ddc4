package dev.ferrymta.relay.message;

import java.util.Optional;

/**
 * A message's {@code "queues"} object: per-message result queues. For each kind, absent means
 * "use the configured queue", {@code null} means "publish no such result", a name means "this
 * queue instead".
 */
public record QueueOverrides(Override results, Override success, Override failure, Override retry) {

    /** No overrides: the configured queues apply. */
    public static final QueueOverrides NONE = new QueueOverrides(Override.CONFIGURED, Override.CONFIGURED,
            Override.CONFIGURED, Override.CONFIGURED);

    /** One kind's override. */
    public record Override(boolean configured, Optional<String> queue) {

        /** The configured queue applies. */
        public static final Override CONFIGURED = new Override(true, Optional.empty());

        /** Publish no result of this kind. */
        public static final Override DISABLED = new Override(false, Optional.empty());

        /** Publish to this queue instead. */
        public static Override to(String queue) {
            return new Override(false, Optional.of(queue));
        }

        /** The queue to publish to, given the configured one (which may itself be off). */
        public Optional<String> resolve(Optional<String> configuredQueue) {
            return configured ? configuredQueue : queue;
        }
    }
}
