package dev.ferrymta.relay.config;

import dev.ferrymta.relay.broker.QueueType;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The relay's settings from the config file: who this instance is, its broker and queues, the
 * source IPs it owns and how it delivers. Parsed once at start; immutable.
 *
 * @param serverId        {@code server-id}: this instance's name in the cluster
 * @param rabbitmqAddress {@code rabbitmq-address}: the broker holding the outbox and result queues,
 *                        through one node or several ({@link AmqpAddress})
 * @param outboxQueue     {@code rabbitmq-outbox}
 * @param resultsQueue    {@code rabbitmq-results}; empty: off
 * @param successQueue    {@code rabbitmq-success}; empty: off
 * @param failureQueue    {@code rabbitmq-failure}; empty: off
 * @param retryQueue      {@code rabbitmq-retry}; empty: off
 * @param prefetch        {@code rabbitmq-qos}: the most unacknowledged outbox messages per consumer; the
 *                        window follows message sizes below it (docs/adr/0017)
 * @param consumers       {@code rabbitmq-consumers}: outbox consumers side by side
 * @param smtpIps         {@code smtp-ips}: the source IPs this instance owns
 * @param defaultIps      {@code smtp-defaultips}: IPs for messages that name neither ips nor pool
 * @param smtpTimeout     {@code smtp-timeout}: the longest wait for any SMTP reply; 10 minutes by
 *                        default, so that the reply to the final dot gets RFC 5321's 10 minutes
 *                        (section 4.5.3.2.6) and the others their 5 ({@link dev.ferrymta.relay.smtp.SmtpTimeouts})
 * @param maxDeliverTime  {@code max-delivertime}: a message older than this fails
 * @param maxAttempts     {@code max-attempts}: attempts before a message fails; 0: no limit, only
 *                        {@code max-delivertime} ends the retries (MailerQ's meaning of 0)
 * @param retryIntervals  {@code retry-interval}: the waits between attempts when the message names
 *                        none, first to last, the last repeating; one or more
 * @param dnsServer       {@code dns-server}: resolver to ask; empty: the system's resolvers
 * @param maxMessageBytes {@code max-message-bytes}: larger outbox messages fail before any attempt
 * @param allowedDestinations {@code smtp-allowed-destinations}: networks DNS may send mail to
 *                        although they are loopback or unspecified (for a test setup on one machine)
 * @param maxPriority     {@code rabbitmq-maxpriority}: the outbox and the forward queues are
 *                        priority queues with {@code x-max-priority} this high; 0: plain queues
 * @param queueType       {@code rabbitmq-queue-type}: the type of the queues Ferry declares (the
 *                        outbox, delay, parking, result and forward queues); never quorum with a
 *                        {@code maxPriority} above 0
 */
public record RelayConfig(
        String serverId,
        AmqpAddress rabbitmqAddress,
        String outboxQueue,
        Optional<String> resultsQueue,
        Optional<String> successQueue,
        Optional<String> failureQueue,
        Optional<String> retryQueue,
        int prefetch,
        int consumers,
        List<InetAddress> smtpIps,
        List<InetAddress> defaultIps,
        Duration smtpTimeout,
        Duration maxDeliverTime,
        int maxAttempts,
        List<Duration> retryIntervals,
        Optional<HostAndPort> dnsServer,
        int maxMessageBytes,
        List<String> allowedDestinations,
        int maxPriority,
        QueueType queueType) {

    /** MailerQ's default address: the local broker, guest account, default vhost. */
    public static final String DEFAULT_RABBITMQ_ADDRESS = "amqp://guest:guest@localhost/";

    /** The keys this record reads. */
    public static final Set<String> KEYS = Set.of(
            "server-id", "rabbitmq-address", "rabbitmq-outbox", "rabbitmq-results", "rabbitmq-success",
            "rabbitmq-failure", "rabbitmq-retry", "rabbitmq-qos", "rabbitmq-consumers", "smtp-ips", "smtp-defaultips", "smtp-timeout",
            "max-delivertime", "max-attempts", "retry-interval", "dns-server", "max-message-bytes",
            "smtp-allowed-destinations", "rabbitmq-maxpriority", QueueType.KEY);

    /** {@code max-message-bytes} when not set: 64 MiB. */
    public static final int DEFAULT_MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

    public RelayConfig {
        smtpIps = List.copyOf(smtpIps);
        defaultIps = List.copyOf(defaultIps);
        allowedDestinations = List.copyOf(allowedDestinations);
    }

    /** Reads and validates the relay's keys. */
    public static RelayConfig from(ConfigReader config, HostInfo host) {
        var serverId = config.optional("server-id", ValueType.serverId())
                .orElseGet(() -> defaultServerId(host.hostName()));
        var smtpIps = config.isPresent("smtp-ips")
                ? config.get("smtp-ips", ValueType.ipList(), List.of())
                : host.publicAddresses();
        for (var ip : smtpIps) {
            if (!host.canBind(ip)) {
                throw config.invalid("smtp-ips", "addresses of this host; %s cannot be bound here"
                        .formatted(ip.getHostAddress()));
            }
        }
        var relay = new RelayConfig(
                serverId,
                config.get("rabbitmq-address", ValueType.amqpAddress(), AmqpAddress.parse(DEFAULT_RABBITMQ_ADDRESS)),
                config.get("rabbitmq-outbox", ValueType.queueName(), "outbox"),
                optionalQueue(config, "rabbitmq-results", "results"),
                optionalQueue(config, "rabbitmq-success", null),
                optionalQueue(config, "rabbitmq-failure", "failure"),
                optionalQueue(config, "rabbitmq-retry", null),
                config.get("rabbitmq-qos", ValueType.integer(1, 65535), 250),
                config.get("rabbitmq-consumers", ValueType.integer(1, 64), 2),
                smtpIps,
                config.get("smtp-defaultips", ValueType.ipList(), List.of()),
                config.get("smtp-timeout", ValueType.duration(Duration.ofSeconds(1), Duration.ofHours(1)), Duration.ofMinutes(10)),
                config.get("max-delivertime", ValueType.duration(Duration.ofMinutes(1), Duration.ofDays(30)), Duration.ofDays(1)),
                config.get("max-attempts", ValueType.integer(0, 1000), 20),
                config.get("retry-interval", ValueType.durationList(Duration.ofSeconds(1), Duration.ofDays(1)),
                        List.of(Duration.ofMinutes(10))),
                config.optional("dns-server", ValueType.hostAndPort(53)),
                config.get("max-message-bytes", ValueType.integer(1024, Integer.MAX_VALUE), DEFAULT_MAX_MESSAGE_BYTES),
                config.get("smtp-allowed-destinations", ValueType.networkList(), List.of()),
                config.get("rabbitmq-maxpriority", ValueType.integer(0, 255), 0),
                config.get(QueueType.KEY, ValueType.oneOf(QueueType.values(), QueueType::argument), QueueType.CLASSIC));
        if (relay.outboxQueue().equals(relay.resultsQueue().orElse(null))
                || relay.outboxQueue().equals(relay.failureQueue().orElse(null))
                || relay.outboxQueue().equals(relay.successQueue().orElse(null))
                || relay.outboxQueue().equals(relay.retryQueue().orElse(null))) {
            throw config.invalid("rabbitmq-outbox", "a queue other than the result queues, or results would be delivered again");
        }
        if (relay.maxPriority() > 0 && relay.queueType() == QueueType.QUORUM) {
            // RabbitMQ 3.x refuses x-max-priority on a quorum queue; RabbitMQ 4 has two fixed levels.
            throw config.invalid("rabbitmq-maxpriority", "0 (unset) while " + QueueType.KEY + " is quorum: quorum queues have "
                    + "no x-max-priority (RabbitMQ 3 refuses it, RabbitMQ 4 has two fixed levels); keep classic queues for a "
                    + "priority outbox");
        }
        return relay;
    }

    /** A key set to nothing turns the queue off; a key not given at all keeps the default. */
    private static Optional<String> optionalQueue(ConfigReader config, String key, String fallback) {
        if (!config.isPresent(key)) {
            return Optional.ofNullable(fallback);
        }
        return config.optional(key, ValueType.queueName());
    }

    /** Host names can hold characters a server id may not; keep the safe part. */
    static String defaultServerId(String hostName) {
        var cleaned = hostName.replaceAll("[^A-Za-z0-9._-]", "-").replaceAll("^[^A-Za-z0-9]+", "");
        if (cleaned.length() > 63) {
            cleaned = cleaned.substring(0, 63);
        }
        return cleaned.isEmpty() ? "ferry" : cleaned;
    }
}
