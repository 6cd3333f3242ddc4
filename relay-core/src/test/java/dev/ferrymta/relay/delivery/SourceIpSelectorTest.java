package dev.ferrymta.relay.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferrymta.relay.message.MessageParser;
import dev.ferrymta.relay.message.OutboxMessage;
import dev.ferrymta.relay.message.ParsedMessage;
import dev.ferrymta.relay.settings.IpPool;
import dev.ferrymta.relay.settings.Settings;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class SourceIpSelectorTest {

    private static final Settings POOLS = new Settings(1, List.of(
            new IpPool(1, 1, "bulk", ips("10.0.0.3", "10.0.0.1")),
            new IpPool(2, 1, "empty", List.of())), List.of(), List.of(), List.of(), List.of(), List.of());

    private final SourceIpSelector owningOneAndTwo = new SourceIpSelector(ips("10.0.0.1", "10.0.0.2"), List.of());

    private static List<InetAddress> ips(String... texts) {
        return Arrays.stream(texts).map(text -> {
            try {
                return InetAddress.getByName(text);
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException(e);
            }
        }).toList();
    }

    private static OutboxMessage message(String extraJson) {
        var body = "{\"envelope\":\"a@b.test\",\"recipient\":\"c@d.test\",\"mime\":\"x\"" + extraJson + "}";
        return ((ParsedMessage.Valid) MessageParser.parse(body.getBytes())).message();
    }

    @Test
    void theMessagesIpsComeFirstAndOnlyOwnedOnesAreUsedHere() {
        assertThat(owningOneAndTwo.choose(message(",\"ips\":[\"10.0.0.9\",\"10.0.0.2\"],\"pool\":\"bulk\""), POOLS))
                .isEqualTo(new IpChoice.Local(ips("10.0.0.2")));
    }

    @Test
    void aPoolIsUsedWhenTheMessageNamesNoIps() {
        assertThat(owningOneAndTwo.choose(message(",\"pool\":\"bulk\""), POOLS)).isEqualTo(new IpChoice.Local(ips("10.0.0.1")));
    }

    @Test
    void theDefaultIpsAreUsedWhenTheMessageNamesNeither() {
        var selector = new SourceIpSelector(ips("10.0.0.1", "10.0.0.2"), ips("10.0.0.2"));
        assertThat(selector.choose(message(""), POOLS)).isEqualTo(new IpChoice.Local(ips("10.0.0.2")));
    }

    @Test
    void everyOwnedIpIsACandidateWithoutDefaults() {
        assertThat(owningOneAndTwo.choose(message(""), POOLS)).isEqualTo(new IpChoice.Local(ips("10.0.0.1", "10.0.0.2")));
    }

    @Test
    void ipsOwnedByNoneOfOursAreRemote() {
        assertThat(owningOneAndTwo.choose(message(",\"ips\":[\"10.0.0.7\",\"10.0.0.8\"]"), POOLS))
                .isEqualTo(new IpChoice.Remote(ips("10.0.0.7", "10.0.0.8")));
    }

    @Test
    void anUnknownPoolIsNamed() {
        assertThat(owningOneAndTwo.choose(message(",\"pool\":\"nope\""), POOLS))
                .isInstanceOfSatisfying(IpChoice.None.class, none -> assertThat(none.reason()).contains("'nope' does not exist"));
    }

    @Test
    void anEmptyPoolIsNamed() {
        assertThat(owningOneAndTwo.choose(message(",\"pool\":\"empty\""), POOLS))
                .isInstanceOfSatisfying(IpChoice.None.class, none -> assertThat(none.reason()).contains("'empty' has no IPs"));
    }

    @Test
    void anInstanceWithoutIpsHasNoCandidates() {
        assertThat(new SourceIpSelector(List.of(), List.of()).choose(message(""), POOLS)).isInstanceOf(IpChoice.None.class);
    }
}
