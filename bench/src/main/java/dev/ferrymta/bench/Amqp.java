package dev.ferrymta.bench;

import com.rabbitmq.client.ConnectionFactory;
import java.net.URI;

/** Connection factories for the bench mains. */
final class Amqp {

    private Amqp() {
    }

    /**
     * A factory for {@code amqp://user:password@host:port/vhost}, read as Ferry reads its
     * rabbitmq-address: a trailing '/' alone means the default vhost '/'. (The Java client on its
     * own takes it for the empty vhost, which RabbitMQ does not have.)
     */
    static ConnectionFactory factory(String uri) throws Exception {
        var factory = new ConnectionFactory();
        factory.setUri(uri);
        String path = URI.create(uri).getRawPath();
        if (path == null || path.isEmpty() || path.equals("/")) {
            factory.setVirtualHost("/");
        }
        factory.setConnectionTimeout(10_000);
        return factory;
    }

    /**
     * The arguments the bench tools declare their queues with: {@code x-queue-type} from the
     * environment variable {@code BENCH_QUEUE_TYPE} ({@code classic}, the default, or
     * {@code quorum}), as {@code bench/forward --queue-type} sets it.
     *
     * @throws IllegalArgumentException for another value
     */
    static java.util.Map<String, Object> queueArguments() {
        var type = System.getenv().getOrDefault("BENCH_QUEUE_TYPE", "classic");
        if (!type.equals("classic") && !type.equals("quorum")) {
            throw new IllegalArgumentException("BENCH_QUEUE_TYPE must be classic or quorum, not '" + type + "'");
        }
        return java.util.Map.of("x-queue-type", type);
    }
}
