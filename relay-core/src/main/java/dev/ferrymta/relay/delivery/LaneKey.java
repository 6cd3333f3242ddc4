package dev.ferrymta.relay.delivery;

import dev.ferrymta.relay.mail.Domain;
import java.net.InetAddress;

/** What a delivery lane is for: sending from one local IP to one destination domain. */
public record LaneKey(InetAddress ip, Domain domain) {

    @Override
    public String toString() {
        return ip.getHostAddress() + " -> " + domain;
    }
}
