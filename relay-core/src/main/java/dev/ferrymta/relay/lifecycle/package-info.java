/**
 * Start and stop: the links an instance depends on (broker, database), their states for the
 * health page, and connecting with growing backoff.
 */
package dev.ferrymta.relay.lifecycle;
