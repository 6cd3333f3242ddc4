/**
 * The delivery benchmark's helpers, started by {@code bench/run}: {@link dev.ferrymta.bench.BenchSink}
 * (an SMTP sink that times arrivals), {@link dev.ferrymta.bench.FillOutbox} (fills a RabbitMQ outbox
 * with MailerQ messages), {@link dev.ferrymta.bench.InjectSmtp} (submits the same messages over SMTP)
 * and {@link dev.ferrymta.bench.BenchQueues} (counts and deletes the benchmark's queues). Every
 * contender gets byte-identical messages from {@link dev.ferrymta.bench.BenchMessage}.
 */
package dev.ferrymta.bench;
