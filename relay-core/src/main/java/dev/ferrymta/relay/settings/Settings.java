package dev.ferrymta.relay.settings;

import dev.ferrymta.relay.bounce.ResponseRules;
import dev.ferrymta.relay.mail.Domain;
import java.net.InetAddress;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * One immutable, consistent snapshot of the shared settings, tagged with the
 * {@code config_version} it was read at, with the lookups delivery needs.
 */
public final class Settings {

    /** Before {@link #EMPTY}: class initialisation runs in this order. */
    private static final ResponseRules SHIPPED_RULES = ResponseRules.shipped();

    /** No settings at all, version 0: what an empty database holds. */
    public static final Settings EMPTY = new Settings(0, List.of(), List.of(), List.of(), List.of(), List.of(), List.of());

    private final long version;
    private final List<IpPool> pools;
    private final List<Throttle> throttles;
    private final List<DomainRoute> routes;
    private final List<Pause> pauses;
    private final List<EhloName> ehloNames;
    private final List<DkimKey> dkimKeys;
    private final List<ResponseRuleSetting> responseRules;
    private final List<BackOff> backOffs;
    private final ResponseRules effectiveRules;
    private final List<Provider> providerRows;
    private final Providers providers;
    private final Map<String, IpPool> poolsByName;
    private final Map<Domain, DomainRoute> routesByDomain;
    private final Map<InetAddress, String> ehloByIp;

    public Settings(long version, List<IpPool> pools, List<Throttle> throttles, List<DomainRoute> routes,
            List<Pause> pauses, List<EhloName> ehloNames, List<DkimKey> dkimKeys) {
        this(version, pools, throttles, routes, pauses, ehloNames, dkimKeys, List.of(), List.of());
    }

    /**
     * @param responseRules the operator's response rules, in order; they come before the shipped ones
     * @param backOffs      back-offs, automatic or the operator's, ended ones included (they are ignored)
     */
    public Settings(long version, List<IpPool> pools, List<Throttle> throttles, List<DomainRoute> routes,
            List<Pause> pauses, List<EhloName> ehloNames, List<DkimKey> dkimKeys, List<ResponseRuleSetting> responseRules,
            List<BackOff> backOffs) {
        this(version, pools, throttles, routes, pauses, ehloNames, dkimKeys, responseRules, backOffs, List.of());
    }

    /**
     * @param providers the shared settings' provider groups; they replace the shipped ones of the same name
     */
    public Settings(long version, List<IpPool> pools, List<Throttle> throttles, List<DomainRoute> routes,
            List<Pause> pauses, List<EhloName> ehloNames, List<DkimKey> dkimKeys, List<ResponseRuleSetting> responseRules,
            List<BackOff> backOffs, List<Provider> providers) {
        this.version = version;
        this.pools = List.copyOf(pools);
        // Most specific first, so the first match is the one that applies.
        this.throttles = throttles.stream().sorted(Comparator.comparingInt(Throttle::specificity).reversed()).toList();
        this.routes = List.copyOf(routes);
        this.pauses = List.copyOf(pauses);
        this.ehloNames = List.copyOf(ehloNames);
        this.dkimKeys = List.copyOf(dkimKeys);
        this.responseRules = List.copyOf(responseRules);
        this.backOffs = List.copyOf(backOffs);
        this.effectiveRules = SHIPPED_RULES.before(this.responseRules.stream().map(ResponseRuleSetting::rule).toList());
        this.providerRows = List.copyOf(providers);
        this.providers = Providers.with(this.providerRows);
        this.poolsByName = this.pools.stream().collect(Collectors.toUnmodifiableMap(IpPool::name, Function.identity()));
        this.routesByDomain = this.routes.stream().collect(Collectors.toUnmodifiableMap(DomainRoute::domain, Function.identity()));
        this.ehloByIp = this.ehloNames.stream().collect(Collectors.toUnmodifiableMap(EhloName::localIp, EhloName::name));
    }

    /** The {@code config_version} this snapshot was read at. */
    public long version() {
        return version;
    }

    /** The throttle that applies to sending from {@code ip} to {@code domain}, if any does. */
    public Optional<Throttle> throttleFor(InetAddress ip, Domain domain) {
        return throttleFor(ip, domain, Optional.empty());
    }

    /** The most specific throttle that applies to sending from {@code ip} to {@code domain}, a domain of {@code provider}. */
    public Optional<Throttle> throttleFor(InetAddress ip, Domain domain, Optional<String> provider) {
        for (var throttle : throttles) {
            if (throttle.matches(ip, domain, provider)) {
                return Optional.of(throttle);
            }
        }
        return Optional.empty();
    }

    /** The limits for sending from {@code ip} to {@code domain}: the most specific throttle's, else the defaults. */
    public ThrottleLimits limitsFor(InetAddress ip, Domain domain) {
        return throttleFor(ip, domain).map(Throttle::limits).orElse(ThrottleLimits.DEFAULTS);
    }

