package dev.ferrymta.relay.attempt;

/** What an attempt came to, and so what happens to the message next. */
public sealed interface DeliveryOutcome permits DeliveryOutcome.Delivered, DeliveryOutcome.TemporaryFailure,
        DeliveryOutcome.PermanentFailure {

    /** The attempt, for the results. */
    Attempt attempt();

    /** The receiving server took responsibility for the message: a success result. */
    record Delivered(Attempt attempt) implements DeliveryOutcome {
    }

    /** Not now: try the next MX, then again later, until the message's limits end it. */
    record TemporaryFailure(Attempt attempt) implements DeliveryOutcome {
    }

    /** Never: a failure result, no retry. */
    record PermanentFailure(Attempt attempt) implements DeliveryOutcome {
    }
}
