package dev.ferrymta.cluster;

import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The other instances of the cluster, as learnt from what arrives on the control queue. A peer is
 * live while a message from it arrived within {@code cluster-peer-expiry}, by our clock; after that it
 * is gone, and {@link #expire()} removes it. Bounded at {@code maxPeers}, so a flood of invented
 * servers cannot exhaust memory. Thread-safe.
 */
public final class PeerDirectory {

    /** Far more instances than any real cluster has. */
    public static final int DEFAULT_MAX_PEERS = 1000;

    private static final Comparator<Peer> BY_SERVER = Comparator.comparing(Peer::server);
    private static final Comparator<Peer> BY_RECENCY = Comparator.comparing(Peer::lastSeen)
            .thenComparing(Peer::server, Comparator.reverseOrder());

    /** What an announce told the directory. */
    public enum Observation {
        /** A server not known, or known but gone: answer with an announce of our own. */
        NEW_PEER,
        /** A live peer with a new incarnation, so it restarted: answer with an announce of our own. */
        RESTARTED,
        /** A live peer, same incarnation: its data and last-seen time are refreshed. */
        KNOWN,
        /** Our own announce, come back over the broadcast binding: ignored. */
        SELF,
        /** Another instance uses our server id (a different incarnation of ourselves): log an error. */
        DUPLICATE_ID,
        /** A new server while the directory is full: ignored and counted. */
        IGNORED_FULL
    }

    private final ServerId self;
    private final String selfIncarnation;
    private final Duration timeout;
    private final int maxPeers;
    private final Clock clock;
    private final Map<ServerId, Peer> peers = new HashMap<>();
    private final Map<InetAddress, Set<ServerId>> owners = new HashMap<>();
    private long ignored;

    /** A directory with {@code cluster-peer-expiry} and {@link #DEFAULT_MAX_PEERS}. */
    public PeerDirectory(ServerId self, String selfIncarnation, ClusterConfig config, Clock clock) {
        this(self, selfIncarnation, config.timeout(), DEFAULT_MAX_PEERS, clock);
    }

    /**
     * @param self            our own server id: announces with it are not peers
     * @param selfIncarnation our own incarnation: an announce with our id and another incarnation
     *                        is a {@link Observation#DUPLICATE_ID}
     * @param timeout         silence after which a peer is gone
     * @param maxPeers        the most peers held, gone ones included until {@link #expire()}
     */
    public PeerDirectory(ServerId self, String selfIncarnation, Duration timeout, int maxPeers, Clock clock) {
        this.self = Objects.requireNonNull(self, "self");
        this.selfIncarnation = Objects.requireNonNull(selfIncarnation, "selfIncarnation");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("the peer timeout must be positive, not " + timeout);
        }
        if (maxPeers < 1) {
            throw new IllegalArgumentException("maxPeers must be at least 1, not " + maxPeers);
        }
        this.timeout = timeout;
        this.maxPeers = maxPeers;
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Records an announce as heard now, and says what it was. */
    public synchronized Observation heard(ClusterMessage.Announce announce) {
        if (announce.server().equals(self)) {
            return announce.incarnation().equals(selfIncarnation) ? Observation.SELF : Observation.DUPLICATE_ID;
        }
        var known = Optional.ofNullable(peers.get(announce.server()));
        if (known.isEmpty() && peers.size() >= maxPeers) {
            ignored++;
            return Observation.IGNORED_FULL;
        }
        var now = clock.instant();
        replace(known, Peer.from(announce, now));
        if (known.isEmpty() || !isLive(known.get(), now)) {
            return Observation.NEW_PEER;
        }
        return known.get().incarnation().equals(announce.incarnation()) ? Observation.KNOWN : Observation.RESTARTED;
    }

    /**
     * Any other message from {@code server} arrived now: a live peer stays live. A gone one stays
     * gone until it announces again, since what it owns may have changed meanwhile.
     */
    public synchronized void heardFrom(ServerId server) {
        var peer = peers.get(server);
        var now = clock.instant();
        if (peer != null && isLive(peer, now)) {
            peers.put(server, peer.seenAt(now));
        }
    }

    /**
     * A peer said it stops: it is removed at once, if the leave is from its current incarnation (a
     * late leave from before a restart must not remove the restarted peer).
     *
     * @return the peer removed
     */
    public synchronized Optional<Peer> left(ClusterMessage.Leave leave) {
        var peer = peers.get(leave.server());
        if (peer == null || !peer.incarnation().equals(leave.incarnation())) {
            return Optional.empty();
        }
        remove(peer);
        return Optional.of(peer);
    }

    /** The live peers, by server id. */
    public synchronized List<Peer> live() {
        var now = clock.instant();
        return peers.values().stream().filter(p -> isLive(p, now)).sorted(BY_SERVER).toList();
    }

    /** A live peer by its id. */
    public synchronized Optional<Peer> find(ServerId server) {
        return Optional.ofNullable(peers.get(server)).filter(p -> isLive(p, clock.instant()));
    }

    /**
     * Removes the peers silent for longer than the timeout, to be called every interval.
     *
     * @return the peers removed, by server id, for a "peer gone" line each
     */
    public synchronized List<Peer> expire() {
        var now = clock.instant();
        var gone = peers.values().stream().filter(p -> !isLive(p, now)).sorted(BY_SERVER).toList();
        gone.forEach(this::remove);
        return gone;
    }

    /**
     * A live peer owning one of the candidate addresses: the first candidate that has a live owner
     * decides; when several peers claim it, the one heard from most recently wins.
     */
    public synchronized Optional<Peer> ownerOf(List<InetAddress> candidates) {
        var now = clock.instant();
        for (var candidate : candidates) {
            var claimants = owners.getOrDefault(candidate, Set.of());
            var owner = claimants.stream().map(peers::get).filter(p -> isLive(p, now)).max(BY_RECENCY);
            if (owner.isPresent()) {
                return owner;
            }
        }
        return Optional.empty();
    }

    /** New servers ignored because the directory was full, since the start. */
    public synchronized long ignoredPeers() {
        return ignored;
    }

    private boolean isLive(Peer peer, Instant now) {
        return !now.isAfter(peer.lastSeen().plus(timeout));
    }

    private void replace(Optional<Peer> old, Peer peer) {
        if (old.isPresent() && old.get().ips().equals(peer.ips())) {
            peers.put(peer.server(), peer);
            return;
        }
        old.ifPresent(this::remove);
        peers.put(peer.server(), peer);
        for (var ip : peer.ips()) {
            owners.computeIfAbsent(ip, k -> new HashSet<>()).add(peer.server());
        }
    }

    private void remove(Peer peer) {
        peers.remove(peer.server());
        for (var ip : peer.ips()) {
            var claimants = owners.get(ip);
            if (claimants != null) {
                claimants.remove(peer.server());
                if (claimants.isEmpty()) {
                    owners.remove(ip);
                }
            }
        }
    }

    /** A readable summary for logs. */
    @Override
    public synchronized String toString() {
        return "PeerDirectory[self=" + self + ", peers=" + peers.keySet().stream().sorted().toList() + "]";
    }
}
