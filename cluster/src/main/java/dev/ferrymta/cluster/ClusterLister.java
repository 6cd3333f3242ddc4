package dev.ferrymta.cluster;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import dev.ferrymta.relay.broker.AmqpHeaders;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;

/**
 * Asks the cluster who is there ({@code ./ferry --list-cluster}): listens on the cluster exchange
 * with a queue of its own, sends {@code hello} (every live instance announces at once) and
 * collects the announces for a while. Announces that are malformed or, with a secret, not validly
 * signed are left out; an instance that says {@code leave} meanwhile is left out too.
 */
public final class ClusterLister {

    private ClusterLister() {
    }

    /**
     * The live instances, by server id.
     *
     * @param listen how long to collect announces: a little more than {@code cluster-interval}
     *               catches even an instance that missed the hello
     */
    public static List<Peer> list(Connection connection, ClusterConfig config, Clock clock, Duration listen)
            throws IOException, InterruptedException {
        var signer = MessageSigner.from(config, clock);
        var seen = new ConcurrentHashMap<ServerId, Peer>();
        try (var channel = connection.createChannel()) {
            var queue = ClusterNode.declareControlQueue(channel, config.exchange());
            channel.basicConsume(queue, true, new DefaultConsumer(channel) {
                @Override
                public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
                    if (!(ClusterCodec.decode(body) instanceof ClusterCodec.Decoded.Ok ok)) {
                        return;
                    }
                    if (!signer.verify(body, AmqpHeaders.of(properties), ok.message()).accepted()) {
                        return;
                    }
                    switch (ok.message()) {
                        case ClusterMessage.Announce announce -> seen.put(announce.server(), Peer.from(announce, clock.instant()));
                        case ClusterMessage.Leave leave -> seen.remove(leave.server());
                        default -> {
                        }
                    }
                }
            });
            var hello = ClusterCodec.encode(new ClusterMessage.Hello());
            var sender = "list-" + UUID.randomUUID().toString().substring(0, 8);
            channel.basicPublish(config.exchange(), ClusterNode.BROADCAST,
                    new AMQP.BasicProperties.Builder().contentType("application/json").headers(signer.sign(hello, "hello", sender)).build(),
                    hello);
            Thread.sleep(listen);
        } catch (TimeoutException e) {
            throw new IOException("closing the listing channel timed out", e);
        }
        return seen.values().stream().sorted(Comparator.comparing(Peer::server)).toList();
    }
}
