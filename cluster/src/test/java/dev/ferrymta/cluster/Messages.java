package dev.ferrymta.cluster;

import dev.ferrymta.relay.settings.IpLiteral;
import java.net.InetAddress;
import java.net.URI;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** Example messages for the tests. */
final class Messages {

    private Messages() {
    }

    static ClusterMessage.Announce announce(String server, String incarnation, String... ips) {
        return new ClusterMessage.Announce(new ServerId(server), incarnation, server + ".example.com", ips(ips),
                URI.create("http://" + server + ".example.com:8485/"), "0.1.0", 3, Instant.parse("2026-11-22T00:00:00Z"),
                Map.of("delivered", 5L));
    }

    static List<InetAddress> ips(String... ips) {
        return Arrays.stream(ips).map(IpLiteral::parse).toList();
    }
}
