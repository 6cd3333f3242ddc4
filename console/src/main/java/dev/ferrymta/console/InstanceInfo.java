package dev.ferrymta.console;

import dev.ferrymta.relay.lifecycle.Link;
import java.net.InetAddress;
import java.time.Instant;
import java.util.List;

/**
 * What the console shows about the instance it runs in.
 *
 * @param serverId the instance's {@code server-id}
 * @param version  the software version
 * @param started  when the instance started
 * @param ips      the source IPs it owns
 * @param links    the services it depends on, in the order they are shown
 */
public record InstanceInfo(String serverId, String version, Instant started, List<InetAddress> ips, List<Link> links) {

    public InstanceInfo {
        ips = List.copyOf(ips);
        links = List.copyOf(links);
    }
}
