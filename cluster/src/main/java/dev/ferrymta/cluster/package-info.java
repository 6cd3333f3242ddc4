/**
 * The cluster: instances that know each other over a shared AMQP exchange, forward messages to
 * the instance owning the IP they need, and reload shared settings together.
 */
package dev.ferrymta.cluster;
