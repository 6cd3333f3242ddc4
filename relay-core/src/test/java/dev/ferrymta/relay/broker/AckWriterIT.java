package dev.ferrymta.relay.broker;

import static dev.ferrymta.relay.broker.HeldBatch.Settle.ack;
import static dev.ferrymta.relay.broker.HeldBatch.Settle.requeue;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.MessageProperties;
import dev.ferrymta.testing.broker.TestBroker;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link AckWriter} against RabbitMQ: a batch written as multiple acks, single acks and requeues
 * settles exactly the deliveries asked for. What was neither acked nor requeued is still there
 * when the channel closes, and the broker never saw an unknown delivery tag (which would close the
 * channel with PRECONDITION_FAILED).
 */
class AckWriterIT {

    @RegisterExtension
    final TestBroker broker = new TestBroker();

    @Test
    void aCombinedBatchSettlesExactlyTheDeliveriesAskedFor() throws Exception {
        var queue = broker.queue("acks");
        var admin = broker.connection().createChannel();
        admin.queueDeclare(queue, true, false, false, null);
        for (int i = 1; i <= 20; i++) {
            admin.basicPublish("", queue, MessageProperties.PERSISTENT_BASIC, ("m" + i).getBytes(StandardCharsets.US_ASCII));
        }
        var channel = broker.connection().createChannel();
        channel.basicQos(20);
        var recording = new HeldBatch.RecordingFrames(AckWriter.Frames.of(channel));
        var settles = new LongAdder();
        var frames = new LongAdder();
        var writer = new AckWriter(recording, settles, frames);
        Map<Long, String> bodies = new ConcurrentHashMap<>();
        channel.basicConsume(queue, false, new DefaultConsumer(channel) {
            @Override
            public void handleDelivery(String consumerTag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
                writer.delivered(envelope.getDeliveryTag());
                bodies.put(envelope.getDeliveryTag(), new String(body, StandardCharsets.US_ASCII));
            }
        });
        await().until(() -> bodies.size() == 20);

        var queued = new ArrayList<HeldBatch.Settle>();
        LongStream.rangeClosed(2, 8).forEach(tag -> queued.add(ack(tag)));
        queued.add(requeue(9));
        queued.addAll(List.of(ack(10), ack(11), ack(12), ack(15)));
        var callers = HeldBatch.run(writer, recording, ack(1), queued);

        assertThat(callers).allSatisfy(caller -> assertThat(caller.failure()).as(caller.settle().toString()).isNull());
        assertThat(recording.written).containsExactly("ack 1", "requeue 9", "ack 8 multiple", "ack 10", "ack 11", "ack 12",
                "ack 15");
        assertThat(settles.sum()).isEqualTo(13);
        assertThat(frames.sum()).isEqualTo(7);
        // A round trip on the same channel: an unknown delivery tag would have closed it by now.
        channel.queueDeclarePassive(queue);
        assertThat(channel.isOpen()).isTrue();
        channel.close();

        var left = new ArrayList<String>();
        for (var got = admin.basicGet(queue, true); got != null; got = admin.basicGet(queue, true)) {
            left.add(new String(got.getBody(), StandardCharsets.US_ASCII));
        }
        var expected = IntStream.of(9, 13, 14, 16, 17, 18, 19, 20).mapToObj(tag -> bodies.get((long) tag)).toList();
        assertThat(left).containsExactlyInAnyOrderElementsOf(expected);
    }
}
