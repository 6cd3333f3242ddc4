package dev.ferrymta.relay.outbox;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Connection;
import dev.ferrymta.relay.broker.AmqpHeaders;
import dev.ferrymta.relay.broker.ConfirmingPublisher;
import dev.ferrymta.relay.broker.PublishFailedException;
import dev.ferrymta.relay.config.RelayConfig;
import dev.ferrymta.relay.attempt.Attempt;
import dev.ferrymta.relay.message.MessageParser;
import dev.ferrymta.relay.message.OutboxMessage;
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
 * Builds and sends what replaces an outbox message: results to {@code rabbitmq-results} and to
 * success, failure or retry (the message's {@code "queues"} overriding the configured ones), the
 * message itself to a delay queue for its next attempt, and a parked copy of what could not be
 * stored. The builders return {@link Publish}es; the {@link Settler} sends them through
 * {@link #send} and decides what happens when the broker refuses. Every publish is persistent,
 * mandatory (a missing queue is noticed, not silently dropped) and confirmed.
 */
public final class ResultPublisher {

    private static final ObjectMapper JSON = MessageParser.mapper();

    /** A body that is not JSON is kept in the failure result up to this size, as text. */
    static final int MAX_RAW_CHARS = 1024 * 1024;

    /** Header of a parked message: the queue it was meant for. */
    public static final String PARKED_FOR = "x-ferry-parked-for";

    /** Header of a parked message: why it could not be stored there. */
    public static final String PARKED_REASON = "x-ferry-parked-reason";

    /** Header of a parked message: when it was parked (MailerQ's time format, UTC). */
    public static final String PARKED_AT = "x-ferry-parked-at";

    private static final Logger log = LoggerFactory.getLogger(ResultPublisher.class);

    private final ConfirmingPublisher publisher;
    private final RelayConfig config;
    private final DelayTiers tiers;
    private final Clock clock;
    private final Connection connection;
    private final Set<String> knownQueues = ConcurrentHashMap.newKeySet();

    /**
     * @param connection declares a queue on first use, and again after the broker said it is
     *                   missing, so a result is not lost for want of a queue
     */
    public ResultPublisher(ConfirmingPublisher publisher, RelayConfig config, DelayTiers tiers, Clock clock, Connection connection) {
        this.publisher = publisher;
        this.config = config;
        this.tiers = tiers;
        this.clock = clock;
        this.connection = connection;
    }

    /** The parking queue of an outbox: {@code <outbox>.parked}. */
    public static String parkingQueue(String outbox) {
        return outbox + ".parked";
    }

    /** The receiver accepted the message: results and success. */
    public List<Publish> delivered(ObjectNode message, QueueOverrides queues, boolean keepMime, Attempt attempt) {
        var result = ResultJson.resultBytes(JSON, message, List.of(attempt), keepMime);
        return results(result, queues.results().resolve(config.resultsQueue()), queues.success().resolve(config.successQueue()));
    }

    /** Failed for good: results and failure. */
    public List<Publish> failed(ObjectNode message, QueueOverrides queues, boolean keepMime, List<Attempt> attempts) {
        var result = ResultJson.resultBytes(JSON, message, attempts, keepMime);
        return results(result, queues.results().resolve(config.resultsQueue()), queues.failure().resolve(config.failureQueue()));
    }

    /**
     * The delivery status notification a message failed for good asked for
     * ({@code "dsn": {"notify": "FAILURE"}}), as a new outbox message to its envelope sender; none
     * when it did not ask (see {@link DeliveryStatusNotification}).
     */
    public List<Publish> failureNotice(OutboxMessage message, List<Attempt> attempts) {
        return DeliveryStatusNotification.onFailure(message, attempts, config.serverId(), clock.instant())
                .map(notice -> new Publish(config.outboxQueue(), AmqpHeaders.persistentJson(null, null), bytes(notice),
                        Publish.Role.RESULT))
                .stream().toList();
    }

    /**
     * A body that is not a message Ferry can take: a {@code process}/{@code invalid} failure to the
     * results and failure queues the message names in a valid {@code "queues"} (MailerQ: they
     * override the configured ones, {@code null} turning one off), else to the configured ones,
     * carrying the body itself (as text, bounded) when it was not JSON.
     */
    public List<Publish> invalid(Optional<ObjectNode> json, byte[] body, Attempt attempt) {
        var message = json.orElseGet(() -> {
            var wrapper = JsonNodeFactory.instance.objectNode();
            var text = new String(body, StandardCharsets.UTF_8);
            wrapper.put("raw", text.length() > MAX_RAW_CHARS ? text.substring(0, MAX_RAW_CHARS) : text);
            if (text.length() > MAX_RAW_CHARS) {
                wrapper.put("rawtruncated", true);
            }
            return wrapper;
        });
        var result = ResultJson.resultBytes(JSON, message, List.of(attempt), true);
        var queues = json.map(MessageParser::queuesOrConfigured).orElse(QueueOverrides.NONE);
        return results(result, queues.results().resolve(config.resultsQueue()), queues.failure().resolve(config.failureQueue()));
    }

    /**
     * Failed for now: the message goes back through a delay queue with the attempt appended and
     * {@code "nextattempt"} set; the retry queue hears of it. Not the results queue: MailerQ keeps
     * that for the results of messages that were delivered or failed for good, and the retry queue
     * for the transient ones (MailerQ's "Result message queues").
     */
    public List<Publish> retry(ObjectNode message, QueueOverrides queues, boolean keepMime, Attempt attempt, Instant next,
            AMQP.BasicProperties properties) {
        var result = ResultJson.resultBytes(JSON, message, List.of(attempt), keepMime);
        var all = new ArrayList<Publish>();
        all.add(toDelay(ResultJson.retry(message, List.of(attempt), next), next, properties));
        all.addAll(results(result, queues.retry().resolve(config.retryQueue()), Optional.empty()));
        return all;
    }

    /** Not attempted, not before {@code notBefore}: back through a delay queue, nothing else. */
    public List<Publish> defer(ObjectNode message, Instant notBefore, AMQP.BasicProperties properties) {
        var copy = message.deepCopy();
        copy.putObject("nextattempt").put("time", ResultJson.time(notBefore));
        return List.of(toDelay(copy, notBefore, properties));
    }

    /**
     * What could not be stored where it was meant to go, for the parking queue: the same body and
     * headers, plus {@value #PARKED_FOR}, {@value #PARKED_REASON} and {@value #PARKED_AT}. An
     * operator moves parked messages back (a shovel, or a script) once the queue takes them.
     */
    public Publish park(Publish refused, String reason) {
        var headers = new HashMap<String, Object>(AmqpHeaders.of(refused.properties()));
        headers.put(PARKED_FOR, refused.queue());
        headers.put(PARKED_REASON, reason.length() > 500 ? reason.substring(0, 500) : reason);
        headers.put(PARKED_AT, ResultJson.time(clock.instant()));
        var priority = refused.properties() == null ? null : refused.properties().getPriority();
        return new Publish(parkingQueue(config.outboxQueue()), AmqpHeaders.persistentJson(headers, priority), refused.body(),
                Publish.Role.RESULT);
    }

    /**
     * Publishes, confirmed: declares the queue first when it is not known to exist. A publish the
     * broker returns as unroutable makes the queue unknown again, so the next try declares it.
     */
    public CompletableFuture<Void> send(Publish publish) {
        var queue = publish.queue();
        if (!knownQueues.contains(queue)) {
            try {
                var tier = tiers.tierOf(queue);
                if (tier.isPresent()) {
                    OutboxTopology.declareTier(connection, tiers, tier.get(), config.queueType());
                } else {
                    OutboxTopology.ensureQueue(connection, queue, config.queueType());
                }
                knownQueues.add(queue);
            } catch (IOException | RuntimeException e) {
                log.debug("cannot declare queue '{}': {}", queue, e.getMessage());
            }
        }
        return publisher.publish("", queue, true, publish.properties(), publish.body()).whenComplete((done, error) -> {
            if (error != null && Settler.cause(error) instanceof PublishFailedException failed
                    && failed.reason() == PublishFailedException.Reason.UNROUTABLE) {
                knownQueues.remove(queue);
            }
        });
    }

    /** Forgets which queues exist, after the connection came back: the broker may have lost them. */
    public void forgetQueues() {
        knownQueues.clear();
    }

    /** The largest body the broker takes, once it has said so. */
    public long brokerMaxMessageSize() {
        return publisher.maxMessageSize();
    }

    private Publish toDelay(ObjectNode message, Instant notBefore, AMQP.BasicProperties original) {
        var wait = Duration.between(clock.instant(), notBefore);
        var queue = tiers.queue(tiers.tierFor(wait));
        return new Publish(queue, carried(original, message), bytes(message), Publish.Role.COPY);
    }

    private static List<Publish> results(byte[] body, Optional<String> main, Optional<String> second) {
        var properties = AmqpHeaders.persistentJson(null, null);
        return Stream.of(main, second).flatMap(Optional::stream)
                .map(queue -> new Publish(queue, properties, body, Publish.Role.RESULT)).toList();
    }

    /**
     * Keeps the sender's headers and priority on the message's trips through the delay queues, not
     * the broker's own; a message published without an AMQP priority takes its MailerQ
     * {@code "priority"}, so a priority outbox orders it when it comes back.
     */
    private static AMQP.BasicProperties carried(AMQP.BasicProperties original, ObjectNode message) {
        Map<String, Object> headers = null;
        if (original != null && original.getHeaders() != null) {
            headers = AmqpHeaders.withoutDeathHistory(original.getHeaders());
        }
        return AmqpHeaders.persistentJson(headers, AmqpHeaders.priority(original, message.get("priority")));
    }

    private static byte[] bytes(ObjectNode node) {
        try {
            return JSON.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree could not be written", e);
        }
    }
}
