package dev.ferrymta.relay.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferrymta.relay.settings.IpRange;
import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DestinationCheckTest {

    private static final DestinationCheck CHECK;

    static {
        try {
            CHECK = new DestinationCheck(List.of(InetAddress.getByName("192.0.2.10"), InetAddress.getByName("127.0.0.2")),
                    List.of(IpRange.parse("127.0.1.0/24")));
        } catch (java.net.UnknownHostException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** address, named by a domain route, the refusal's start (empty: allowed). */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "198.51.100.7 | false | ",
            "2001:db8::25 | false | ",
            "192.0.2.10 | false | mail for this destination loops back to myself",
            "192.0.2.10 | true | mail for this destination loops back to myself",
            "127.0.0.2 | true | mail for this destination loops back to myself",
            "0.0.0.0 | false | the destination resolves to the unspecified address",
            ":: | true | the destination resolves to the unspecified address",
            "127.0.0.1 | false | the destination resolves to the loopback address 127.0.0.1",
            "::1 | false | the destination resolves to the loopback address",
            "127.0.0.1 | true | ",
            "127.0.1.25 | false | ",
            "127.0.2.25 | false | the destination resolves to the loopback address 127.0.2.25",
    })
    void refusesLoopsLoopbackAndTheUnspecifiedAddress(String address, boolean routed, String refusal) throws Exception {
        var verdict = CHECK.refusal(InetAddress.getByName(address), routed);

        if (refusal == null) {
            assertThat(verdict).isNull();
        } else {
            assertThat(verdict).startsWith(refusal);
        }
    }
}
