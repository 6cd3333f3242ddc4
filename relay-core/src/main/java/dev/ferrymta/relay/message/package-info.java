/**
 * Messages in MailerQ's JSON format: parsing and validating an outbox message, keeping every key
 * (known or not) so that results carry the message as it came.
 */
package dev.ferrymta.relay.message;
