package dev.ferrymta.relay;

import dev.ferrymta.relay.bounce.ResponseRule;
import dev.ferrymta.relay.mail.Domain;
import dev.ferrymta.relay.settings.DkimKey;
import dev.ferrymta.relay.settings.DomainRoute;
import dev.ferrymta.relay.settings.IpPool;
import dev.ferrymta.relay.settings.Pause;
import dev.ferrymta.relay.settings.Provider;
import dev.ferrymta.relay.settings.ResponseRuleSetting;
import dev.ferrymta.relay.settings.RouteKind;
import dev.ferrymta.relay.settings.Settings;
import dev.ferrymta.relay.settings.Throttle;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/** Builds settings snapshots for relay tests, as the database would hold them. */
final class TestSettings {

    private final List<DomainRoute> routes = new ArrayList<>();
    private final List<Throttle> throttles = new ArrayList<>();
    private final List<Pause> pauses = new ArrayList<>();
    private final List<IpPool> pools = new ArrayList<>();
    private final List<DkimKey> dkimKeys = new ArrayList<>();
    private final List<ResponseRuleSetting> responseRules = new ArrayList<>();
    private final List<Provider> providers = new ArrayList<>();
    private long id;

    static TestSettings settings() {
        return new TestSettings();
    }

    /** Mail for {@code domain} goes to {@code host:port} (a smarthost route). */
    TestSettings route(String domain, String host, int port) {
        routes.add(new DomainRoute(++id, 1, Domain.parse(domain), RouteKind.SMARTHOST, host, port));
        return this;
    }

    TestSettings throttle(String domain, int maxConnections, int messagesPerConnection) {
        throttles.add(new Throttle(++id, 1, Optional.empty(), Optional.of(Domain.parse(domain)), OptionalInt.of(maxConnections),
                OptionalInt.empty(), OptionalInt.of(messagesPerConnection), Optional.of(Duration.ofSeconds(5))));
        return this;
    }

    /** A pause of the messages tagged {@code tag} to {@code domain}. */
    TestSettings pauseTagged(String domain, String tag, Instant until) {
        pauses.add(new Pause(++id, 1, Optional.empty(), Optional.of(Domain.parse(domain)), Optional.of(until), "campaign held",
                Optional.of(tag)));
        return this;
    }

    TestSettings pause(String domain, Instant until) {
        pauses.add(new Pause(++id, 1, Optional.empty(), Optional.of(Domain.parse(domain)), Optional.of(until), "test"));
        return this;
    }

    /** A DKIM key for {@code domain} (PKCS#8 PEM). */
    TestSettings dkim(String domain, String selector, String pem) {
        dkimKeys.add(new DkimKey(++id, 1, Domain.parse(domain), selector, pem));
        return this;
    }

    /** An operator's response rule, before the shipped ones. */
    TestSettings responseRule(ResponseRule rule) {
        responseRules.add(new ResponseRuleSetting(++id, 1, rule, ""));
        return this;
    }

    /** A provider group of the shared settings. */
    TestSettings provider(String name, String... mxPatterns) {
        providers.add(new Provider(++id, 1, name, List.of(mxPatterns)));
        return this;
    }

    /** A throttle of every domain of {@code provider}, from any IP. */
    TestSettings providerThrottle(String provider, int maxConnections, int messagesPerConnection) {
        throttles.add(new Throttle(++id, 1, Optional.empty(), Optional.empty(), OptionalInt.of(maxConnections), OptionalInt.empty(),
                OptionalInt.of(messagesPerConnection), Optional.of(Duration.ofSeconds(5)), Optional.of(provider)));
        return this;
    }

    Settings version(long version) {
        return new Settings(version, pools, throttles, routes, pauses, List.of(), dkimKeys, responseRules, List.of(), providers);
    }
}
