package dev.ferrymta.relay.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ValueTypeTest {

    private static final ValueType<Duration> DURATION = ValueType.duration(Duration.ofMillis(1), Duration.ofDays(30));

    @ParameterizedTest
    @CsvSource({
            "30, PT30S",
            "30s, PT30S",
            "500ms, PT0.5S",
            "5m, PT5M",
            "2h, PT2H",
            "1d, PT24H",
            "10S, PT10S",
    })
    void parsesDurationsWithPlainNumbersAsSeconds(String text, Duration expected) {
        assertThat(DURATION.parse().apply(text)).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "-1", "1.5", "10 s", "5w", "31d", "0", "99999999999999"})
    void rejectsDurationsOutOfShapeOrRange(String text) {
        assertThatThrownBy(() -> DURATION.parse().apply(text)).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            // MailerQ's own default, as its config file has it
            "600,600,1800,1800,3600,3600,7200 | PT10M PT10M PT30M PT30M PT1H PT1H PT2H",
            "600 | PT10M",
            "10m, 1h 2h | PT10M PT1H PT2H",
            "30s,30s | PT30S PT30S",
    })
    void readsDurationListsInOrderRepeatsKept(String text, String expected) {
        var list = ValueType.durationList(Duration.ofSeconds(1), Duration.ofDays(1)).parse().apply(text);

        assertThat(list).map(Duration::toString).containsExactly(expected.split(" "));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', nullValues = "-", value = {
            "'' | -",
            "',' | -",
            "600,x | 'x' is not one",
            "600,0 | '0' is not one",
            "600,2d | '2d' is not one",
    })
    void refusesDurationListsThatAreEmptyOrHoldABadOne(String text, String detail) {
        var type = ValueType.durationList(Duration.ofSeconds(1), Duration.ofDays(1));

        assertThatThrownBy(() -> type.parse().apply(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage(detail);
        assertThat(type.expected()).startsWith("one or more durations from 1s to 1d separated by commas");
    }

    @ParameterizedTest
    @CsvSource({"1, true", "65535, true", "0, false", "65536, false", "80a, false", "-5, false"})
    void acceptsOnlyPortsInRange(String text, boolean valid) {
        if (valid) {
            assertThat(ValueType.port().parse().apply(text)).isEqualTo(Integer.parseInt(text));
        } else {
            assertThatThrownBy(() -> ValueType.port().parse().apply(text)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.2", "192.0.2.10", "2001:db8::10", "::1", "[::1]", "0.0.0.0"})
    void acceptsIpLiterals(String text) throws Exception {
        var expected = InetAddress.getByName(text.replace("[", "").replace("]", ""));

        assertThat(ValueType.ipAddress().parse().apply(text)).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"localhost", "mail.example.com", "256.1.1.1", "1.2.3", "01.2.3.4", "1:2:3:4:5:6:7:8:9", "", "1.2.3.4 "})
    void rejectsHostNamesAndMalformedIps(String text) {
        assertThatThrownBy(() -> ValueType.ipAddress().parse().apply(text)).isInstanceOf(IllegalArgumentException.class);
    }

    @org.junit.jupiter.api.Test
    void readsIpListsSeparatedByCommasOrSpacesWithoutDuplicates() throws Exception {
        var ips = ValueType.ipList().parse().apply("127.0.0.2, 127.0.0.3 127.0.0.2,,::1");

        assertThat(ips).containsExactly(InetAddress.getByName("127.0.0.2"), InetAddress.getByName("127.0.0.3"),
                InetAddress.getByName("::1"));
    }

    @org.junit.jupiter.api.Test
    void namesTheBadEntryOfAnIpList() {
        assertThatThrownBy(() -> ValueType.ipList().parse().apply("127.0.0.2, mail.example.com"))
                .hasMessage("'mail.example.com' is not an IP address");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "outbox | true",
            "ferry.outbox-1 | true",
            "amq.direct | false",
            "'' | false",
    })
    void acceptsOnlyDeclarableQueueNames(String text, boolean valid) {
        if (valid) {
            assertThat(ValueType.queueName().parse().apply(text)).isEqualTo(text);
        } else {
            assertThatThrownBy(() -> ValueType.queueName().parse().apply(text)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "mail1 | true",
            "mx-2.example.com | true",
            "a_b | true",
            "-leading | false",
            "has space | false",
            "slash/name | false",
    })
    void acceptsServerIdsSafeForQueueNames(String text, boolean valid) {
        if (valid) {
            assertThat(ValueType.serverId().parse().apply(text)).isEqualTo(text);
        } else {
            assertThatThrownBy(() -> ValueType.serverId().parse().apply(text)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "127.0.0.1:5353 | 127.0.0.1 | 5353",
            "127.0.0.1 | 127.0.0.1 | 53",
            "ns1.example.com | ns1.example.com | 53",
            "[::1]:5353 | ::1 | 5353",
            "::1 | ::1 | 53",
    })
    void readsHostAndOptionalPort(String text, String host, int port) {
        assertThat(ValueType.hostAndPort(53).parse().apply(text)).isEqualTo(new HostAndPort(host, port));
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1:0", "127.0.0.1:99999", "host:port", "bad_host", "[::1", "[::1]x"})
    void rejectsBadHostAndPort(String text) {
        assertThatThrownBy(() -> ValueType.hostAndPort(53).parse().apply(text)).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://mail1.example.com:8485/", "https://10.0.0.1/console"})
    void acceptsHttpUrls(String text) {
        assertThat(ValueType.httpUrl().parse().apply(text).toString()).isEqualTo(text);
    }

    @ParameterizedTest
    @ValueSource(strings = {"ftp://host/", "mail1:8485", "http://", "not a url"})
    void rejectsOtherUrls(String text) {
        assertThatThrownBy(() -> ValueType.httpUrl().parse().apply(text)).isInstanceOf(IllegalArgumentException.class);
    }
}
