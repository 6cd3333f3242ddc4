/**
 * Broker isolation for tests: each test gets queue and exchange names of its own on the real
 * RabbitMQ, and they are deleted after it.
 */
package dev.ferrymta.testing.broker;
