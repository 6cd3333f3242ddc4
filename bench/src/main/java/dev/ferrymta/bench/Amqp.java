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
}
