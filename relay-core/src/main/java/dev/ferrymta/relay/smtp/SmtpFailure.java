package dev.ferrymta.relay.smtp;

import dev.ferrymta.relay.attempt.DeliveryOutcome;
import java.util.Objects;

/**
 * Opening a session failed; {@link #outcome()} is always a {@link DeliveryOutcome.TemporaryFailure}
 * with the step it failed at: another MX, or a later attempt, may do better.
 */
public final class SmtpFailure extends Exception {

    private final DeliveryOutcome.TemporaryFailure outcome;

    public SmtpFailure(DeliveryOutcome.TemporaryFailure outcome) {
        super(describe(Objects.requireNonNull(outcome, "outcome")));
        this.outcome = outcome;
    }

    /** The failed attempt, to record and to retry later. */
    public DeliveryOutcome outcome() {
        return outcome;
    }

    private static String describe(DeliveryOutcome.TemporaryFailure outcome) {
        var attempt = outcome.attempt();
        return attempt.state().json() + " " + attempt.result().json() + ": " + attempt.description();
    }
}
