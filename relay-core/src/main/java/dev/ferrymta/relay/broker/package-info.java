/**
 * RabbitMQ: the connection (connecting with backoff, recovery after loss, flow control) and the
 * confirming publisher that tells a caller when the broker has taken responsibility for a message.
 */
package dev.ferrymta.relay.broker;
