package dev.ferrymta.cluster;

import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The other instances of the cluster, as learnt from what arrives on the control queue. A peer is
 * live while a message from it arrived within {@code cluster-peer-expiry}, by our clock; after that it
 * is gone, and {@link #expire()} moves it to the departed ones, whose forward queues may hold
 * orphaned forwards ({@link #departed()}). Bounded at {@code maxPeers}, so a flood of invented
 * servers cannot exhaust memory.
 *
 * <p>A source IP claimed by more than one live instance (this one included) is
 * {@linkplain #conflicts() contested}: nobody is its owner until only one claims it, so a forged or
 * mistaken claim is a conflict to fix, never a takeover (docs/adr/0014-cluster-membership.md).
 * Thread-safe.
 */
public final class PeerDirectory {

    /** Far more instances than any real cluster has. */
    public static final int DEFAULT_MAX_PEERS = 1000;

    private static final Comparator<Peer> BY_SERVER = Comparator.comparing(Peer::server);

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

    /**
     * Who owns a source IP, as {@link #route} finds it.
     */
    public sealed interface Owner {

        /** One live peer claims it, and nobody else. */
        record Found(Peer peer) implements Owner {
        }

        /**
         * More than one instance claims it: forwarding waits until the claim is unambiguous.
         *
         * @param claimants the server ids claiming it, sorted
         */
        record Contested(InetAddress ip, List<ServerId> claimants) implements Owner {
        }

        /** No live instance claims any of the candidates. */
        record None() implements Owner {
        }
    }

    /**
     * A membership conflict an operator must resolve.
     *
     * @param kind      {@code contested-ip} or {@code duplicate-server-id}
     * @param subject   the IP, or the server id
     * @param claimants the server ids claiming the IP, or the hosts announcing the server id
     * @param since     when it was first seen, by our clock
     */
    public record Conflict(String kind, String subject, List<String> claimants, Instant since) {

        /** One line for logs, {@code /health} and the console. */
        public String describe() {
            return kind.equals("contested-ip")
                    ? "source IP " + subject + " is claimed by " + String.join(" and ", claimants)
                            + ": nothing is forwarded to it until only one instance claims it"
                    : "server-id " + subject + " is also announced by another instance (host " + String.join(", ", claimants)
                            + "): every instance needs its own server-id";
        }
    }

    private final ServerId self;
    private final String selfIncarnation;
    private final Set<InetAddress> selfIps;
    private final Map<ServerId, Peer> departed = new LinkedHashMap<>();
    private final Map<InetAddress, Instant> contestedSince = new HashMap<>();
    private Instant duplicateSince;
    private Instant duplicateLastSeen;
    private String duplicateHost;
    private final Duration timeout;
    private final int maxPeers;
    private final Clock clock;
    private final Map<ServerId, Peer> peers = new HashMap<>();
    private final Map<InetAddress, Set<ServerId>> owners = new HashMap<>();
    private long ignored;

    /** A directory with {@code cluster-peer-expiry} and {@link #DEFAULT_MAX_PEERS}. */
    public PeerDirectory(ServerId self, String selfIncarnation, ClusterConfig config, Clock clock) {
        this(self, selfIncarnation, List.of(), config.timeout(), DEFAULT_MAX_PEERS, clock);
    }

    /** A directory that knows this instance's own source IPs, so a peer claiming one is a conflict. */
    public PeerDirectory(ServerId self, String selfIncarnation, List<InetAddress> selfIps, ClusterConfig config, Clock clock) {
        this(self, selfIncarnation, selfIps, config.timeout(), DEFAULT_MAX_PEERS, clock);
    }

    /** A directory without own source IPs. */
    public PeerDirectory(ServerId self, String selfIncarnation, Duration timeout, int maxPeers, Clock clock) {
        this(self, selfIncarnation, List.of(), timeout, maxPeers, clock);
    }

    /**
     * @param self            our own server id: announces with it are not peers
     * @param selfIncarnation our own incarnation: an announce with our id and another incarnation
     *                        is a {@link Observation#DUPLICATE_ID}
     * @param selfIps         the source IPs this instance owns ({@code smtp-ips})
     * @param timeout         silence after which a peer is gone
     * @param maxPeers        the most peers held, gone ones included until {@link #expire()}; as
     *                        many departed ones are remembered besides
     */
    public PeerDirectory(ServerId self, String selfIncarnation, List<InetAddress> selfIps, Duration timeout, int maxPeers, Clock clock) {
        this.self = Objects.requireNonNull(self, "self");
        this.selfIncarnation = Objects.requireNonNull(selfIncarnation, "selfIncarnation");
        this.selfIps = Set.copyOf(selfIps);
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
            if (announce.incarnation().equals(selfIncarnation)) {
                return Observation.SELF;
            }
            var now = clock.instant();
            if (duplicateLastSeen == null || !isRecent(duplicateLastSeen, now)) {
                duplicateSince = now;
            }
            duplicateLastSeen = now;
            duplicateHost = announce.hostname();
            return Observation.DUPLICATE_ID;
        }
        var known = Optional.ofNullable(peers.get(announce.server()));
        if (known.isEmpty() && peers.size() >= maxPeers) {
            ignored++;
            return Observation.IGNORED_FULL;
        }
        var now = clock.instant();
        departed.remove(announce.server());
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
        depart(peer);
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
        gone.forEach(this::depart);
        return gone;
    }

    /**
     * The peers that left or went silent and have not announced since, oldest departure first,
     * each as last heard of ({@link Peer#lastSeen()} says since when it is silent). Their forward
     * queues may hold forwards nobody consumes.
     */
    public synchronized List<Peer> departed() {
        return List.copyOf(departed.values());
    }

    /** Stops remembering a departed peer, e.g. once its forward queue is drained and deleted. */
    public synchronized void forget(ServerId server) {
        departed.remove(server);
    }

    /**
     * Who owns one of the candidate addresses: the first candidate claimed by exactly one live
     * peer (and not by this instance) decides. A candidate claimed by several instances is
     * skipped; when no candidate has a single owner and one was contested, the answer is
     * {@link Owner.Contested}, so the caller can say why it waits.
     */
    public synchronized Owner route(List<InetAddress> candidates) {
        var now = clock.instant();
        Owner contested = null;
        for (var candidate : candidates) {
            var claimants = claimants(candidate, now);
            if (claimants.size() == 1 && !claimants.getFirst().equals(self)) {
                return new Owner.Found(peers.get(claimants.getFirst()));
            }
            if (claimants.size() > 1 && contested == null) {
                contested = new Owner.Contested(candidate, claimants);
            }
        }
        return contested != null ? contested : new Owner.None();
    }

    /** The single live peer owning one of the candidates, as {@link #route} finds it. */
    public Optional<Peer> ownerOf(List<InetAddress> candidates) {
        return route(candidates) instanceof Owner.Found found ? Optional.of(found.peer()) : Optional.empty();
    }

    /**
     * The conflicts in force: every source IP claimed by more than one live instance (this one
     * included), and another instance announcing this instance's server-id within the last
     * {@code cluster-peer-expiry}. Sorted by kind and subject.
     */
    public synchronized List<Conflict> conflicts() {
        var now = clock.instant();
        var contested = new TreeMap<String, Conflict>();
        var ips = new HashSet<>(owners.keySet());
        ips.addAll(selfIps);
        var stillContested = new HashSet<InetAddress>();
        for (var ip : ips) {
            var claimants = claimants(ip, now);
            if (claimants.size() > 1) {
                stillContested.add(ip);
                var since = contestedSince.computeIfAbsent(ip, k -> now);
                contested.put(ip.getHostAddress(), new Conflict("contested-ip", ip.getHostAddress(),
                        claimants.stream().map(ServerId::value).toList(), since));
            }
        }
        contestedSince.keySet().retainAll(stillContested);
        var all = new ArrayList<Conflict>();
        if (duplicateLastSeen != null && isRecent(duplicateLastSeen, now)) {
            all.add(new Conflict("duplicate-server-id", self.value(), List.of(duplicateHost), duplicateSince));
        }
        all.addAll(contested.values());
        return List.copyOf(all);
    }

    private List<ServerId> claimants(InetAddress ip, Instant now) {
        var claimants = new ArrayList<ServerId>();
        for (var server : owners.getOrDefault(ip, Set.of())) {
            if (isLive(peers.get(server), now)) {
                claimants.add(server);
            }
        }
        if (selfIps.contains(ip)) {
            claimants.add(self);
        }
        claimants.sort(Comparator.naturalOrder());
        return claimants;
    }

    private boolean isRecent(Instant seen, Instant now) {
        return !now.isAfter(seen.plus(timeout));
    }

    private void depart(Peer peer) {
        departed.remove(peer.server());
        departed.put(peer.server(), peer);
        while (departed.size() > maxPeers) {
            departed.remove(departed.keySet().iterator().next());
        }
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
