/** The connection to RabbitMQ: connecting with backoff, recovery after loss, flow control. */
package dev.ferrymta.relay.broker;
