package dev.ferrymta.relay.outbox;

import dev.ferrymta.relay.message.OutboxMessage;
import java.net.InetAddress;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Hands a message to the instance of the cluster that owns one of its source IPs. The cluster
 * module implements it; without a cluster, {@link #NONE} knows no peers.
 */
public interface PeerRouter {

    /** No peers: every message needing a foreign IP is a temporary failure. */
    PeerRouter NONE = (message, parsed, ips) -> Optional.empty();

    /**
     * Forwards {@code message} to a live peer owning one of {@code ips}.
     *
     * @return empty when no live peer owns any of them (or the message may not be forwarded
     *         again); else a future completing when the broker confirmed the forward
     */
    Optional<CompletableFuture<Void>> forward(InboundMessage message, OutboxMessage parsed, List<InetAddress> ips);
}
