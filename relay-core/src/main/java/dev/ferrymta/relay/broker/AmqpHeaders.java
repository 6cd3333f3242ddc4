package dev.ferrymta.relay.broker;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.LongString;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The AMQP header and property helpers every publisher and consumer of Ferry shares: reading a
 * header as text, dropping the broker's dead-letter bookkeeping before a message is published
 * again, and the properties of a persistent JSON message.
 */
public final class AmqpHeaders {

    private AmqpHeaders() {
    }

    /** A message's headers; empty, never null, when it has none. */
    public static Map<String, Object> of(AMQP.BasicProperties properties) {
        return properties == null || properties.getHeaders() == null ? Map.of() : properties.getHeaders();
    }

    /**
     * A header as text: AMQP strings arrive as {@link LongString}, some clients send bytes, numbers
     * come as numbers.
     *
     * @return empty when the header is missing, null, or neither text nor a number
     */
    public static Optional<String> text(Map<String, ?> headers, String name) {
        if (headers == null) {
            return Optional.empty();
        }
        return switch (headers.get(name)) {
            case null -> Optional.empty();
            case String s -> Optional.of(s);
            case LongString s -> Optional.of(s.toString());
            case byte[] b -> Optional.of(new String(b, java.nio.charset.StandardCharsets.UTF_8));
            case Number n -> Optional.of(n.toString());
            default -> Optional.empty();
        };
    }

    /**
     * A copy of {@code headers} without the broker's {@code x-death}, {@code x-first-death-*} and
     * {@code x-last-death-*}: a message published anew starts its dead-letter history afresh, and
     * the history of a message that goes round the delay queues would otherwise grow each trip.
     * Without a quorum queue's {@code x-delivery-count} too: it counts the returns of the delivery
     * it came with, not of the copy (a classic queue would hand the stale count on unchanged).
     */
    public static Map<String, Object> withoutDeathHistory(Map<String, Object> headers) {
        var copy = new HashMap<>(headers);
        copy.keySet().removeIf(name -> name.startsWith("x-death") || name.startsWith("x-first-death")
                || name.startsWith("x-last-death") || name.equals("x-delivery-count"));
        return copy;
    }

    /**
     * The AMQP priority a message keeps when Ferry publishes it again: the one it was published
     * with, else its MailerQ {@code "priority"} (a whole number from 1 to 255), else none.
     *
     * @param original the properties it arrived with, or null
     * @param property its JSON {@code "priority"}, or null
     */
    public static Integer priority(AMQP.BasicProperties original, com.fasterxml.jackson.databind.JsonNode property) {
        if (original != null && original.getPriority() != null) {
            return original.getPriority();
        }
        if (property != null && property.isIntegralNumber() && property.canConvertToInt()
                && property.intValue() >= 1 && property.intValue() <= 255) {
            return property.intValue();
        }
        return null;
    }

    /**
     * Properties of a persistent ({@code delivery-mode 2}) JSON message.
     *
     * @param headers  the headers, or null for none
     * @param priority the AMQP priority to keep, or null
     */
    public static AMQP.BasicProperties persistentJson(Map<String, Object> headers, Integer priority) {
        return new AMQP.BasicProperties.Builder().contentType("application/json").deliveryMode(2).headers(headers)
                .priority(priority).build();
    }
}
