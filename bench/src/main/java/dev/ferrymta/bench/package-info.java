/**
 * The benchmarks' helpers. For {@code bench/run} (delivery): {@link dev.ferrymta.bench.BenchSink}
 * (an SMTP sink that times arrivals), {@link dev.ferrymta.bench.FillOutbox} (fills a RabbitMQ outbox
 * with MailerQ messages), {@link dev.ferrymta.bench.InjectSmtp} (submits the same messages over SMTP)
 * and {@link dev.ferrymta.bench.BenchQueues} (counts, declares and deletes the benchmark's queues).
 * Every contender gets byte-identical messages from {@link dev.ferrymta.bench.BenchMessage}. For
 * {@code bench/forward} (cluster): {@link dev.ferrymta.bench.QueueWatch} (times a queue filling up),
 * {@link dev.ferrymta.bench.ForwardShovel} (the least a forwarding relay does, as a yardstick) and
 * {@link dev.ferrymta.bench.ResetLatency} (times a console's settings change reaching every instance).
 */
package dev.ferrymta.bench;
