package dev.ferrymta.relay.smtp;

import dev.ferrymta.relay.attempt.DeliveryOutcome;
import java.util.Objects;

/**
 * Opening a session failed; {@link #outcome()} says at which step. It is a
 * {@link DeliveryOutcome.TemporaryFailure} (another MX, or a later attempt, may do better), except
 * for a smarthost login that was refused or could not be made safely, which is a
 * {@link DeliveryOutcome.PermanentFailure}: the same login fails the same way next time.
 */
public final class SmtpFailure extends Exception {

    private final DeliveryOutcome outcome;

    public SmtpFailure(DeliveryOutcome.TemporaryFailure outcome) {
        super(describe(Objects.requireNonNull(outcome, "outcome")));
        this.outcome = outcome;
    }

    /** A login failure that no retry will cure. */
    public SmtpFailure(DeliveryOutcome.PermanentFailure outcome) {
        super(describe(Objects.requireNonNull(outcome, "outcome")));
        this.outcome = outcome;
    }

    /** The failed attempt, to record and to retry later. */
    public DeliveryOutcome outcome() {
        return outcome;
    }

    private static String describe(DeliveryOutcome outcome) {
        var attempt = outcome.attempt();
        return attempt.state().json() + " " + attempt.result().json() + ": " + attempt.description();
    }
}
