package dev.ferrymta.cluster;

import static dev.ferrymta.cluster.Messages.announce;
import static dev.ferrymta.cluster.Messages.ips;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferrymta.cluster.PeerDirectory.Observation;
import dev.ferrymta.testing.time.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class PeerDirectoryTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(15);
    private static final ServerId SELF = new ServerId("a");
    private static final ServerId B = new ServerId("b");

    private final ManualClock clock = new ManualClock();
    private final PeerDirectory directory = new PeerDirectory(SELF, "self-1", TIMEOUT, 1000, clock);

    private List<ServerId> live() {
        return directory.live().stream().map(Peer::server).toList();
    }

    @Test
    void answersAnUnknownServerAsANewPeer() {
        assertThat(directory.heard(announce("b", "b-1", "127.0.0.3"))).isEqualTo(Observation.NEW_PEER);
        assertThat(live()).containsExactly(B);
    }

    @Test
    void recordsTheLocalReceiveTimeNotTheSendersClock() {
        directory.heard(announce("b", "b-1"));

        var peer = directory.live().getFirst();
        assertThat(peer.lastSeen()).isEqualTo(clock.instant());
        assertThat(peer.started()).isEqualTo(Instant.parse("2026-11-22T00:00:00Z"));
    }

    @Test
    void keepsTheAnnouncedData() {
        var announce = announce("b", "b-1", "127.0.0.3");
        directory.heard(announce);

        assertThat(directory.find(B)).contains(Peer.from(announce, clock.instant()));
    }

    @Test
    void callsTheSameIncarnationKnownAndUpdatesItsData() {
        directory.heard(announce("b", "b-1", "127.0.0.3"));
        clock.advance(Duration.ofSeconds(5));

        assertThat(directory.heard(announce("b", "b-1", "127.0.0.4"))).isEqualTo(Observation.KNOWN);
        assertThat(directory.find(B).orElseThrow().ips()).isEqualTo(ips("127.0.0.4"));
        assertThat(directory.find(B).orElseThrow().lastSeen()).isEqualTo(clock.instant());
    }

    @Test
    void callsANewIncarnationOfALivePeerRestarted() {
        directory.heard(announce("b", "b-1"));

        assertThat(directory.heard(announce("b", "b-2"))).isEqualTo(Observation.RESTARTED);
        assertThat(directory.find(B).orElseThrow().incarnation()).isEqualTo("b-2");
    }

    @Test
    void callsAGonePeerThatAnnouncesAgainNew() {
        directory.heard(announce("b", "b-1"));
        clock.advance(TIMEOUT.plusMillis(1));

        assertThat(directory.heard(announce("b", "b-1"))).isEqualTo(Observation.NEW_PEER);
    }

    @Test
    void keepsAPeerLiveUntilExactlyTheTimeout() {
        directory.heard(announce("b", "b-1"));
        clock.advance(TIMEOUT);

        assertThat(live()).containsExactly(B);
        assertThat(directory.expire()).isEmpty();
    }

    @Test
    void expiresAPeerOneMillisecondAfterTheTimeout() {
        directory.heard(announce("b", "b-1"));
        clock.advance(TIMEOUT.plusMillis(1));

        assertThat(live()).isEmpty();
        assertThat(directory.expire()).extracting(Peer::server).containsExactly(B);
        assertThat(directory.expire()).isEmpty();
    }

    @Test
    void expiresOnlyTheSilentPeers() {
        directory.heard(announce("c", "c-1"));
        directory.heard(announce("b", "b-1"));
        clock.advance(Duration.ofSeconds(10));
        directory.heard(announce("d", "d-1"));
        clock.advance(Duration.ofSeconds(10));

        assertThat(directory.expire()).extracting(Peer::server).containsExactly(B, new ServerId("c"));
        assertThat(live()).containsExactly(new ServerId("d"));
    }

    @Test
    void keepsAPeerLiveWhileOtherMessagesArriveFromIt() {
        directory.heard(announce("b", "b-1"));
        clock.advance(Duration.ofSeconds(10));
        directory.heardFrom(B);
        clock.advance(Duration.ofSeconds(10));

        assertThat(live()).containsExactly(B);
    }

    @Test
    void doesNotReviveAGonePeerWithoutAnAnnounce() {
        directory.heard(announce("b", "b-1"));
        clock.advance(TIMEOUT.plusMillis(1));
        directory.heardFrom(B);

        assertThat(live()).isEmpty();
    }

    @Test
    void learnsNothingFromAMessageOfAnUnknownServer() {
        directory.heardFrom(B);

        assertThat(live()).isEmpty();
    }

    @Test
    void removesAPeerThatLeavesAtOnce() {
        directory.heard(announce("b", "b-1", "127.0.0.3"));

        assertThat(directory.left(new ClusterMessage.Leave(B, "b-1"))).map(Peer::server).contains(B);
        assertThat(live()).isEmpty();
        assertThat(directory.ownerOf(ips("127.0.0.3"))).isEmpty();
    }

    @Test
    void ignoresALeaveFromAnEarlierIncarnation() {
        directory.heard(announce("b", "b-1"));
        directory.heard(announce("b", "b-2"));

        assertThat(directory.left(new ClusterMessage.Leave(B, "b-1"))).isEmpty();
        assertThat(live()).containsExactly(B);
    }

    @Test
    void ignoresALeaveFromAnUnknownServer() {
        assertThat(directory.left(new ClusterMessage.Leave(B, "b-1"))).isEmpty();
    }

    @Test
    void listsLivePeersByServerId() {
        directory.heard(announce("d", "d-1"));
        directory.heard(announce("b", "b-1"));
        directory.heard(announce("c", "c-1"));

        assertThat(live()).extracting(ServerId::value).containsExactly("b", "c", "d");
    }

    /** b owns .3, c owns .4, both claim .5 (contested), d owns .6 but is gone. */
    private void threePeers() {
        directory.heard(announce("d", "d-1", "127.0.0.6"));
        clock.advance(Duration.ofSeconds(10));
        directory.heard(announce("b", "b-1", "127.0.0.3", "127.0.0.5"));
        clock.advance(Duration.ofSeconds(1));
        directory.heard(announce("c", "c-1", "127.0.0.4", "127.0.0.5"));
        clock.advance(Duration.ofSeconds(6));
    }

    static Stream<Arguments> owners() {
        return Stream.of(
                Arguments.of(List.of("127.0.0.3"), "b"),
                Arguments.of(List.of("127.0.0.4"), "c"),
                Arguments.of(List.of("127.0.0.4", "127.0.0.3"), "c"),
                Arguments.of(List.of("127.0.0.3", "127.0.0.4"), "b"),
                Arguments.of(List.of("127.0.0.9", "127.0.0.4"), "c"),
                Arguments.of(List.of("127.0.0.5"), null),
                Arguments.of(List.of("127.0.0.5", "127.0.0.3"), "b"),
                Arguments.of(List.of("127.0.0.5", "127.0.0.4"), "c"),
                Arguments.of(List.of("127.0.0.6", "127.0.0.3"), "b"),
                Arguments.of(List.of("127.0.0.6"), null),
                Arguments.of(List.of("127.0.0.9"), null),
                Arguments.of(List.of(), null));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("owners")
    void findsTheLiveOwnerOfTheFirstCandidateThatHasOne(List<String> candidates, String owner) {
        threePeers();

        var found = directory.ownerOf(ips(candidates.toArray(String[]::new)));

        if (owner == null) {
            assertThat(found).isEmpty();
        } else {
            assertThat(found).map(p -> p.server().value()).contains(owner);
        }
    }

    @Test
    void callsAnIpClaimedByTwoLivePeersContestedAndGivesItToNeither() {
        threePeers();
        directory.heardFrom(B);

        assertThat(directory.route(ips("127.0.0.5"))).isEqualTo(new PeerDirectory.Owner.Contested(
                ips("127.0.0.5").getFirst(), List.of(B, new ServerId("c"))));
        assertThat(directory.conflicts()).singleElement().satisfies(conflict -> {
            assertThat(conflict.kind()).isEqualTo("contested-ip");
            assertThat(conflict.subject()).isEqualTo("127.0.0.5");
            assertThat(conflict.claimants()).containsExactly("b", "c");
            assertThat(conflict.describe()).contains("source IP 127.0.0.5 is claimed by b and c");
        });
    }

    @Test
    void aClaimOnOneOfOurOwnIpsIsAConflictNotATakeover() {
        var withIps = new PeerDirectory(SELF, "self-1", ips("127.0.0.2"), TIMEOUT, 1000, clock);

        withIps.heard(announce("b", "b-1", "127.0.0.2", "127.0.0.3"));

        assertThat(withIps.route(ips("127.0.0.2"))).isInstanceOf(PeerDirectory.Owner.Contested.class);
        assertThat(withIps.route(ips("127.0.0.3"))).isEqualTo(new PeerDirectory.Owner.Found(withIps.find(B).orElseThrow()));
        assertThat(withIps.conflicts()).extracting(PeerDirectory.Conflict::subject).containsExactly("127.0.0.2");
        assertThat(withIps.conflicts().getFirst().claimants()).containsExactly("a", "b");
    }

    @Test
    void aContestedIpHasOneOwnerAgainOnceTheOtherClaimantIsGone() {
        threePeers();
        var since = directory.conflicts().getFirst().since();
        clock.advance(Duration.ofSeconds(1));
        assertThat(directory.conflicts().getFirst().since()).as("the conflict keeps its start").isEqualTo(since);

        directory.left(new ClusterMessage.Leave(new ServerId("c"), "c-1"));

        assertThat(directory.route(ips("127.0.0.5"))).isEqualTo(new PeerDirectory.Owner.Found(directory.find(B).orElseThrow()));
        assertThat(directory.conflicts()).isEmpty();
    }

    @Test
    void reportsAnotherInstanceWithOurServerIdAsAConflictUntilItFallsSilent() {
        var twin = announce("a", "self-2", "127.0.0.9");

        assertThat(directory.heard(twin)).isEqualTo(Observation.DUPLICATE_ID);

        assertThat(directory.conflicts()).singleElement().satisfies(conflict -> {
            assertThat(conflict.kind()).isEqualTo("duplicate-server-id");
            assertThat(conflict.describe()).contains("server-id a is also announced by another instance");
        });
        clock.advance(TIMEOUT.plusMillis(1));
        assertThat(directory.conflicts()).isEmpty();
    }

    @Test
    void remembersDepartedPeersUntilTheyAnnounceAgainOrAreForgotten() {
        directory.heard(announce("b", "b-1", "127.0.0.3"));
        clock.advance(Duration.ofSeconds(2));
        directory.heard(announce("c", "c-1", "127.0.0.4"));
        directory.left(new ClusterMessage.Leave(new ServerId("c"), "c-1"));
        clock.advance(TIMEOUT.plusSeconds(1));
        directory.expire();

        assertThat(directory.departed()).extracting(Peer::server).containsExactly(new ServerId("c"), B);
        assertThat(directory.departed().getLast().lastSeen()).as("silent since its last message")
                .isEqualTo(clock.instant().minus(TIMEOUT.plusSeconds(3)));

        directory.heard(announce("b", "b-2", "127.0.0.3"));
        directory.forget(new ServerId("c"));

        assertThat(directory.departed()).isEmpty();
    }

    @Test
    void forgetsAnAddressAPeerNoLongerAnnounces() {
        directory.heard(announce("b", "b-1", "127.0.0.3"));
        directory.heard(announce("b", "b-1", "127.0.0.4"));

        assertThat(directory.ownerOf(ips("127.0.0.3"))).isEmpty();
        assertThat(directory.ownerOf(ips("127.0.0.4"))).map(Peer::server).contains(B);
    }

    @Test
    void ignoresItsOwnAnnounce() {
        assertThat(directory.heard(announce("a", "self-1", "127.0.0.2"))).isEqualTo(Observation.SELF);
        assertThat(live()).isEmpty();
        assertThat(directory.ownerOf(ips("127.0.0.2"))).isEmpty();
    }

    @Test
    void reportsAnotherInstanceWithItsOwnServerId() {
        assertThat(directory.heard(announce("a", "self-2", "127.0.0.2"))).isEqualTo(Observation.DUPLICATE_ID);
        assertThat(live()).isEmpty();
    }

    @Test
    void ignoresItsOwnLeave() {
        assertThat(directory.left(new ClusterMessage.Leave(SELF, "self-1"))).isEmpty();
    }

    @Test
    void ignoresAndCountsNewServersOnceFull() {
        var small = new PeerDirectory(SELF, "self-1", TIMEOUT, 2, clock);
        small.heard(announce("b", "b-1"));
        small.heard(announce("c", "c-1"));

        assertThat(small.heard(announce("d", "d-1"))).isEqualTo(Observation.IGNORED_FULL);
        assertThat(small.heard(announce("e", "e-1"))).isEqualTo(Observation.IGNORED_FULL);
        assertThat(small.ignoredPeers()).isEqualTo(2);
        assertThat(small.live()).extracting(Peer::server).extracting(ServerId::value).containsExactly("b", "c");
    }

    @Test
    void stillUpdatesKnownPeersWhenFull() {
        var small = new PeerDirectory(SELF, "self-1", TIMEOUT, 1, clock);
        small.heard(announce("b", "b-1"));

        assertThat(small.heard(announce("b", "b-1"))).isEqualTo(Observation.KNOWN);
        assertThat(small.heard(announce("b", "b-2"))).isEqualTo(Observation.RESTARTED);
    }

    @Test
    void makesRoomAgainOnceGonePeersExpire() {
        var small = new PeerDirectory(SELF, "self-1", TIMEOUT, 1, clock);
        small.heard(announce("b", "b-1"));
        clock.advance(TIMEOUT.plusMillis(1));
        small.expire();

        assertThat(small.heard(announce("c", "c-1"))).isEqualTo(Observation.NEW_PEER);
    }

    @Test
    void takesTheTimeoutFromTheClusterConfig() {
        var config = new ClusterConfig(null, "cluster", Duration.ofSeconds(1), Duration.ofSeconds(3), java.util.Optional.empty(), Duration.ofSeconds(2));
        var fromConfig = new PeerDirectory(SELF, "self-1", config, clock);
        fromConfig.heard(announce("b", "b-1"));
        clock.advance(Duration.ofSeconds(3).plusMillis(1));

        assertThat(fromConfig.live()).isEmpty();
    }

    @Test
    void staysConsistentUnderConcurrentUse() throws Exception {
        try (var pool = Executors.newFixedThreadPool(4)) {
            var futures = new ArrayList<Future<?>>();
            for (int t = 0; t < 4; t++) {
                int thread = t;
                futures.add(pool.submit(() -> {
                    for (int i = 0; i < 2_000; i++) {
                        var id = "p" + (i % 50);
                        directory.heard(announce(id, id + "-" + (i % 3 == thread ? 2 : 1), "10.0." + thread + "." + (i % 50)));
                        directory.heardFrom(new ServerId(id));
                        directory.ownerOf(ips("10.0." + thread + "." + (i % 50)));
                        if (i % 7 == 0) {
                            directory.left(new ClusterMessage.Leave(new ServerId(id), id + "-1"));
                        }
                        directory.live();
                    }
                }));
            }
            for (var future : futures) {
                future.get();
            }
        }

        for (var peer : directory.live()) {
            assertThat(directory.ownerOf(peer.ips())).isPresent();
        }
    }
}
