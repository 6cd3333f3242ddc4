package dev.ferrymta.relay.settings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class IpRangeTest {

    @ParameterizedTest
    @CsvSource({
            "127.0.0.2, 127.0.0.2, true",
            "127.0.0.2, 127.0.0.3, false",
            "127.0.0.0/24, 127.0.0.200, true",
            "127.0.0.0/24, 127.0.1.1, false",
            "0.0.0.0/0, 192.0.2.1, true",
            "2001:db8::/32, 2001:db8:1::5, true",
            "2001:db8::/32, 2001:db9::5, false",
            "127.0.0.0/8, ::1, false",
            "192.0.2.0/25, 192.0.2.127, true",
            "192.0.2.0/25, 192.0.2.128, false",
    })
    void containsTheAddressesOfItsNetwork(String range, String address, boolean contained) throws Exception {
        assertThat(IpRange.parse(range).contains(InetAddress.getByName(address))).isEqualTo(contained);
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1/33", "127.0.0.1/-1", "127.0.0.1/x", "127.0.0.1/24", "mail.example.com", "300.1.1.1"})
    void refusesMalformedRanges(String text) {
        assertThatThrownBy(() -> IpRange.parse(text)).isInstanceOf(IllegalArgumentException.class);
    }

    @org.junit.jupiter.api.Test
    void namesTheNetworkWhenHostBitsAreSet() {
        assertThatThrownBy(() -> IpRange.parse("192.0.2.10/24")).hasMessageContaining("the network is 192.0.2.0/24");
    }

    @org.junit.jupiter.api.Test
    void printsASingleAddressWithoutPrefix() {
        assertThat(IpRange.parse("127.0.0.2/32")).hasToString("127.0.0.2");
        assertThat(IpRange.parse("10.0.0.0/8")).hasToString("10.0.0.0/8");
    }
}
