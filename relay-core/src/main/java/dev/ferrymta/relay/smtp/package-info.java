/**
 * The SMTP client side: {@link dev.ferrymta.relay.smtp.SmtpClient} opens a
 * {@link dev.ferrymta.relay.smtp.SmtpSession} to one address of an MX (source address, greeting,
 * EHLO, STARTTLS), which sends messages and reports each as a
 * {@link dev.ferrymta.relay.attempt.DeliveryOutcome}; replies and their classification live here too.
 */
package dev.ferrymta.relay.smtp;
