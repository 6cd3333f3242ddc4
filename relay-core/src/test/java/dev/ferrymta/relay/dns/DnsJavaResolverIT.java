package dev.ferrymta.relay.dns;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferrymta.relay.config.HostAndPort;
import dev.ferrymta.testing.dns.DnsResponder;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Type;

/** The production resolver against real DNS packets from the test responder. */
class DnsJavaResolverIT {

    private final DnsResponder dns = DnsResponder.start();
    private final DnsJavaResolver resolver =
            new DnsJavaResolver(Optional.of(HostAndPort.parse(dns.hostPort(), 53)), Duration.ofMillis(500));

    @AfterEach
    void stop() {
        dns.close();
    }

    @Test
    void readsMxRecords() {
        dns.mx("example.test", 10, "mx1.example.test").mx("example.test", 20, "mx2.example.test");

        assertThat(resolver.mx("example.test")).isInstanceOfSatisfying(DnsAnswer.Records.class,
                records -> assertThat(records.records()).containsExactlyInAnyOrder(
                        new MxRecord(10, "mx1.example.test"), new MxRecord(20, "mx2.example.test")));
    }

    @Test
    void readsANullMx() {
        dns.nullMx("nomail.test");

        assertThat(resolver.mx("nomail.test")).isEqualTo(new DnsAnswer.Records<>(List.of(new MxRecord(0, ""))));
    }

    @Test
    void tellsNoSuchNameFromNoRecords() {
        dns.a("nomx.test", "127.0.0.1");

        assertThat(resolver.mx("nomx.test")).isInstanceOf(DnsAnswer.NoRecords.class);
        assertThat(resolver.mx("missing.test")).isInstanceOf(DnsAnswer.NoSuchName.class);
    }

    @Test
    void readsIpv4BeforeIpv6Addresses() throws Exception {
        dns.aaaa("mx.example.test", "::1").a("mx.example.test", "127.0.0.1");

        assertThat(resolver.addresses("mx.example.test")).isEqualTo(new DnsAnswer.Records<>(List.of(
                InetAddress.getByName("127.0.0.1"), InetAddress.getByName("::1"))));
    }

    @Test
    void aServerFailureIsAFailure() {
        dns.serverFailure("broken.test");

        assertThat(resolver.mx("broken.test")).isInstanceOf(DnsAnswer.Failure.class);
    }

    @Test
    void aSilentServerIsAFailureAfterTheTimeout() {
        dns.silence("slow.test");

        assertThat(resolver.mx("slow.test")).isInstanceOf(DnsAnswer.Failure.class);
    }

    @Test
    void cachesAnswersForTheirTtl() {
        dns.mx("cached.test", 10, "mx.cached.test");

        resolver.mx("cached.test");
        resolver.mx("cached.test");

        assertThat(dns.queryCount("cached.test", Type.MX)).isEqualTo(1);
    }

    @Test
    void resolvesTheImplicitMxThroughMxResolver() {
        dns.a("implicit.test", "127.0.0.1");
        var mx = new MxResolver(resolver, java.util.random.RandomGenerator.getDefault());

        assertThat(mx.resolve(dev.ferrymta.relay.mail.Domain.parse("implicit.test"), Optional.empty()))
                .isEqualTo(new Destination.Hosts(List.of(new MxTarget("implicit.test", 25))));
    }
}
