package dev.ferrymta.relay.dns;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferrymta.relay.mail.Domain;
import dev.ferrymta.relay.settings.DomainRoute;
import dev.ferrymta.relay.settings.RouteKind;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

class MxResolverTest {

    /** Answers from maps; a name in neither map does not exist. */
    private static final class MapResolver implements DnsResolver {
        final Map<String, DnsAnswer<MxRecord>> mx = new HashMap<>();
        final Map<String, DnsAnswer<InetAddress>> addresses = new HashMap<>();

        @Override
        public DnsAnswer<MxRecord> mx(String domain) {
            return mx.getOrDefault(domain, addresses.containsKey(domain) ? new DnsAnswer.NoRecords<>() : new DnsAnswer.NoSuchName<>());
        }

        @Override
        public DnsAnswer<InetAddress> addresses(String host) {
            return addresses.getOrDefault(host, new DnsAnswer.NoSuchName<>());
        }
    }

    private final MapResolver dns = new MapResolver();
    private final MxResolver resolver = new MxResolver(dns, RandomGenerator.of("L64X128MixRandom"));

    private Destination resolve(String domain) {
        return resolver.resolve(Domain.parse(domain), Optional.empty());
    }

    private static List<String> hosts(Destination destination) {
        assertThat(destination).isInstanceOf(Destination.Hosts.class);
        return ((Destination.Hosts) destination).targets().stream().map(MxTarget::host).toList();
    }

    @Test
    void triesMxHostsInPreferenceOrder() {
        dns.mx.put("example.com", new DnsAnswer.Records<>(List.of(new MxRecord(20, "mx2.example.com"), new MxRecord(10, "mx1.example.com"))));

        assertThat(hosts(resolve("example.com"))).containsExactly("mx1.example.com", "mx2.example.com");
    }

    @Test
    void spreadsOverHostsOfEqualPreference() {
        dns.mx.put("example.com", new DnsAnswer.Records<>(List.of(new MxRecord(10, "a.example.com"), new MxRecord(10, "b.example.com"),
                new MxRecord(10, "c.example.com"), new MxRecord(20, "backup.example.com"))));
        var firsts = new HashSet<String>();

        for (int i = 0; i < 200; i++) {
            var hosts = hosts(resolve("example.com"));
            firsts.add(hosts.getFirst());
            assertThat(hosts.getLast()).isEqualTo("backup.example.com");
        }

        assertThat(firsts).containsExactlyInAnyOrder("a.example.com", "b.example.com", "c.example.com");
    }

    @Test
    void usesTheDomainItselfWhenItHasNoMx() throws Exception {
        dns.addresses.put("example.com", new DnsAnswer.Records<>(List.of(InetAddress.getByName("192.0.2.1"))));

        assertThat(resolve("example.com")).isEqualTo(new Destination.Hosts(List.of(new MxTarget("example.com", 25))));
    }

    @Test
    void aNullMxTakesNoMail() {
        dns.mx.put("example.com", new DnsAnswer.Records<>(List.of(new MxRecord(0, ""))));

        assertThat(resolve("example.com")).isInstanceOf(Destination.NoMail.class);
    }

    @Test
    void aDomainThatDoesNotExistTakesNoMail() {
        assertThat(resolve("nowhere.example")).isInstanceOf(Destination.NoMail.class);
    }

    @Test
    void aDomainWithNeitherMxNorAddressTakesNoMail() {
        dns.mx.put("example.com", new DnsAnswer.NoRecords<>());
        dns.addresses.put("example.com", new DnsAnswer.NoRecords<>());

        assertThat(resolve("example.com")).isInstanceOf(Destination.NoMail.class);
    }

    @Test
    void aDnsFailureIsForLater() {
        dns.mx.put("example.com", new DnsAnswer.Failure<>("SERVFAIL"));

        assertThat(resolve("example.com")).isEqualTo(new Destination.Unavailable("SERVFAIL"));
    }

    @Test
    void aDomainRouteOverridesDns() {
        dns.mx.put("example.com", new DnsAnswer.Records<>(List.of(new MxRecord(10, "mx1.example.com"))));
        var route = new DomainRoute(1, 1, Domain.parse("example.com"), RouteKind.SMARTHOST, "relay.example.net", 587);

        assertThat(resolver.resolve(Domain.parse("example.com"), Optional.of(route)))
                .isEqualTo(new Destination.Hosts(List.of(new MxTarget("relay.example.net", 587, true))));
    }
}
