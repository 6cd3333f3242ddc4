/** The SMTP client side: replies, their classification, and (as delivery lands) sessions. */
package dev.ferrymta.relay.smtp;
