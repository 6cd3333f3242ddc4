package dev.ferrymta.cluster;

import java.net.InetAddress;
import java.net.URI;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Another instance of the cluster as last announced, and when we last heard from it.
 *
 * @param server        its {@code server-id}
 * @param incarnation   changes at each start of it
 * @param hostname      its host name, for people
 * @param ips           the source IPs it owns
 * @param console       its web console
 * @param version       its Ferry version
 * @param configVersion the settings version it runs with
 * @param started       when it started, by its own clock (for display only)
 * @param stats         its counters, for display
 * @param lastSeen      when a message from it last arrived, by OUR clock: liveness never trusts
 *                      the sender's clock
 */
public record Peer(ServerId server, String incarnation, String hostname, List<InetAddress> ips, URI console,
        String version, long configVersion, Instant started, Map<String, Long> stats, Instant lastSeen) {

    public Peer {
        Objects.requireNonNull(server, "server");
        Objects.requireNonNull(incarnation, "incarnation");
        Objects.requireNonNull(hostname, "hostname");
        ips = List.copyOf(ips);
        Objects.requireNonNull(console, "console");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(started, "started");
        stats = Collections.unmodifiableMap(new LinkedHashMap<>(stats));
        Objects.requireNonNull(lastSeen, "lastSeen");
    }

    /** The peer an announce describes, heard at {@code receivedAt}. */
    public static Peer from(ClusterMessage.Announce announce, Instant receivedAt) {
        return new Peer(announce.server(), announce.incarnation(), announce.hostname(), announce.ips(), announce.console(),
                announce.version(), announce.configVersion(), announce.started(), announce.stats(), receivedAt);
    }

    /** The same peer, heard from again at {@code receivedAt}. */
    public Peer seenAt(Instant receivedAt) {
        return new Peer(server, incarnation, hostname, ips, console, version, configVersion, started, stats, receivedAt);
    }
}
