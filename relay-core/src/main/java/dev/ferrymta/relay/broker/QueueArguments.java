package dev.ferrymta.relay.broker;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.ShutdownSignalException;
import java.io.IOException;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Turns RabbitMQ's refusal to declare a queue that exists with other arguments
 * ({@code PRECONDITION_FAILED - inequivalent arg 'x-message-ttl' for queue 'q' in vhost '/':
 * received ... but current is ...}), which the client buries in a nested cause, into one error
 * that names the queue, the argument and both values.
 */
public final class QueueArguments {

    private static final Pattern INEQUIVALENT = Pattern.compile(
            "inequivalent arg '([^']+)' for queue '([^']*)' in vhost '[^']*': received (.+) but current is (.+)$");
    private static final Pattern QUOTED = Pattern.compile("'([^']*)'");

    private QueueArguments() {
    }

    /** What the broker said when it closed the channel, or the message of the deepest cause. */
    public static String brokerReason(Throwable e) {
        for (var cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof ShutdownSignalException signal && signal.getReason() instanceof AMQP.Channel.Close close) {
                return close.getReplyText();
            }
        }
        return String.valueOf(e.getMessage());
    }

    /**
     * The clear error for a declare of {@code queue} the broker refused because the queue exists
     * with other arguments; empty for any other failure.
     *
     * @param hint what else the operator can do, starting with ", or ..." (may be empty)
     */
    public static Optional<IOException> mismatch(String queue, Throwable refusal, String hint) {
        var text = brokerReason(refusal);
        if (!text.contains("PRECONDITION_FAILED")) {
            return Optional.empty();
        }
        var parts = INEQUIVALENT.matcher(text);
        IOException error;
        if (parts.find()) {
            error = new IOException("queue '" + queue + "' exists with " + parts.group(1) + " " + value(parts.group(4))
                    + ", but Ferry declares it with " + parts.group(1) + " " + value(parts.group(3))
                    + ": RabbitMQ cannot change a queue's arguments; drain and delete the queue so Ferry declares it again" + hint
                    + " (RabbitMQ: " + text + ")");
        } else {
            error = new IOException("queue '" + queue + "' cannot be declared as Ferry declares it (RabbitMQ: " + text + ")");
        }
        // The broker's text is in the message; the stack of the refusal stays for the log.
        error.addSuppressed(refusal);
        return Optional.of(error);
    }

    /** "the value '1000' of type 'long'" as 1000, "none" as unset. */
    private static String value(String said) {
        var quoted = QUOTED.matcher(said);
        if (said.strip().startsWith("none")) {
            return "unset";
        }
        return quoted.find() ? quoted.group(1) : said.strip();
    }
}
