package dev.ferrymta.cluster;

import java.net.InetAddress;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Who this instance is in the cluster, as its announces say it.
 *
 * @param server        {@code server-id}
 * @param incarnation   new at every start, so peers tell a restart from a repeat
 * @param hostname      the host name
 * @param ips           the source IPs this instance owns
 * @param console       the console's URL, for the links between consoles
 * @param version       the software version
 * @param started       when this incarnation started
 * @param configVersion the settings version in force now
 * @param stats         a few live counters
 */
public record ClusterIdentity(ServerId server, String incarnation, String hostname, List<InetAddress> ips, URI console,
        String version, Instant started, LongSupplier configVersion, Supplier<Map<String, Long>> stats) {

    public ClusterIdentity {
        ips = List.copyOf(ips);
    }

    /** The announce of this instance now. */
    ClusterMessage.Announce announce() {
        return new ClusterMessage.Announce(server, incarnation, hostname, ips, console, version, configVersion.getAsLong(), started,
                stats.get());
    }
}
