/**
 * The outbox side of the relay: consuming the outbox queue, the delay queues that bring a message
 * back for its next attempt, and the results published in MailerQ's format. Every outbox message
 * is acked only after what replaces it (a result, a retry, a forward) is confirmed by the broker.
 */
package dev.ferrymta.relay.outbox;
