package dev.ferrymta.console;

import dev.ferrymta.cluster.ClusterHealth;
import dev.ferrymta.cluster.Peer;
import dev.ferrymta.relay.dkim.DkimPublicationChecks;
import dev.ferrymta.relay.lifecycle.Link;
import dev.ferrymta.relay.outbox.RecentResults;
import dev.ferrymta.relay.outbox.RelayStatus;
import java.net.InetAddress;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * What the console shows about the instance it runs in, and the cluster as it sees it.
 *
 * @param serverId        the instance's {@code server-id}
 * @param hostname        the host it runs on, as its announces say
 * @param version         the software version
 * @param started         when the instance started
 * @param ips             the source IPs it owns
 * @param links           the services it depends on, in the order they are shown
 * @param settingsVersion the shared settings version in force now (0 before the first load)
 * @param relay           what the delivery engine is doing; empty until it runs
 * @param editor          changes the shared settings; empty until they are loaded
 * @param peers           the other live instances of the cluster, as last announced
 * @param outboxDepth     messages waiting in the outbox queue; empty when not known
 * @param results         the relay's recent outcomes; empty until it runs
 * @param rejectedControl cluster control messages dropped (malformed, unsigned, wrongly signed)
 * @param rejectedForward forwarded messages dropped for the same reasons
 * @param dkimChecks      whether each DKIM key is published and matches; empty: not checked
 * @param clusterSigned   whether cluster traffic is signed ({@code cluster-secret}); unsigned is warned of on
 *                        {@code /health} and the overview
 * @param cluster         the cluster's conflicts, clocks and forward queues as this instance sees them
 */
public record InstanceInfo(String serverId, String hostname, String version, Instant started, List<InetAddress> ips,
        List<Link> links, LongSupplier settingsVersion, Supplier<Optional<RelayStatus>> relay,
        Supplier<Optional<SettingsEditor>> editor, Supplier<List<Peer>> peers, Supplier<OptionalLong> outboxDepth,
        Supplier<Optional<RecentResults>> results, LongSupplier rejectedControl, LongSupplier rejectedForward,
        Optional<DkimPublicationChecks> dkimChecks, boolean clusterSigned, Supplier<ClusterHealth> cluster) {

    /** Without a view of the cluster's conflicts and forward queues. */
    public InstanceInfo(String serverId, String hostname, String version, Instant started, List<InetAddress> ips,
            List<Link> links, LongSupplier settingsVersion, Supplier<Optional<RelayStatus>> relay,
            Supplier<Optional<SettingsEditor>> editor, Supplier<List<Peer>> peers, Supplier<OptionalLong> outboxDepth,
            Supplier<Optional<RecentResults>> results, LongSupplier rejectedControl, LongSupplier rejectedForward,
            Optional<DkimPublicationChecks> dkimChecks, boolean clusterSigned) {
        this(serverId, hostname, version, started, ips, links, settingsVersion, relay, editor, peers, outboxDepth, results,
                rejectedControl, rejectedForward, dkimChecks, clusterSigned, () -> ClusterHealth.NONE);
    }

    /** The cluster's traffic signed ({@code cluster-secret} set). */
    public InstanceInfo(String serverId, String hostname, String version, Instant started, List<InetAddress> ips,
            List<Link> links, LongSupplier settingsVersion, Supplier<Optional<RelayStatus>> relay,
            Supplier<Optional<SettingsEditor>> editor, Supplier<List<Peer>> peers, Supplier<OptionalLong> outboxDepth,
            Supplier<Optional<RecentResults>> results, LongSupplier rejectedControl, LongSupplier rejectedForward,
            Optional<DkimPublicationChecks> dkimChecks) {
        this(serverId, hostname, version, started, ips, links, settingsVersion, relay, editor, peers, outboxDepth, results,
                rejectedControl, rejectedForward, dkimChecks, true);
    }

    public InstanceInfo {
        ips = List.copyOf(ips);
        links = List.copyOf(links);
    }

    /** Without DKIM publication checks. */
    public InstanceInfo(String serverId, String hostname, String version, Instant started, List<InetAddress> ips,
            List<Link> links, LongSupplier settingsVersion, Supplier<Optional<RelayStatus>> relay,
            Supplier<Optional<SettingsEditor>> editor, Supplier<List<Peer>> peers, Supplier<OptionalLong> outboxDepth,
            Supplier<Optional<RecentResults>> results, LongSupplier rejectedControl, LongSupplier rejectedForward) {
        this(serverId, hostname, version, started, ips, links, settingsVersion, relay, editor, peers, outboxDepth, results,
                rejectedControl, rejectedForward, Optional.empty());
    }
}
