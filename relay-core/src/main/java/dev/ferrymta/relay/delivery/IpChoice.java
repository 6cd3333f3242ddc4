package dev.ferrymta.relay.delivery;

import java.net.InetAddress;
import java.util.List;

/** Which source IPs a message may be sent from, and whether this instance owns any of them. */
public sealed interface IpChoice {

    /** Some candidates are owned here, in the message's order of preference. */
    record Local(List<InetAddress> ips) implements IpChoice {
        public Local {
            ips = List.copyOf(ips);
        }
    }

    /** None of the candidates is owned here: another instance of the cluster must send it. */
    record Remote(List<InetAddress> ips) implements IpChoice {
        public Remote {
            ips = List.copyOf(ips);
        }
    }

    /** There are no candidates at all (an unknown or empty pool, no smtp-ips). */
    record None(String reason) implements IpChoice {
    }
}
