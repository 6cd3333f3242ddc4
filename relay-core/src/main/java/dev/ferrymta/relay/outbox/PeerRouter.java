package dev.ferrymta.relay.outbox;

import dev.ferrymta.relay.message.OutboxMessage;
import dev.ferrymta.relay.broker.InboundMessage;
import java.net.InetAddress;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Hands a message to the instance of the cluster that owns one of its source IPs. The cluster
 * module implements it; without a cluster, {@link #NONE} knows no peers.
 */
public interface PeerRouter {

    /**
     * No cluster: no other instance can ever send a message whose source IPs this one does not
     * own, so it fails for good, as MailerQ fails a message whose {@code "ips"} are not bound to
     * its server (MailerQ's JSON messages, "Local IP addresses").
     */
    PeerRouter NONE = (message, parsed, ips) -> new Route.Unowned("this instance does not own " + describe(ips)
            + " (smtp-ips) and is in no cluster, so no instance can send from it");

    /**
     * Forwards {@code message} to a live peer owning one of {@code ips}, or says why not.
     *
     * @param message the outbox message as taken from the broker (body and headers)
     * @param parsed  the same, parsed
     * @param ips     the candidate source IPs, none of them owned here
     */
    Route forward(InboundMessage message, OutboxMessage parsed, List<InetAddress> ips);

    /** What became of a forward. */
    sealed interface Route {

        /**
         * On its way: the future completes when the broker confirmed the forward, or fails when
         * it cannot be (the owner's queue is gone): then the message is retried later.
         */
        record Forwarded(CompletableFuture<Void> confirmed) implements Route {
        }

        /** Not forwarded (no live owner, or already forwarded once): a temporary failure. */
        record Refused(String reason) implements Route {
        }

        /** Not forwarded, and never can be (no cluster to forward to): the message fails for good. */
        record Unowned(String reason) implements Route {
        }
    }

    /** IPs as a person reads them: {@code 127.0.0.2 or 127.0.0.3}. */
    static String describe(List<InetAddress> ips) {
        return String.join(" or ", ips.stream().map(InetAddress::getHostAddress).toList());
    }
}
