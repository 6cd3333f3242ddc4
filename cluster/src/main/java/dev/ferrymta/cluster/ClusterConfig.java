package dev.ferrymta.cluster;

import dev.ferrymta.relay.config.AmqpAddress;
import dev.ferrymta.relay.config.ConfigReader;
import dev.ferrymta.relay.config.RelayConfig;
import dev.ferrymta.relay.config.ValueType;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;

/**
 * The cluster's settings from the config file. Immutable.
 *
 * @param address  {@code cluster-address}: the broker all instances share; defaults to {@code rabbitmq-address}
 * @param exchange {@code cluster-exchange}: the direct exchange the instances talk over
 * @param interval {@code cluster-interval}: time between announces
 * @param timeout  {@code cluster-peer-expiry}: silence after which a peer counts as gone
 * @param secret   {@code cluster-secret}: when set, every cluster message is signed with it
 * @param listWait {@code cluster-timeout}, as MailerQ means it: how long {@code --list-cluster}
 *                 listens for the instances' answers; default {@code cluster-interval} plus half a second
 * @param orphanAfter {@code cluster-orphan-after}: how long a peer must be gone before a live
 *                 instance drains its forward queue through the normal path; default 10 minutes,
 *                 at least {@code cluster-peer-expiry}
 */
public record ClusterConfig(AmqpAddress address, String exchange, Duration interval, Duration timeout,
        Optional<String> secret, Duration listWait, Duration orphanAfter) {

    /** Default of {@code cluster-orphan-after}. */
    public static final Duration DEFAULT_ORPHAN_AFTER = Duration.ofMinutes(10);

    /** With the default {@code cluster-orphan-after}. */
    public ClusterConfig(AmqpAddress address, String exchange, Duration interval, Duration timeout, Optional<String> secret,
            Duration listWait) {
        this(address, exchange, interval, timeout, secret, listWait, DEFAULT_ORPHAN_AFTER);
    }

    /** The keys this record reads (besides {@code rabbitmq-address}, the default address). */
    public static final Set<String> KEYS = Set.of(
            "cluster-address", "cluster-exchange", "cluster-interval", "cluster-peer-expiry", "cluster-timeout", "cluster-secret",
            "cluster-orphan-after");

    /** Shorter secrets are refused: they would give a false sense of protection. */
    public static final int MIN_SECRET_LENGTH = 16;

    public static ClusterConfig from(ConfigReader config) {
        var rabbitmq = config.get("rabbitmq-address", ValueType.amqpAddress(), AmqpAddress.parse(RelayConfig.DEFAULT_RABBITMQ_ADDRESS));
        var interval = config.get("cluster-interval", ValueType.duration(Duration.ofMillis(100), Duration.ofMinutes(10)), Duration.ofSeconds(5));
        var timeout = config.get("cluster-peer-expiry", ValueType.duration(Duration.ofMillis(200), Duration.ofHours(1)), interval.multipliedBy(3));
        if (timeout.compareTo(interval) <= 0) {
            throw config.invalid("cluster-peer-expiry", "longer than cluster-interval (%d ms), or every peer would count as gone between two announces"
                    .formatted(interval.toMillis()));
        }
        var orphanAfter = config.get("cluster-orphan-after", ValueType.duration(Duration.ofSeconds(1), Duration.ofDays(30)),
                DEFAULT_ORPHAN_AFTER.compareTo(timeout) < 0 ? timeout : DEFAULT_ORPHAN_AFTER);
        if (orphanAfter.compareTo(timeout) < 0) {
            throw config.invalid("cluster-orphan-after", "at least cluster-peer-expiry (%d ms): a peer is not gone before that"
                    .formatted(timeout.toMillis()));
        }
        return new ClusterConfig(
                config.get("cluster-address", ValueType.amqpAddress(), rabbitmq),
                config.get("cluster-exchange", ValueType.queueName(), "cluster"),
                interval,
                timeout,
                config.optional("cluster-secret", ValueType.secret(MIN_SECRET_LENGTH)),
                config.get("cluster-timeout", ValueType.duration(Duration.ofMillis(100), Duration.ofMinutes(10)),
                        interval.plus(Duration.ofMillis(500))),
                orphanAfter);
    }
}
