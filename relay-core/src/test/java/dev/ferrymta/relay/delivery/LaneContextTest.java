package dev.ferrymta.relay.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LaneContextTest {

    @ParameterizedTest(name = "host name ''{0}'' from {1}: EHLO {2}")
    @CsvSource(delimiter = '|', value = {
            // a fully qualified name is used as it is (RFC 5321 4.1.1.1)
            "mail1.example.com   | 192.0.2.1   | mail1.example.com",
            "mail1.example.com.  | 192.0.2.1   | mail1.example.com",
            "MX.Example.ORG      | 2001:db8::1 | MX.Example.ORG",
            // a bare host name, localhost or a non-name: the source IP's address literal
            "vm                  | 127.0.0.5   | [127.0.0.5]",
            "localhost           | 192.0.2.1   | [192.0.2.1]",
            "localhost.localdomain | 192.0.2.1 | [192.0.2.1]",
            "''                  | 192.0.2.1   | [192.0.2.1]",
            "10.0.0.7            | 10.0.0.7    | [10.0.0.7]",
            "under_score.example | 192.0.2.1   | [192.0.2.1]",
            "vm                  | 2001:db8::1 | [IPv6:2001:db8:0:0:0:0:0:1]",
    })
    void greetsWithTheQualifiedHostNameElseTheAddressLiteral(String hostName, String ip, String expected) throws Exception {
        assertThat(LaneContext.defaultEhloFor(hostName, InetAddress.getByName(ip))).isEqualTo(expected);
    }
}
