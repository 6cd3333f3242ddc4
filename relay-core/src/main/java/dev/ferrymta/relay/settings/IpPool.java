package dev.ferrymta.relay.settings;

import java.net.InetAddress;
import java.util.List;

/**
 * A named set of source IPs a message can ask for with {@code "pool": "name"}.
 *
 * @param id       database id
 * @param revision bumped by every change, for optimistic concurrency in the console
 * @param name     unique name
 * @param ips      the pool's addresses, in the order they were given
 */
public record IpPool(long id, int revision, String name, List<InetAddress> ips) {

    public IpPool {
        ips = List.copyOf(ips);
    }
}
