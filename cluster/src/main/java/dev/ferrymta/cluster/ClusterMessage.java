package dev.ferrymta.cluster;

import java.net.InetAddress;
import java.net.URI;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A message on the control queue of the cluster exchange. {@link ClusterCodec} turns them into JSON
 * and back; the constructors enforce the codec's limits, so a message that exists can always be
 * sent and will be accepted by the peers.
 */
public sealed interface ClusterMessage {

    /** The wire name of this kind of message, also the value of the {@code x-ferry-type} header. */
    default String type() {
        return switch (this) {
            case Announce a -> "announce";
            case Leave l -> "leave";
            case Reset r -> "reset";
            case Reload r -> "reload";
            case Hello h -> "hello";
        };
    }

    /** The instance that says it sent this message; empty for the hand-published MailerQ controls. */
    default Optional<ServerId> sender() {
        return switch (this) {
            case Announce a -> Optional.of(a.server());
            case Leave l -> Optional.of(l.server());
            case Reset r -> Optional.of(r.server());
            case Reload r -> Optional.empty();
            case Hello h -> Optional.empty();
        };
    }

    /**
     * "I am here, and this is what I own": sent every {@code cluster-interval}, and in answer to an
     * announce from a server or incarnation not seen before.
     *
     * @param server        the sender's {@code server-id}
     * @param incarnation   changes at every start of the sender, so a restart is recognised
     * @param hostname      the sender's host name, for people
     * @param ips           the source IPs the sender owns and delivers from (at most {@value ClusterCodec#MAX_IPS})
     * @param console       the sender's web console, an http or https URL
     * @param version       the sender's Ferry version
     * @param configVersion the settings version the sender runs with (not negative)
     * @param started       when the sender started, by its own clock (for display only)
     * @param stats         counters to show in the consoles (at most {@value ClusterCodec#MAX_STATS})
     */
    record Announce(ServerId server, String incarnation, String hostname, List<InetAddress> ips, URI console,
            String version, long configVersion, Instant started, Map<String, Long> stats) implements ClusterMessage {

        /** @throws IllegalArgumentException naming the field that breaks a limit */
        public Announce {
            Objects.requireNonNull(server, "server");
            incarnation = text("incarnation", incarnation, true);
            hostname = text("hostname", hostname, false);
            Objects.requireNonNull(ips, "ips");
            if (ips.size() > ClusterCodec.MAX_IPS) {
                throw new IllegalArgumentException("\"ips\" holds more than " + ClusterCodec.MAX_IPS + " addresses");
            }
            ips = List.copyOf(ips);
            console = httpUrl("console", console);
            version = text("version", version, false);
            configVersion = notNegative("configVersion", configVersion);
            Objects.requireNonNull(started, "started");
            stats = counters(stats);
        }
    }

    /**
     * "I am stopping": sent on a graceful stop, so the peers forget the sender at once.
     *
     * @param server      the sender's {@code server-id}
     * @param incarnation the incarnation that stops; a later one of the same server is not affected
     */
    record Leave(ServerId server, String incarnation) implements ClusterMessage {

        /** @throws IllegalArgumentException naming the field that breaks a limit */
        public Leave {
            Objects.requireNonNull(server, "server");
            incarnation = text("incarnation", incarnation, true);
        }
    }

    /**
     * "The settings changed": reload them if {@code configVersion} is newer than yours. Published by
     * the console that committed the change.
     *
     * @param server        the instance whose console made the change
     * @param configVersion the settings version after the change (not negative)
     */
    record Reset(ServerId server, long configVersion) implements ClusterMessage {

        /** @throws IllegalArgumentException when the version is negative */
        public Reset {
            Objects.requireNonNull(server, "server");
            configVersion = notNegative("configVersion", configVersion);
        }
    }

    /** MailerQ's {@code {"reload":true}}, published by hand: every instance reloads its settings. */
    record Reload() implements ClusterMessage {
    }

    /** MailerQ's {@code {"hello":true}}, published by hand: every instance announces itself at once. */
    record Hello() implements ClusterMessage {
    }

    private static String text(String field, String value, boolean nonEmpty) {
        Objects.requireNonNull(value, field);
        if (value.length() > ClusterCodec.MAX_TEXT_CHARS) {
            throw new IllegalArgumentException("\"" + field + "\" is longer than " + ClusterCodec.MAX_TEXT_CHARS + " characters");
        }
        if (nonEmpty && value.isEmpty()) {
            throw new IllegalArgumentException("\"" + field + "\" is empty");
        }
        return value;
    }

    private static long notNegative(String field, long value) {
        if (value < 0) {
            throw new IllegalArgumentException("\"" + field + "\" must be a whole number of at least 0, not " + value);
        }
        return value;
    }

    private static URI httpUrl(String field, URI value) {
        Objects.requireNonNull(value, field);
        var scheme = value.getScheme() == null ? "" : value.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("http") || scheme.equals("https")) || value.getHost() == null) {
            throw new IllegalArgumentException("\"" + field + "\" must be an http:// or https:// URL with a host");
        }
        text(field, value.toString(), true);
        return value;
    }

    private static Map<String, Long> counters(Map<String, Long> stats) {
        Objects.requireNonNull(stats, "stats");
        if (stats.size() > ClusterCodec.MAX_STATS) {
            throw new IllegalArgumentException("\"stats\" holds more than " + ClusterCodec.MAX_STATS + " entries");
        }
        var copy = new LinkedHashMap<String, Long>();
        stats.forEach((name, value) -> {
            text("stats", Objects.requireNonNull(name, "stats name"), true);
            copy.put(name, Objects.requireNonNull(value, "stats value"));
        });
        return Collections.unmodifiableMap(copy);
    }
}
