/**
 * Delivery attempts as data: what one attempt came to ({@link dev.ferrymta.relay.attempt.DeliveryOutcome}),
 * the step it ended at and how, in MailerQ's result vocabulary. The SMTP client produces them and the
 * delivery engine and the outbox consume them; this package depends on neither.
 */
package dev.ferrymta.relay.attempt;
