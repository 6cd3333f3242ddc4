package dev.ferrymta.relay.outbox;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Connection;
import dev.ferrymta.relay.broker.ConfirmingPublisher;
import dev.ferrymta.relay.config.RelayConfig;
import dev.ferrymta.relay.delivery.Attempt;
import dev.ferrymta.relay.message.MessageParser;
import dev.ferrymta.relay.message.QueueOverrides;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes what replaces an outbox message: results to {@code rabbitmq-results} and to success,
 * failure or retry (the message's {@code "queues"} overriding the configured ones), and the
 * message itself to a delay queue for its next attempt. Every publish is persistent and
 * confirmed; the returned future completes when all of a message's publishes are.
 */
public final class ResultPublisher {

    private static final ObjectMapper JSON = MessageParser.mapper();

    /** A body that is not JSON is kept in the failure result up to this size, as text. */
    static final int MAX_RAW_CHARS = 1024 * 1024;

    private static final Logger log = LoggerFactory.getLogger(ResultPublisher.class);

    private final ConfirmingPublisher publisher;
    private final RelayConfig config;
    private final DelayTiers tiers;
    private final Clock clock;
    private final Connection connection;
    private final Set<String> knownQueues = ConcurrentHashMap.newKeySet();

    /**
     * @param connection declares the queues messages name in {@code "queues"} on first use, so a
     *                   result is not dropped by the broker for want of a queue
     */
    public ResultPublisher(ConfirmingPublisher publisher, RelayConfig config, DelayTiers tiers, Clock clock, Connection connection) {
        this.publisher = publisher;
        this.config = config;
        this.tiers = tiers;
        this.clock = clock;
        this.connection = connection;
        Stream.of(config.resultsQueue(), config.successQueue(), config.failureQueue(), config.retryQueue())
                .flatMap(Optional::stream).forEach(knownQueues::add);
    }

    /** The receiver accepted the message: results and success. */
    public CompletableFuture<Void> delivered(ObjectNode message, QueueOverrides queues, boolean keepMime, Attempt attempt) {
        var result = bytes(ResultJson.result(message, List.of(attempt), keepMime));
        return all(List.of(
                toQueue(queues.results().resolve(config.resultsQueue()), result),
                toQueue(queues.success().resolve(config.successQueue()), result)));
    }

    /** Failed for good: results and failure. */
    public CompletableFuture<Void> failed(ObjectNode message, QueueOverrides queues, boolean keepMime, List<Attempt> attempts) {
        var result = bytes(ResultJson.result(message, attempts, keepMime));
        return all(List.of(
                toQueue(queues.results().resolve(config.resultsQueue()), result),
                toQueue(queues.failure().resolve(config.failureQueue()), result)));
    }

    /**
     * A body that is not a message at all: a {@code process}/{@code invalid} failure to the
     * configured queues, carrying the body itself (as text, bounded) when it was not JSON.
     */
    public CompletableFuture<Void> invalid(Optional<ObjectNode> json, byte[] body, Attempt attempt) {
        var message = json.orElseGet(() -> {
            var wrapper = JsonNodeFactory.instance.objectNode();
            var text = new String(body, StandardCharsets.UTF_8);
            wrapper.put("raw", text.length() > MAX_RAW_CHARS ? text.substring(0, MAX_RAW_CHARS) : text);
            if (text.length() > MAX_RAW_CHARS) {
                wrapper.put("rawtruncated", true);
            }
            return wrapper;
        });
        var result = bytes(ResultJson.result(message, List.of(attempt), true));
        return all(List.of(toQueue(config.resultsQueue(), result), toQueue(config.failureQueue(), result)));
    }

    /**
     * Failed for now: the message goes back through a delay queue with the attempt appended and
     * {@code "nextattempt"} set; results and retry hear of it.
     */
    public CompletableFuture<Void> retry(ObjectNode message, QueueOverrides queues, boolean keepMime, Attempt attempt,
            Instant next, AMQP.BasicProperties properties) {
        var result = bytes(ResultJson.result(message, List.of(attempt), keepMime));
        return all(List.of(
                toDelay(ResultJson.retry(message, List.of(attempt), next), next, properties),
                toQueue(queues.results().resolve(config.resultsQueue()), result),
                toQueue(queues.retry().resolve(config.retryQueue()), result)));
    }

    /** Not attempted, not before {@code notBefore}: back through a delay queue, nothing else. */
    public CompletableFuture<Void> defer(ObjectNode message, Instant notBefore, AMQP.BasicProperties properties) {
        var copy = message.deepCopy();
        copy.putObject("nextattempt").put("time", ResultJson.time(notBefore));
        return toDelay(copy, notBefore, properties);
    }

    private CompletableFuture<Void> toDelay(ObjectNode message, Instant notBefore, AMQP.BasicProperties original) {
        var wait = Duration.between(clock.instant(), notBefore);
        var queue = tiers.queue(tiers.tierFor(wait));
        return publisher.publish("", queue, true, carried(original), bytes(message));
    }

    private CompletableFuture<Void> toQueue(Optional<String> queue, byte[] body) {
        if (queue.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        if (!knownQueues.contains(queue.get())) {
            try {
                OutboxTopology.ensureQueue(connection, queue.get());
                knownQueues.add(queue.get());
            } catch (IOException | RuntimeException e) {
                log.warn("cannot declare result queue '{}' named by a message: {}", queue.get(), e.getMessage());
            }
        }
        return publisher.publish("", queue.get(), false, persistent(null), body);
    }

    /** Keeps the sender's headers and priority on the message's trips through the delay queues, not the broker's own. */
    private static AMQP.BasicProperties carried(AMQP.BasicProperties original) {
        Map<String, Object> headers = null;
        if (original != null && original.getHeaders() != null) {
            headers = new HashMap<>(original.getHeaders());
            headers.keySet().removeIf(name -> name.startsWith("x-death") || name.startsWith("x-first-death")
                    || name.startsWith("x-last-death"));
        }
        return persistent(headers).builder().priority(original == null ? null : original.getPriority()).build();
    }

    private static AMQP.BasicProperties persistent(Map<String, Object> headers) {
        return new AMQP.BasicProperties.Builder().contentType("application/json").deliveryMode(2).headers(headers).build();
    }

    private static CompletableFuture<Void> all(List<CompletableFuture<Void>> futures) {
        return CompletableFuture.allOf(new ArrayList<>(futures).toArray(CompletableFuture[]::new));
    }

    private static byte[] bytes(ObjectNode node) {
        try {
            return JSON.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree could not be written", e);
        }
    }
}
