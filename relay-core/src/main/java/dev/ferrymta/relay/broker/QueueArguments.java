package dev.ferrymta.relay.broker;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.AlreadyClosedException;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ShutdownSignalException;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;

/**
 * Turns RabbitMQ's refusal to declare a queue that exists with other arguments
 * ({@code PRECONDITION_FAILED - inequivalent arg 'x-message-ttl' for queue 'q' in vhost '/':
 * received ... but current is ...}), which the client buries in a nested cause, into one error
 * that names the queue, the argument and both values. A queue of another type than Ferry declares
 * ({@code x-queue-type}) is named as such, whichever argument RabbitMQ happened to compare first.
 */
public final class QueueArguments {

    private static final Pattern INEQUIVALENT = Pattern.compile(
            "inequivalent arg '([^']+)' for queue '([^']*)' in vhost '[^']*': received (.+) but current is (.+)$");
    private static final Pattern QUOTED = Pattern.compile("'([^']*)'");
    private static final Pattern TYPED = Pattern.compile("^the value '(.*)' of type '([a-z]+)'$");

    /** Declares a probe sends at most: a queue has fewer arguments than this. */
    private static final int MAX_PROBES = 32;

    private QueueArguments() {
    }

    /**
     * What an existing queue is, as far as RabbitMQ compares it on a declare.
     *
     * @param type      its {@code x-queue-type}: {@code classic} (also when the queue was declared
     *                  without the argument), {@code quorum} or {@code stream}
     * @param arguments arguments equivalent to the queue's, learned from RabbitMQ's refusals: the
     *                  ones RabbitMQ compares; after a type found to differ, only what was learned
     *                  until then
     */
    public record Existing(String type, Map<String, Object> arguments) {
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
     * Declares a durable, not exclusive, not auto-delete queue with {@code arguments} on a channel
     * of its own, closed afterwards.
     *
     * @param hint what else the operator can do when the queue exists with other arguments,
     *             starting with ", or ..." (may be empty)
     * @throws IOException when the queue exists with other arguments: one error naming the queue,
     *                     the argument and both values ({@code x-queue-type} when the type
     *                     differs); else why the broker could not be asked
     */
    public static void declare(Connection connection, String queue, Map<String, Object> arguments, String hint) throws IOException {
        try (Channel channel = connection.createChannel()) {
            channel.queueDeclare(queue, true, false, false, arguments);
        } catch (TimeoutException e) {
            throw new IOException("closing the channel that declared " + queue + " timed out", e);
        } catch (IOException | AlreadyClosedException e) {
            throw refused(connection, queue, arguments, e, hint);
        }
    }

    /**
     * The clear error for a declare of {@code queue} with {@code arguments} that the broker
     * refused: when the queue exists as another {@code x-queue-type} (asked of the broker with
     * {@link #existing}), that; else {@link #mismatch}; else the refusal itself.
     */
    public static IOException refused(Connection connection, String queue, Map<String, Object> arguments, Throwable refusal,
            String hint) {
        var text = brokerReason(refusal);
        if (text.contains("PRECONDITION_FAILED") && arguments != null && arguments.get("x-queue-type") instanceof String wanted) {
            var found = existing(connection, queue, arguments);
            if (found.isPresent() && !found.get().type().equals(wanted)) {
                var type = found.get().type();
                // A priority queue cannot be a quorum queue: then only the caller's hint helps.
                var switchHint = QueueType.named(type).isPresent() && !arguments.containsKey("x-max-priority")
                        ? ", or set " + QueueType.KEY + " to " + type : hint;
                var error = new IOException("queue '" + queue + "' exists with x-queue-type " + type
                        + ", but Ferry declares it with x-queue-type " + wanted + " (" + QueueType.KEY + ")"
                        + ": RabbitMQ cannot change a queue's type; drain and delete the queue so Ferry declares it again"
                        + switchHint + " (RabbitMQ: " + text + ")");
                error.addSuppressed(refusal);
                return error;
            }
        }
        return mismatch(queue, refusal, hint)
                .orElseGet(() -> refusal instanceof IOException io ? io : new IOException(refusal.getMessage(), refusal));
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
            var argument = parts.group(1);
            error = new IOException("queue '" + queue + "' exists with " + argument + " " + value(argument, parts.group(4))
                    + ", but Ferry declares it with " + argument + " " + value(argument, parts.group(3))
                    + ": RabbitMQ cannot change a queue's arguments; drain and delete the queue so Ferry declares it again" + hint
                    + " (RabbitMQ: " + text + ")");
        } else {
            error = new IOException("queue '" + queue + "' cannot be declared as Ferry declares it (RabbitMQ: " + text + ")");
        }
        // The broker's text is in the message; the stack of the refusal stays for the log.
        error.addSuppressed(refusal);
        return Optional.of(error);
    }