    /**
     * The limits for sending from {@code ip} to {@code domain} at {@code now}: the most specific
     * throttle's (else the defaults), lowered by every back-off in force.
     */
    public ThrottleLimits limitsFor(InetAddress ip, Domain domain, Instant now) {
        return limitsFor(ip, domain, Optional.empty(), now);
    }

    /**
     * The limits one lane (one local IP, one domain of {@code provider}) obeys at {@code now}: the
     * most specific throttle's (else the defaults), lowered by every back-off in force there.
     */
    public ThrottleLimits limitsFor(InetAddress ip, Domain domain, Optional<String> provider, Instant now) {
        var limits = throttleFor(ip, domain, provider).map(Throttle::limits).orElse(ThrottleLimits.DEFAULTS);
        for (var backOff : backOffs) {
            if (backOff.holds(ip, domain, provider, now)) {
                limits = backOff.cap(limits);
            }
        }
        return limits;
    }

    /**
     * What holds across every domain of {@code provider} from {@code ip} at {@code now}: the most
     * specific provider throttle's connections and messages per minute, lowered by the provider's
     * back-offs; empty when neither exists (each domain's lane then only obeys its own limits).
     */
    public Optional<ProviderLimits> providerLimitsFor(InetAddress ip, String provider, Instant now) {
        var scope = Optional.of(provider);
        Optional<ProviderLimits> limits = Optional.empty();
        for (var throttle : throttles) {
            if (throttle.provider().equals(scope) && throttle.localIp().map(range -> range.contains(ip)).orElse(true)) {
                limits = Optional.of(new ProviderLimits(throttle.maxConnections(), throttle.messagesPerMinute()));
                break;
            }
        }
        for (var backOff : backOffs) {
            if (backOff.provider().equals(scope) && backOff.localIp().contains(ip) && now.isBefore(backOff.until())) {
                limits = Optional.of(limits.orElse(ProviderLimits.NONE).cap(backOff.maxConnections(), backOff.messagesPerMinute()));
            }
        }
        return limits;
    }

    /** The response rules that apply: the operator's, then the shipped ones. */
    public ResponseRules responseRules() {
        return effectiveRules;
    }

    /** The operator's response rules, in order. */
    public List<ResponseRuleSetting> responseRuleSettings() {
        return responseRules;
    }

    /** Every back-off, ended ones included. */
    public List<BackOff> backOffs() {
        return backOffs;
    }

    /** The provider groups in force: the shipped ones and the shared settings' rows. */
    public Providers providers() {
        return providers;
    }

    /** The shared settings' own provider rows. */
    public List<Provider> providerRows() {
        return providerRows;
    }

    /** The pause holding sending from {@code ip} to {@code domain} at {@code now}, if any. */
    public Optional<Pause> pauseFor(InetAddress ip, Domain domain, Instant now) {
        return pauses.stream().filter(p -> p.holds(ip, domain, now)).findFirst();
    }

    /** The first pause holding a message with these tags from {@code ip} to {@code domain}, tagged or not. */
    public Optional<Pause> pauseFor(InetAddress ip, Domain domain, List<String> tags, Instant now) {
        return pauseFor(ip, domain, Optional.empty(), tags, now);
    }

    /** The first pause holding a message with these tags from {@code ip} to {@code domain}, a domain of {@code provider}. */
    public Optional<Pause> pauseFor(InetAddress ip, Domain domain, Optional<String> provider, List<String> tags, Instant now) {
        for (var pause : pauses) {
            if (pause.holds(ip, domain, provider, tags, now)) {
                return Optional.of(pause);
            }
        }
        return Optional.empty();
    }

    /** The IPs of a pool; empty when there is no such pool. */
    public Optional<List<InetAddress>> poolIps(String pool) {
        return Optional.ofNullable(poolsByName.get(pool)).map(IpPool::ips);
    }

    /** The route that replaces DNS for a domain, if one is set. */
    public Optional<DomainRoute> routeFor(Domain domain) {
        return Optional.ofNullable(routesByDomain.get(domain));
    }

    /** The EHLO name for a local IP, if one is set. */
    public Optional<String> ehloName(InetAddress ip) {
        return Optional.ofNullable(ehloByIp.get(ip));
    }

    /** The DKIM keys for a signing domain. */
    public List<DkimKey> dkimKeys(Domain domain) {
        return dkimKeys.stream().filter(k -> k.domain().equals(domain)).toList();
    }

    public List<IpPool> pools() {
        return pools;
    }

    /** Most specific first. */
    public List<Throttle> throttles() {
        return throttles;
    }

    public List<DomainRoute> routes() {
        return routes;
    }

    public List<Pause> pauses() {
        return pauses;
    }

    public List<EhloName> ehloNames() {
        return ehloNames;
    }

    public List<DkimKey> dkimKeys() {
        return dkimKeys;
    }

    @Override
    public String toString() {
        return ("Settings[version=%d, %d pools, %d throttles, %d routes, %d pauses, %d EHLO names, %d DKIM keys, %d response rules,"
                + " %d back-offs, %d providers]").formatted(version, pools.size(), throttles.size(), routes.size(), pauses.size(),
                        ehloNames.size(), dkimKeys.size(), responseRules.size(), backOffs.size(), providerRows.size());
    }
}
