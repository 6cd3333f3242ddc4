package dev.ferrymta.relay.broker;

import java.util.OptionalLong;
import java.util.regex.Pattern;

/**
 * Reads the broker's {@code max_message_size} out of the reason it gives for closing a channel
 * over a larger message: RabbitMQ answers such a publish with {@code 406 PRECONDITION_FAILED -
 * message size 2097152 is larger than configured max size 1048576}. AMQP has no way to ask for
 * the limit beforehand.
 */
final class MessageSizeLimit {

    private static final Pattern TEXT = Pattern.compile("message size \\d+ is larger than configured max size (\\d+)");

    private MessageSizeLimit() {
    }

    /** The limit in bytes, when {@code closeReason} is the broker's "too large" close. */
    static OptionalLong parse(String closeReason) {
        if (closeReason == null) {
            return OptionalLong.empty();
        }
        var match = TEXT.matcher(closeReason);
        if (!match.find()) {
            return OptionalLong.empty();
        }
        try {
            return OptionalLong.of(Long.parseLong(match.group(1)));
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }
}
