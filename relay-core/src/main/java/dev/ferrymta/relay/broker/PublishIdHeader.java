package dev.ferrymta.relay.broker;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.LongString;
import java.util.HashMap;
import java.util.OptionalLong;

/**
 * The header that ties a basic.return to its publish: the return carries the message's
 * properties but no sequence number. Routed messages keep it; receivers ignore it.
 */
final class PublishIdHeader {

    static final String NAME = "x-ferry-publish-id";

    private PublishIdHeader() {
    }

    /** The caller's properties and headers, untouched, plus the publish id. */
    static AMQP.BasicProperties stamp(AMQP.BasicProperties properties, long publishId) {
        var base = properties == null ? new AMQP.BasicProperties() : properties;
        var headers = base.getHeaders() == null ? new HashMap<String, Object>() : new HashMap<>(base.getHeaders());
        headers.put(NAME, publishId);
        return base.builder().headers(headers).build();
    }

    static OptionalLong read(AMQP.BasicProperties properties) {
        if (properties == null || properties.getHeaders() == null) {
            return OptionalLong.empty();
        }
        var value = properties.getHeaders().get(NAME);
        if (value instanceof Number number) {
            return OptionalLong.of(number.longValue());
        }
        if (value instanceof LongString || value instanceof String) {
            try {
                return OptionalLong.of(Long.parseLong(value.toString().trim()));
            } catch (NumberFormatException e) {
                return OptionalLong.empty();
            }
        }
        return OptionalLong.empty();
    }
}
