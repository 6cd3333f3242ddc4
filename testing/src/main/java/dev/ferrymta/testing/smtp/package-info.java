/**
 * An in-process SMTP server for integration tests: {@link dev.ferrymta.testing.smtp.SmtpSink}
 * accepts and records mail on real sockets, and its {@link dev.ferrymta.testing.smtp.SmtpScript}
 * makes it refuse, stall or hang up on cue.
 */
package dev.ferrymta.testing.smtp;
