package dev.ferrymta.relay.dns;

import java.util.List;

/** Where mail for a domain goes, or why it cannot go anywhere. */
public sealed interface Destination {

    /** Hosts to try in this order. */
    record Hosts(List<MxTarget> targets) implements Destination {
        public Hosts {
            targets = List.copyOf(targets);
        }
    }

    /** The domain takes no mail, now or later (null MX, no such domain): a permanent failure. */
    record NoMail(String reason) implements Destination {
    }

    /** DNS cannot say now (timeout, SERVFAIL): a temporary failure. */
    record Unavailable(String reason) implements Destination {
    }
}
