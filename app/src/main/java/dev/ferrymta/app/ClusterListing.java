package dev.ferrymta.app;

import dev.ferrymta.cluster.ClusterLister;
import dev.ferrymta.cluster.Peer;
import dev.ferrymta.relay.broker.BrokerLink;
import dev.ferrymta.relay.lifecycle.ConnectLoop;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeoutException;

/** {@code ./ferry --list-cluster}: one line per live instance, then exit. */
final class ClusterListing {

    private ClusterListing() {
    }

    static int print(FerryConfig config, PrintStream out, PrintStream err) {
        var cluster = config.cluster();
        var address = cluster.address();
        var clock = Clock.systemUTC();
        List<Peer> peers;
        try (var connection = new BrokerLink(address, "ferry --list-cluster", "cluster").connectOnce()) {
            var listen = cluster.listWait();
            peers = ClusterLister.list(connection, cluster, clock, listen);
        } catch (IOException | TimeoutException | RuntimeException e) {
            err.println("ferry: cannot reach the cluster at " + address + ": " + ConnectLoop.reason(e));
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
        var now = clock.instant();
        out.printf("%-20s %-28s %-24s %-36s %s%n", "SERVER", "HOST", "IPS", "CONSOLE", "LAST SEEN");
        for (var peer : peers) {
            var ips = String.join(",", peer.ips().stream().map(InetAddress::getHostAddress).toList());
            out.printf("%-20s %-28s %-24s %-36s %.1fs ago%n", peer.server(), peer.hostname(), ips.isEmpty() ? "-" : ips,
                    peer.console(), Duration.between(peer.lastSeen(), now).toMillis() / 1000.0);
        }
        out.printf("%d live instance%s on exchange '%s' at %s%n", peers.size(), peers.size() == 1 ? "" : "s", cluster.exchange(),
                address);
        return 0;
    }
}
