package dev.ferrymta.relay.delivery;

import dev.ferrymta.relay.message.OutboxMessage;
import dev.ferrymta.relay.settings.Settings;
import java.net.InetAddress;
import java.util.List;

/**
 * Picks the candidate source IPs of a message: its {@code "ips"}, else its {@code "pool"}, else
 * {@code smtp-defaultips}, else every IP this instance owns ({@code smtp-ips}). A pure function.
 *
 * @param owned      {@code smtp-ips}
 * @param defaultIps {@code smtp-defaultips}
 */
public record SourceIpSelector(List<InetAddress> owned, List<InetAddress> defaultIps) {

    public SourceIpSelector {
        owned = List.copyOf(owned);
        defaultIps = List.copyOf(defaultIps);
    }

    /** The candidates for {@code message} under {@code settings}. */
    public IpChoice choose(OutboxMessage message, Settings settings) {
        List<InetAddress> candidates;
        if (!message.ips().isEmpty()) {
            candidates = message.ips();
        } else if (message.pool().isPresent()) {
            var pool = message.pool().get();
            var ips = settings.poolIps(pool);
            if (ips.isEmpty()) {
                return new IpChoice.None("the pool '" + pool + "' does not exist in the settings (version " + settings.version() + ")");
            }
            if (ips.get().isEmpty()) {
                return new IpChoice.None("the pool '" + pool + "' has no IPs");
            }
            candidates = ips.get();
        } else if (!defaultIps.isEmpty()) {
            candidates = defaultIps;
        } else if (!owned.isEmpty()) {
            candidates = owned;
        } else {
            return new IpChoice.None("this instance owns no source IPs (smtp-ips is empty)");
        }
        var local = candidates.stream().filter(owned::contains).toList();
        return local.isEmpty() ? new IpChoice.Remote(candidates) : new IpChoice.Local(local);
    }
}
