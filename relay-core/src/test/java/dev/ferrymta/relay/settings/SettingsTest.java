package dev.ferrymta.relay.settings;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferrymta.relay.mail.Domain;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SettingsTest {

    private static Throttle throttle(long id, String ip, String domain, int maxConnections) {
        return new Throttle(id, 1, Optional.ofNullable(ip).map(IpRange::parse), Optional.ofNullable(domain).map(Domain::parse),
                OptionalInt.of(maxConnections), OptionalInt.empty(), OptionalInt.empty(), Optional.empty());
    }

    /** One throttle per scope; the id says which one matched. */
    private static final Settings THROTTLES = new Settings(7, List.of(), List.of(
            throttle(1, null, null, 1),
            throttle(2, "127.0.0.0/24", null, 2),
            throttle(3, "127.0.0.2", null, 3),
            throttle(4, null, "example.com", 4),
            throttle(5, "127.0.0.0/24", "example.com", 5),
            throttle(6, "127.0.0.2", "example.com", 6),
            throttle(7, null, "other.example", 7)),
            List.of(), List.of(), List.of(), List.of());

    @ParameterizedTest(name = "{0} -> {1}: throttle {2}")
    @CsvSource({
            // source IP and domain beat domain alone, which beats IP alone, which beats the defaults
            "127.0.0.2, example.com, 6",
            "127.0.0.9, example.com, 5",
            "10.0.0.1, example.com, 4",
            "127.0.0.2, gmail.com, 3",
            "127.0.0.9, gmail.com, 2",
            "10.0.0.1, gmail.com, 1",
            "127.0.0.2, other.example, 7",
    })
    void theMostSpecificThrottleWins(String ip, String domain, long expected) throws Exception {
        assertThat(THROTTLES.throttleFor(InetAddress.getByName(ip), Domain.parse(domain)))
                .map(Throttle::id).contains(expected);
    }

    @Test
    void withoutAnyMatchingThrottleTheDefaultsApply() throws Exception {
        var settings = new Settings(1, List.of(), List.of(throttle(1, null, "example.com", 2)), List.of(), List.of(), List.of(), List.of());

        assertThat(settings.limitsFor(InetAddress.getByName("127.0.0.2"), Domain.parse("gmail.com"))).isEqualTo(ThrottleLimits.DEFAULTS);
    }

    @Test
    void aThrottleLeavingFieldsEmptyTakesTheirDefaults() throws Exception {
        var limits = THROTTLES.limitsFor(InetAddress.getByName("127.0.0.2"), Domain.parse("example.com"));

        assertThat(limits.maxConnections()).isEqualTo(6);
        assertThat(limits.messagesPerConnection()).isEqualTo(ThrottleLimits.DEFAULTS.messagesPerConnection());
        assertThat(limits.idleTimeout()).isEqualTo(ThrottleLimits.DEFAULTS.idleTimeout());
    }

    @ParameterizedTest(name = "pause {0}/{1} until {2}, sending {3} -> {4} at 12:00: held {5}")
    @CsvSource(nullValues = "-", value = {
            "-, example.com, -, 127.0.0.2, example.com, true",
            "-, example.com, -, 127.0.0.2, gmail.com, false",
            "127.0.0.2, -, -, 127.0.0.2, gmail.com, true",
            "127.0.0.2, -, -, 127.0.0.3, gmail.com, false",
            "127.0.0.0/24, example.com, 2026-11-22T13:00:00Z, 127.0.0.3, example.com, true",
            "-, example.com, 2026-11-22T11:00:00Z, 127.0.0.2, example.com, false",
            "-, example.com, 2026-11-22T12:00:00Z, 127.0.0.2, example.com, false",
    })
    void aPauseHoldsItsScopeUntilItEnds(String ip, String domain, String until, String from, String to, boolean held) throws Exception {
        var pause = new Pause(1, 1, Optional.ofNullable(ip).map(IpRange::parse), Optional.ofNullable(domain).map(Domain::parse),
                Optional.ofNullable(until).map(Instant::parse), "test");
        var settings = new Settings(1, List.of(), List.of(), List.of(), List.of(pause), List.of(), List.of());

        assertThat(settings.pauseFor(InetAddress.getByName(from), Domain.parse(to), Instant.parse("2026-11-22T12:00:00Z")).isPresent())
                .isEqualTo(held);
    }

    @ParameterizedTest(name = "pause tagged {0}, message tagged {1}: held {2}")
    @CsvSource(delimiter = '|', value = {
            "spring | spring        | true",
            "spring | news,spring   | true",
            "spring | news          | false",
            "spring | ''            | false",
            "''     | news          | true",
    })
    void aTaggedPauseHoldsOnlyTheMessagesCarryingItsTag(String tag, String tags, boolean held) throws Exception {
        var pause = new Pause(1, 1, Optional.empty(), Optional.of(Domain.parse("example.com")), Optional.empty(), "campaign",
                tag.isEmpty() ? Optional.empty() : Optional.of(tag));
        var settings = new Settings(1, List.of(), List.of(), List.of(), List.of(pause), List.of(), List.of());
        var ip = InetAddress.getByName("127.0.0.2");
        var now = Instant.parse("2026-11-22T12:00:00Z");
        var messageTags = tags.isEmpty() ? List.<String>of() : List.of(tags.split(","));

        assertThat(settings.pauseFor(ip, Domain.parse("example.com"), messageTags, now).isPresent()).isEqualTo(held);
        // A tagged pause never holds the whole lane, only its messages.
        assertThat(settings.pauseFor(ip, Domain.parse("example.com"), now).isPresent()).isEqualTo(tag.isEmpty());
    }

    @Test
    void looksUpPoolsRoutesAndEhloNames() throws Exception {
        var ip = InetAddress.getByName("127.0.0.2");
        var settings = new Settings(3,
                List.of(new IpPool(1, 1, "bulk", List.of(ip, InetAddress.getByName("127.0.0.3")))),
                List.of(),
                List.of(new DomainRoute(1, 1, Domain.parse("example.com"), RouteKind.SMARTHOST, "relay.example.net", 587)),
                List.of(),
                List.of(new EhloName(1, 1, ip, "mail2.example.net")),
                List.of());

        assertThat(settings.poolIps("bulk")).contains(List.of(ip, InetAddress.getByName("127.0.0.3")));
        assertThat(settings.poolIps("none")).isEmpty();
        assertThat(settings.routeFor(Domain.parse("EXAMPLE.com"))).map(DomainRoute::port).contains(587);
        assertThat(settings.ehloName(ip)).contains("mail2.example.net");
        assertThat(settings.ehloName(InetAddress.getByName("127.0.0.9"))).isEmpty();
    }

    @Test
    void keepsDkimKeysOutOfItsText() {
        var key = new DkimKey(1, 1, Domain.parse("example.com"), "s1", "-----BEGIN PRIVATE KEY-----\nsecret\n-----END PRIVATE KEY-----");

        assertThat(key.toString()).doesNotContain("secret").contains("s1");
    }

    @Test
    void anIdleTimeoutOfTheThrottleIsUsed() throws Exception {
        var throttle = new Throttle(1, 1, Optional.empty(), Optional.empty(), OptionalInt.empty(), OptionalInt.of(60),
                OptionalInt.of(10), Optional.of(Duration.ofSeconds(3)));

        assertThat(throttle.limits()).isEqualTo(new ThrottleLimits(ThrottleLimits.DEFAULTS.maxConnections(), OptionalInt.of(60), 10,
                Duration.ofSeconds(3)));
    }

    @ParameterizedTest(name = "{0} -> {1} at +{2} min: {3} connections, {4}/min")
    @CsvSource({
            // throttle for example.com: 6 connections, no rate; back-offs: 127.0.0.0/24 any domain to
            // 100/min until +10; 127.0.0.2 to example.com to 1 connection until +30
            "127.0.0.2, example.com, 0, 1, 100",
            "127.0.0.2, example.com, 10, 1, -1",
            "127.0.0.2, example.com, 30, 6, -1",
            "127.0.0.9, example.com, 0, 5, 100",
            "127.0.0.2, gmail.com, 0, 3, 100",
            "10.0.0.1, example.com, 0, 4, -1",
    })
    void backOffsInForceLowerTheThrottlesLimitsNeverRaiseThem(String ip, String domain, int minutes, int connections, int perMinute)
            throws Exception {
        var noon = Instant.parse("2026-11-30T12:00:00Z");
        var backOffs = List.of(
                new BackOff(20, 1, IpRange.parse("127.0.0.0/24"), Optional.empty(), noon.plus(Duration.ofMinutes(10)), OptionalInt.of(100),
                        OptionalInt.empty(), "automatic: rule 'x'"),
                new BackOff(21, 1, IpRange.parse("127.0.0.2"), Optional.of(Domain.parse("example.com")), noon.plus(Duration.ofMinutes(30)),
                        OptionalInt.empty(), OptionalInt.of(1), "by hand"),
                new BackOff(22, 1, IpRange.parse("127.0.0.2"), Optional.empty(), noon.minusSeconds(1), OptionalInt.of(1), OptionalInt.of(1),
                        "ended"));
        var settings = new Settings(8, List.of(), THROTTLES.throttles(), List.of(), List.of(), List.of(), List.of(), List.of(), backOffs);

        var limits = settings.limitsFor(InetAddress.getByName(ip), Domain.parse(domain), noon.plus(Duration.ofMinutes(minutes)));

        assertThat(limits.maxConnections()).isEqualTo(connections);
        assertThat(limits.messagesPerMinute().orElse(-1)).isEqualTo(perMinute);
    }

    private static Throttle providerThrottle(long id, String ip, String provider, int maxConnections, Integer perMinute) {
        return new Throttle(id, 1, Optional.ofNullable(ip).map(IpRange::parse), Optional.empty(), OptionalInt.of(maxConnections),
                perMinute == null ? OptionalInt.empty() : OptionalInt.of(perMinute), OptionalInt.empty(), Optional.empty(),
                Optional.of(provider));
    }

    @ParameterizedTest(name = "{0} -> {1} ({2}): throttle {3}")
    @CsvSource({
            // a domain beats a provider, which beats any destination; then the source
            "127.0.0.2, example.com, google, 6",
            "127.0.0.2, gmail.com, google, 31",
            "127.0.0.9, gmail.com, google, 30",
            "127.0.0.2, yahoo.com, yahoo, 3",
            "127.0.0.2, gmail.com, '', 3",
    })
    void aProviderThrottleSitsBetweenTheDomainsAndAnyDomain(String ip, String domain, String provider, long expected) throws Exception {
        var all = new java.util.ArrayList<>(THROTTLES.throttles());
        all.add(providerThrottle(30, null, "google", 20, null));
        all.add(providerThrottle(31, "127.0.0.2", "google", 10, null));
        var settings = new Settings(9, List.of(), all, List.of(), List.of(), List.of(), List.of());

        assertThat(settings.throttleFor(InetAddress.getByName(ip), Domain.parse(domain), Optional.of(provider).filter(p -> !p.isEmpty())))
                .map(Throttle::id).contains(expected);
    }

    @Test
    void theProvidersLimitsComeFromItsThrottleLoweredByItsBackOffs() throws Exception {
        var noon = Instant.parse("2026-11-30T12:00:00Z");
        var ip = InetAddress.getByName("127.0.0.2");
        var throttles = List.of(providerThrottle(30, null, "google", 20, 600));
        var backOffs = List.of(new BackOff(40, 1, IpRange.parse("127.0.0.0/24"), Optional.empty(), noon.plusSeconds(600), OptionalInt.of(60),
                OptionalInt.of(30), "automatic: rule 'x'", Optional.of("google")));
        var settings = new Settings(9, List.of(), throttles, List.of(), List.of(), List.of(), List.of(), List.of(), backOffs);

        assertThat(settings.providerLimitsFor(ip, "google", noon)).contains(new ProviderLimits(OptionalInt.of(20), OptionalInt.of(60)));
        assertThat(settings.providerLimitsFor(ip, "google", noon.plusSeconds(600))).as("the back-off ended")
                .contains(new ProviderLimits(OptionalInt.of(20), OptionalInt.of(600)));
        assertThat(settings.providerLimitsFor(ip, "yahoo", noon)).isEmpty();
        var onlyBackOff = new Settings(9, List.of(), List.of(), List.of(), List.of(), List.of(), List.of(), List.of(), backOffs);
        assertThat(onlyBackOff.providerLimitsFor(ip, "google", noon)).contains(new ProviderLimits(OptionalInt.of(30), OptionalInt.of(60)));
        // The back-off lowers each lane of the provider too.
        assertThat(settings.limitsFor(ip, Domain.parse("gmail.com"), Optional.of("google"), noon).maxConnections()).isEqualTo(20);
        assertThat(settings.limitsFor(ip, Domain.parse("gmail.com"), Optional.of("google"), noon).messagesPerMinute()).hasValue(60);
        assertThat(settings.limitsFor(ip, Domain.parse("gmail.com"), Optional.empty(), noon).messagesPerMinute()).isEmpty();
    }

    @Test
    void aProviderPauseHoldsEveryDomainOfTheProviderAndNoOther() throws Exception {
        var noon = Instant.parse("2026-11-30T12:00:00Z");
        var pause = new Pause(50, 1, Optional.of(IpRange.parse("127.0.0.2")), Optional.empty(), Optional.of(noon.plusSeconds(60)),
                "automatic: x", Optional.empty(), Optional.of("google"));
        var settings = new Settings(9, List.of(), List.of(), List.of(), List.of(pause), List.of(), List.of());
        var ip = InetAddress.getByName("127.0.0.2");
        assertThat(settings.pauseFor(ip, Domain.parse("gmail.com"), Optional.of("google"), List.of(), noon)).isPresent();
        assertThat(settings.pauseFor(ip, Domain.parse("workspace.example"), Optional.of("google"), List.of(), noon)).isPresent();
        assertThat(settings.pauseFor(ip, Domain.parse("yahoo.com"), Optional.of("yahoo"), List.of(), noon)).isEmpty();
        assertThat(settings.pauseFor(ip, Domain.parse("gmail.com"), Optional.empty(), List.of(), noon)).as("provider unknown").isEmpty();
    }
}