    /**
     * The type and arguments of an existing queue. AMQP 0-9-1 has no way to ask for them, so this
     * declares the queue (durable, on channels of its own) with {@code start}, and after each
     * refusal naming an argument again with that argument as the queue has it, until RabbitMQ
     * takes the declare (the queue has those arguments) or refuses {@code x-queue-type} (its type
     * is the other one). A declare RabbitMQ takes changes nothing on an existing queue; a queue
     * that does not exist is declared with the arguments tried, as Ferry would declare it when
     * {@code start} are Ferry's own.
     *
     * @param start the arguments Ferry declares the queue with
     * @return empty when the broker's answers do not tell (a refusal of another kind, a value of a
     *         type that cannot be sent back, an argument that is no queue argument such as
     *         {@code durable}), or it could not be asked
     */
    public static Optional<Existing> existing(Connection connection, String queue, Map<String, Object> start) {
        var tried = new LinkedHashMap<String, Object>(start == null ? Map.of() : start);
        for (int probe = 0; probe < MAX_PROBES; probe++) {
            try (Channel channel = connection.createChannel()) {
                if (channel == null) {
                    return Optional.empty();
                }
                channel.queueDeclare(queue, true, false, false, tried);
                return Optional.of(new Existing(typeOf(tried.get("x-queue-type")), Map.copyOf(tried)));
            } catch (TimeoutException e) {
                return Optional.empty();
            } catch (IOException | AlreadyClosedException e) {
                var parts = INEQUIVALENT.matcher(brokerReason(e));
                if (!parts.find() || !parts.group(1).startsWith("x-")) {
                    return Optional.empty();
                }
                var argument = parts.group(1);
                var current = parts.group(4).strip();
                if (argument.equals("x-queue-type")) {
                    tried.remove(argument);
                    return Optional.of(new Existing(current.equals("none") ? "classic" : unquote(current), Map.copyOf(tried)));
                }
                if (current.equals("none")) {
                    tried.remove(argument);
                    continue;
                }
                var value = typed(current, tried.get(argument));
                if (value.isEmpty()) {
                    return Optional.empty();
                }
                tried.put(argument, value.get());
            }
        }
        return Optional.empty();
    }

    /** "the value '1000' of type 'long'" as 1000, "none" as unset ("unset (classic)" for x-queue-type). */
    private static String value(String argument, String said) {
        if (said.strip().startsWith("none")) {
            return argument.equals("x-queue-type") ? "unset (classic)" : "unset";
        }
        var quoted = QUOTED.matcher(said);
        return quoted.find() ? quoted.group(1) : said.strip();
    }

    private static String typeOf(Object argument) {
        return argument == null ? "classic" : argument.toString();
    }

    private static String unquote(String said) {
        var quoted = QUOTED.matcher(said);
        return quoted.find() ? quoted.group(1) : said;
    }

    /**
     * A value as RabbitMQ wrote it, as the client sends it again: "the value '10' of type
     * 'signedint'" as the Integer 10; a bare "'10'" (RabbitMQ leaves the type out when both sides
     * have one) in the type of {@code ours}, the value that was refused.
     */
    private static Optional<Object> typed(String said, Object ours) {
        var typedMatch = TYPED.matcher(said);
        try {
            if (typedMatch.matches()) {
                var text = typedMatch.group(1);
                return Optional.ofNullable(switch (typedMatch.group(2)) {
                    case "longstr" -> text;
                    case "long" -> Long.parseLong(text);
                    case "signedint" -> Integer.parseInt(text);
                    case "short" -> Short.parseShort(text);
                    case "byte" -> Byte.parseByte(text);
                    case "bool" -> Boolean.parseBoolean(text);
                    case "double" -> Double.parseDouble(text);
                    case "float" -> Float.parseFloat(text);
                    default -> null;
                });
            }
            var text = unquote(said);
            return Optional.ofNullable(switch (ours) {
                case String s -> text;
                case Integer i -> Integer.parseInt(text);
                case Long l -> Long.parseLong(text);
                case Boolean b -> Boolean.parseBoolean(text);
                case null, default -> null;
            });
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
