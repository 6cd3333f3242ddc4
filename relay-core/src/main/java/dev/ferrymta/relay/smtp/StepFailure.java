package dev.ferrymta.relay.smtp;

import dev.ferrymta.relay.attempt.DeliveryOutcome;

/**
 * A step of the dialogue ended the attempt; carries the outcome up to whoever reports it. Used
 * only inside this package, so the steps read as a straight line; it never escapes the public
 * API, which returns the outcome or wraps it in an {@link SmtpFailure}.
 */
final class StepFailure extends Exception {

    private final transient DeliveryOutcome outcome;

    StepFailure(DeliveryOutcome outcome) {
        // No stack trace: this is expected control flow, thrown once per failed delivery.
        super(outcome.attempt().description(), null, false, false);
        this.outcome = outcome;
    }

    DeliveryOutcome outcome() {
        return outcome;
    }
}
