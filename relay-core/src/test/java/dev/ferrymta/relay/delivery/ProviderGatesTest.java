package dev.ferrymta.relay.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferrymta.relay.settings.ProviderLimits;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** The connections and pace the lanes of one IP share for one provider. */
class ProviderGatesTest {

    private static final Instant NOON = Instant.parse("2026-11-30T12:00:00Z");
    private final ProviderGates gates = new ProviderGates(Clock.fixed(NOON, ZoneOffset.UTC));

    @Test
    void permitsAreCountedPerIpAndProviderAndComeBack() throws Exception {
        var two = new ProviderLimits(OptionalInt.of(2), OptionalInt.empty());
        var ip = InetAddress.getByName("192.0.2.1");
        var google = gates.gate(ip, "google");
        assertThat(gates.gate(ip, "google")).isSameAs(google);

        assertThat(google.open(two, Duration.ZERO)).isTrue();
        assertThat(google.open(two, Duration.ZERO)).isTrue();
        assertThat(google.open(two, Duration.ZERO)).as("a third connection to google from this IP").isFalse();
        assertThat(gates.gate(ip, "yahoo").open(two, Duration.ZERO)).as("another provider").isTrue();
        assertThat(gates.gate(InetAddress.getByName("192.0.2.2"), "google").open(two, Duration.ZERO)).as("another IP").isTrue();

        google.close();
        assertThat(google.open(two, Duration.ZERO)).isTrue();
        assertThat(google.open()).isEqualTo(2);
        assertThat(google.open(ProviderLimits.NONE, Duration.ZERO)).as("no connection cap").isTrue();
    }

    @Test
    void theProvidersPaceSpacesStartsAcrossItsLanes() throws Exception {
        var gate = gates.gate(InetAddress.getByName("192.0.2.1"), "google");
        assertThat(gate.reserve(60)).isEqualTo(NOON);
        assertThat(gate.reserve(60)).isEqualTo(NOON.plusSeconds(1));
        assertThat(gate.reserve(60)).isEqualTo(NOON.plusSeconds(2));
    }
}
