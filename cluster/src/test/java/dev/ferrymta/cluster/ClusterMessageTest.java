package dev.ferrymta.cluster;

import static dev.ferrymta.cluster.Messages.announce;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ClusterMessageTest {

    private static final ServerId A = new ServerId("a");

    static Stream<Arguments> typesAndSenders() {
        return Stream.of(
                Arguments.of(announce("a", "i1"), "announce", Optional.of(A)),
                Arguments.of(new ClusterMessage.Leave(A, "i1"), "leave", Optional.of(A)),
                Arguments.of(new ClusterMessage.Reset(A, 7), "reset", Optional.of(A)),
                Arguments.of(new ClusterMessage.Reload(), "reload", Optional.empty()),
                Arguments.of(new ClusterMessage.Hello(), "hello", Optional.empty()));
    }

    @ParameterizedTest
    @MethodSource("typesAndSenders")
    void namesItsTypeAndSender(ClusterMessage message, String type, Optional<ServerId> sender) {
        assertThat(message.type()).isEqualTo(type);
        assertThat(message.sender()).isEqualTo(sender);
    }

    @Test
    void anAnnounceRefusesMoreIpsThanThePeersAccept() {
        var ips = new String[ClusterCodec.MAX_IPS + 1];
        for (int i = 0; i < ips.length; i++) {
            ips[i] = "10.0." + (i / 256) + "." + (i % 256);
        }
        assertThatThrownBy(() -> announce("a", "i1", ips)).hasMessage("\"ips\" holds more than 1024 addresses");
    }

    @Test
    void anAnnounceRefusesAConsoleThatIsNotHttp() {
        var a = announce("a", "i1");
        assertThatThrownBy(() -> new ClusterMessage.Announce(a.server(), "i1", "h", a.ips(), URI.create("ftp://h/"), "v", 0,
                Instant.EPOCH, Map.of())).hasMessageStartingWith("\"console\" must be an http:// or https:// URL");
    }

    @Test
    void aResetRefusesANegativeVersion() {
        assertThatThrownBy(() -> new ClusterMessage.Reset(A, -1)).hasMessageStartingWith("\"configVersion\" must be a whole number");
    }

    @Test
    void aLeaveRefusesAnEmptyIncarnation() {
        assertThatThrownBy(() -> new ClusterMessage.Leave(A, "")).hasMessage("\"incarnation\" is empty");
    }

    @Test
    void anAnnounceKeepsItsOwnCopyOfTheStats() {
        var stats = new HashMap<String, Long>();
        stats.put("delivered", 1L);
        var a = announce("a", "i1");
        var announce = new ClusterMessage.Announce(a.server(), "i1", "h", a.ips(), a.console(), "v", 0, Instant.EPOCH, stats);
        stats.put("delivered", 2L);

        assertThat(announce.stats()).containsExactly(Map.entry("delivered", 1L));
        assertThatThrownBy(() -> announce.stats().put("x", 1L)).isInstanceOf(UnsupportedOperationException.class);
    }
}
