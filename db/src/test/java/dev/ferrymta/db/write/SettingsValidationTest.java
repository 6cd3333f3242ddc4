package dev.ferrymta.db.write;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SettingsValidationTest {

    static final Instant NOW = Instant.parse("2030-01-01T00:00:00Z");

    // ---- pools

    static Stream<Arguments> goodPools() {
        return Stream.of(
                arguments(new PoolInput(" bulk-1 ", List.of(" 192.0.2.1", "2001:DB8::1")),
                        new Validated.Pool("bulk-1", List.of("192.0.2.1", "2001:db8:0:0:0:0:0:1"))),
                arguments(new PoolInput("a", null), new Validated.Pool("a", List.of())),
                arguments(new PoolInput("x".repeat(63), List.of("192.0.2.2", "192.0.2.1")),
                        new Validated.Pool("x".repeat(63), List.of("192.0.2.2", "192.0.2.1"))));
    }

    @ParameterizedTest
    @MethodSource("goodPools")
    void acceptsAPoolInCanonicalFormKeepingTheOrder(PoolInput input, Validated.Pool expected) {
        assertThat(SettingsValidation.pool(input)).isEqualTo(expected);
    }

    static Stream<Arguments> badPools() {
        return Stream.of(
                arguments(new PoolInput(null, List.of()), errors("name", "is required")),
                arguments(new PoolInput("  ", List.of()), errors("name", "is required")),
                arguments(new PoolInput("-bulk", List.of()), errors("name", "is not a pool name")),
                arguments(new PoolInput("bulk pool", List.of()), errors("name", "is not a pool name")),
                arguments(new PoolInput("x".repeat(64), List.of()), errors("name", "is not a pool name")),
                arguments(new PoolInput("p", List.of("192.0.2.300")), errors("ips[0]", "is not an IP address")),
                arguments(new PoolInput("p", List.of("192.0.2.1", "192.0.2.0/24")), errors("ips[1]", "is a network")),
                arguments(new PoolInput("p", List.of("192.0.2.1", "mail.example.com")), errors("ips[1]", "is not an IP address")),
                arguments(new PoolInput("p", List.of("")), errors("ips[0]", "is required")),
                arguments(new PoolInput("p", List.of("2001:db8::1", "192.0.2.1", "2001:DB8:0::1")), errors("ips[2]", "is already in the list")),
                arguments(new PoolInput("no way", List.of("1", "192.0.2.1", "::g")),
                        errors("name", "is not a pool name", "ips[0]", "is not an IP address", "ips[2]", "is not an IP address")));
    }

    @ParameterizedTest
    @MethodSource("badPools")
    void refusesABadPoolNamingEveryBadField(PoolInput input, List<FieldError> expected) {
        assertRefused(() -> SettingsValidation.pool(input), expected);
    }

    static Stream<Arguments> badPoolIps() {
        return Stream.of(
                arguments(null, "192.0.2.1", errors("pool", "is required")),
                arguments("bulk", "192.0.2.0/24", errors("ip", "is a network")),
                arguments("bulk", "", errors("ip", "is required")),
                arguments("", "nope", errors("pool", "is required", "ip", "is not an IP address")));
    }

    @ParameterizedTest
    @MethodSource("badPoolIps")
    void refusesABadPoolIp(String pool, String ip, List<FieldError> expected) {
        assertRefused(() -> SettingsValidation.poolIp(pool, ip), expected);
    }

    @Test
    void acceptsAPoolIpInCanonicalForm() {
        assertThat(SettingsValidation.poolIp(" bulk ", " 2001:DB8::A ")).isEqualTo(new Validated.PoolIp("bulk", "2001:db8:0:0:0:0:0:a"));
    }

    // ---- throttles

    static Stream<Arguments> goodThrottles() {
        return Stream.of(
                arguments(new ThrottleInput(null, null, null, null, null, null), new Validated.Throttle(null, null, null, null, null, null)),
                arguments(new ThrottleInput(" ", "", null, null, null, null), new Validated.Throttle(null, null, null, null, null, null)),
                arguments(new ThrottleInput(" 192.0.2.0/24 ", "Example.COM.", 1, 1, 1, 1),
                        new Validated.Throttle("192.0.2.0/24", "example.com", 1, 1, 1, 1)),
                arguments(new ThrottleInput("192.0.2.10", "bücher.example", 1000, 1_000_000, 100_000, 3600),
                        new Validated.Throttle("192.0.2.10", "xn--bcher-kva.example", 1000, 1_000_000, 100_000, 3600)),
                arguments(new ThrottleInput("2001:db8::/32", null, 5, null, null, null),
                        new Validated.Throttle("2001:db8:0:0:0:0:0:0/32", null, 5, null, null, null)));
    }

    @ParameterizedTest
    @MethodSource("goodThrottles")
    void acceptsAThrottleInCanonicalForm(ThrottleInput input, Validated.Throttle expected) {
        assertThat(SettingsValidation.throttle(input)).isEqualTo(expected);
    }

    static Stream<Arguments> badThrottles() {
        return Stream.of(
                arguments(throttle("192.0.2.300", null, null), errors("localIp", "is not an IP address or network")),
                arguments(throttle("mail.example.com", null, null), errors("localIp", "is not an IP address or network")),
                arguments(throttle("192.0.2.1/24", null, null), errors("localIp", "the network is 192.0.2.0/24")),
                arguments(throttle("192.0.2.0/33", null, null), errors("localIp", "is not an IP address or network")),
                arguments(throttle("192.0.2.0/x", null, null), errors("localIp", "is not an IP address or network")),
                arguments(throttle(null, "localhost", null), errors("domain", "is not a domain name")),
                arguments(throttle(null, "exa mple.com", null), errors("domain", "is not a domain name")),
                arguments(throttle(null, "192.0.2.1", null), errors("domain", "is not a domain name")),
                arguments(throttle(null, null, 0), errors("maxConnections", "must be at least 1")),
                arguments(throttle(null, null, -5), errors("maxConnections", "must be at least 1")),
                arguments(throttle(null, null, 1001), errors("maxConnections", "must be at most 1000")),
                arguments(new ThrottleInput(null, null, null, 0, null, null), errors("messagesPerMinute", "must be at least 1")),
                arguments(new ThrottleInput(null, null, null, 1_000_001, null, null), errors("messagesPerMinute", "must be at most 1000000")),
                arguments(new ThrottleInput(null, null, null, null, 100_001, null), errors("messagesPerConnection", "must be at most 100000")),
                arguments(new ThrottleInput(null, null, null, null, null, 0), errors("idleTimeoutSeconds", "must be at least 1")),
                arguments(new ThrottleInput(null, null, null, null, null, 3601), errors("idleTimeoutSeconds", "must be at most 3600")),
                arguments(new ThrottleInput(null, "gmail.com", null, null, null, null, "google"),
                        errors("provider", "a scope names a domain or a provider, not both")),
                arguments(new ThrottleInput(null, null, 5, null, null, null, "Google Mail"), errors("provider", "is not a provider name")),
                arguments(new ThrottleInput("x", "y", -1, -1, -1, -1), errors(
                        "localIp", "is not an IP address", "domain", "is not a domain name", "maxConnections", "at least 1",
                        "messagesPerMinute", "at least 1", "messagesPerConnection", "at least 1", "idleTimeoutSeconds", "at least 1")));
    }

    @ParameterizedTest
    @MethodSource("badThrottles")
    void refusesABadThrottleNamingEveryBadField(ThrottleInput input, List<FieldError> expected) {
        assertRefused(() -> SettingsValidation.throttle(input), expected);
    }

    // ---- routes

    static Stream<Arguments> goodRoutes() {
        return Stream.of(
                arguments(new RouteInput("Example.com", "MX", "MX1.Example.NET.", null),
                        new Validated.Route("example.com", "mx", "mx1.example.net", 25)),
                arguments(new RouteInput("example.com", "smarthost", "192.0.2.25", 2525),
                        new Validated.Route("example.com", "smarthost", "192.0.2.25", 2525)),
                arguments(new RouteInput("example.com", "smarthost", "[2001:db8::25]", 587),
                        new Validated.Route("example.com", "smarthost", "2001:db8:0:0:0:0:0:25", 587)),
                arguments(new RouteInput("example.com", " Smarthost ", "relay", 65535),
                        new Validated.Route("example.com", "smarthost", "relay", 65535)));
    }

    @ParameterizedTest
    @MethodSource("goodRoutes")
    void acceptsARouteInCanonicalForm(RouteInput input, Validated.Route expected) {
        assertThat(SettingsValidation.route(input)).isEqualTo(expected);
    }

    static Stream<Arguments> badRoutes() {
        return Stream.of(
                arguments(new RouteInput(null, "mx", "mx.example.net", null), errors("domain", "is required")),
                arguments(new RouteInput("example.com", "relay", "mx.example.net", null), errors("kind", "'mx' or 'smarthost'")),
                arguments(new RouteInput("example.com", "mx", "999.1.1.1", null), errors("host", "is not a host name or IP address")),
                arguments(new RouteInput("example.com", "mx", "bad_host.example.net", null), errors("host", "is not a host name or IP address")),
                arguments(new RouteInput("example.com", "mx", "mx.example.net:25", null), errors("host", "is not a host name or IP address")),
                arguments(new RouteInput("example.com", "smarthost", "relay.example.net", 0), errors("port", "must be at least 1")),
                arguments(new RouteInput("example.com", "smarthost", "relay.example.net", 65536), errors("port", "must be at most 65535")),
                arguments(new RouteInput(" ", null, "", -1),
                        errors("domain", "is required", "kind", "is required", "host", "is required", "port", "at least 1")));
    }

    @ParameterizedTest
    @MethodSource("badRoutes")
    void refusesABadRouteNamingEveryBadField(RouteInput input, List<FieldError> expected) {
        assertRefused(() -> SettingsValidation.route(input), expected);
    }

    // ---- pauses

    static Stream<Arguments> goodPauses() {
        return Stream.of(
                arguments(new PauseInput(null, null, null, null), new Validated.Pause(null, null, null, "")),
                arguments(new PauseInput("192.0.2.0/24", "Example.com", "2030-06-01T00:00:00Z", " blocklisted "),
                        new Validated.Pause("192.0.2.0/24", "example.com", Instant.parse("2030-06-01T00:00:00Z"), "blocklisted")),
                arguments(new PauseInput("", " ", "2030-06-01T02:00:00+02:00", "r".repeat(500)),
                        new Validated.Pause(null, null, Instant.parse("2030-06-01T00:00:00Z"), "r".repeat(500))),
                arguments(new PauseInput(null, null, "2030-01-01T00:00:00.001Z", null),
                        new Validated.Pause(null, null, Instant.parse("2030-01-01T00:00:00.001Z"), "")),
                arguments(new PauseInput(null, "example.com", null, null, " spring-sale "),
                        new Validated.Pause(null, "example.com", null, "", "spring-sale")),
                arguments(new PauseInput(null, null, null, null, " "), new Validated.Pause(null, null, null, "")));
    }

    @ParameterizedTest
    @MethodSource("goodPauses")
    void acceptsAPauseInCanonicalForm(PauseInput input, Validated.Pause expected) {
        assertThat(SettingsValidation.pause(input, NOW)).isEqualTo(expected);
    }

    static Stream<Arguments> badPauses() {
        return Stream.of(
                arguments(new PauseInput(null, null, "2029-12-31T23:59:59Z", null), errors("until", "is not in the future")),
                arguments(new PauseInput(null, null, "2030-01-01T00:00:00Z", null), errors("until", "is not in the future")),
                arguments(new PauseInput(null, null, "tomorrow", null), errors("until", "is not an ISO-8601 time")),
                arguments(new PauseInput(null, null, "2030-06-01", null), errors("until", "is not an ISO-8601 time")),
                arguments(new PauseInput(null, null, null, "r".repeat(501)), errors("reason", "is 501 characters long; at most 500")),
                arguments(new PauseInput(null, null, null, null, "t".repeat(201)),
                        errors("tag", "must be at most 200 characters, without control characters")),
                arguments(new PauseInput("192.0.2.", "example", "soon", null),
                        errors("localIp", "is not an IP address", "domain", "is not a domain name", "until", "is not an ISO-8601 time")));
    }

    @ParameterizedTest
    @MethodSource("badPauses")
    void refusesABadPauseNamingEveryBadField(PauseInput input, List<FieldError> expected) {
        assertRefused(() -> SettingsValidation.pause(input, NOW), expected);
    }

    // ---- EHLO names

    static Stream<Arguments> goodEhloNames() {
        return Stream.of(
                arguments(new EhloNameInput(" 192.0.2.10 ", "MAIL.Example.com."), new Validated.EhloName("192.0.2.10", "mail.example.com")),
                arguments(new EhloNameInput("2001:db8::10", "mail6.example.com"),
                        new Validated.EhloName("2001:db8:0:0:0:0:0:10", "mail6.example.com")));
    }

    @ParameterizedTest
    @MethodSource("goodEhloNames")
    void acceptsAnEhloNameInCanonicalForm(EhloNameInput input, Validated.EhloName expected) {
        assertThat(SettingsValidation.ehloName(input)).isEqualTo(expected);
    }

    static Stream<Arguments> badEhloNames() {
        return Stream.of(
                arguments(new EhloNameInput(null, "mail.example.com"), errors("localIp", "is required")),
                arguments(new EhloNameInput("192.0.2.0/24", "mail.example.com"), errors("localIp", "is a network")),
                arguments(new EhloNameInput("192.0.2.10", "mail"), errors("name", "is not a host name")),
                arguments(new EhloNameInput("192.0.2.10", "mail_1.example.com"), errors("name", "is not a host name")),
                arguments(new EhloNameInput("192.0.2.10", "192.0.2.10"), errors("name", "is not a host name")),
                arguments(new EhloNameInput("mail.example.com", ""), errors("localIp", "is not an IP address", "name", "is required")));
    }

    @ParameterizedTest
    @MethodSource("badEhloNames")
    void refusesABadEhloNameNamingEveryBadField(EhloNameInput input, List<FieldError> expected) {
        assertRefused(() -> SettingsValidation.ehloName(input), expected);
    }

    // ---- DKIM keys (the key itself: PrivateKeyPemTest)

    @Test
    void acceptsADkimKeyInCanonicalForm() {
        var input = new DkimKeyInput("Example.COM", " s2024.mail ", TestKeys.ED25519.replace("\n", "\r\n"));

        assertThat(SettingsValidation.dkimKey(input)).isEqualTo(new Validated.DkimKey("example.com", "s2024.mail", TestKeys.ED25519));
    }

    static Stream<Arguments> badDkimKeys() {
        return Stream.of(
                arguments(new DkimKeyInput("example.com", "bad_selector", TestKeys.ED25519), errors("selector", "is not a selector")),
                arguments(new DkimKeyInput("example.com", "-s1", TestKeys.ED25519), errors("selector", "is not a selector")),
                arguments(new DkimKeyInput("example.com", "s1.", TestKeys.ED25519), errors("selector", "is not a selector")),
                arguments(new DkimKeyInput("example.com", "s1", null), errors("privateKey", "is required")),
                arguments(new DkimKeyInput("example.com", "s1", "not a key"), errors("privateKey", "must be a PEM private key")),
                arguments(new DkimKeyInput(null, null, " "),
                        errors("domain", "is required", "selector", "is required", "privateKey", "is required")));
    }

    @ParameterizedTest
    @MethodSource("badDkimKeys")
    void refusesABadDkimKeyNamingEveryBadField(DkimKeyInput input, List<FieldError> expected) {
        assertRefused(() -> SettingsValidation.dkimKey(input), expected);
    }

    // ---- messages

    @Test
    void cutsALongBadValueShortInTheMessage() {
        var error = refusal(() -> SettingsValidation.throttle(throttle("x".repeat(10_000), null, null))).errors().getFirst();

        assertThat(error.message()).hasSizeLessThan(200).contains("x".repeat(64) + "...");
    }

    @Test
    void theMessageListsEveryProblem() {
        var refused = refusal(() -> SettingsValidation.throttle(new ThrottleInput("x", null, 0, null, null, null)));

        assertThat(refused.getMessage())
                .isEqualTo("invalid settings: localIp: 'x' is not an IP address or network such as 192.0.2.10 or 192.0.2.0/24;"
                        + " maxConnections: must be at least 1");
    }

    // ---- response rules

    private static ResponseRuleInput rule(String code, String status, String text, String action, Integer minutes, Integer perMinute,
            Integer connections, String category) {
        return new ResponseRuleInput("r1", code, status, text, null, action, null, minutes, perMinute, connections, category, null);
    }

    static Stream<Arguments> goodResponseRules() {
        return Stream.of(
                arguments(new ResponseRuleInput(" yahoo-slow ", " 421 ", "4.7.0", "\\b(TSS04|GL01)\\b", " Yahoo.com ", "BackOff",
                        "ip+domain", 30, 30, 1, "Rate-Limit", " from Yahoo's postmaster pages "),
                        new Validated.ResponseRule("yahoo-slow", "421", "4.7.0", "\\b(TSS04|GL01)\\b", "yahoo.com", "backoff", "ip+domain",
                                30, 30, 1, "rate-limit", "from Yahoo's postmaster pages")),
                arguments(rule("5", "5.7.", "", "suspend", 60, null, null, null),
                        new Validated.ResponseRule("r1", "5", "5.7.", "", null, "suspend", "ip+domain", 60, null, null, null, "")),
                arguments(rule("", "", "mailbox disabled", "permanent", null, null, null, "inactive-mailbox"),
                        new Validated.ResponseRule("r1", "", "", "mailbox disabled", null, "permanent", "ip+domain", null, null, null,
                                "inactive-mailbox", "")),
                arguments(rule("4", "", "", "classify", null, null, null, "policy"),
                        new Validated.ResponseRule("r1", "4", "", "", null, "classify", "ip+domain", null, null, null, "policy", "")));
    }

    @ParameterizedTest
    @MethodSource("goodResponseRules")
    void acceptsAResponseRuleInCanonicalForm(ResponseRuleInput input, Validated.ResponseRule expected) {
        assertThat(SettingsValidation.responseRule(input)).isEqualTo(expected);
    }

    static Stream<Arguments> badResponseRules() {
        return Stream.of(
                arguments(rule("4", "", "(unclosed", "suspend", 5, null, null, null), errors("text", "not a valid regular expression")),
                arguments(rule("4", "", "a{2,1}", "suspend", 5, null, null, null), errors("text", "not a valid regular expression")),
                arguments(rule("6", "4.7", "", "suspend", 5, null, null, null), errors("code", "is not a reply code")),
                arguments(rule("", "4.x", "", "suspend", 5, null, null, null), errors("status", "is not an enhanced status code")),
                arguments(rule("", "", "", "suspend", 5, null, null, null), errors("text", "needs a code, a status or a text")),
                arguments(rule("4", "", "", "slow", 5, null, null, null), errors("action", "is none of suspend, backoff")),
                arguments(rule("4", "", "", null, null, null, null, null), errors("action", "is required")),
                arguments(rule("4", "", "", "suspend", null, null, null, null), errors("minutes", "needs a duration")),
                arguments(rule("4", "", "", "backoff", 10081, null, null, null),
                        errors("minutes", "must be at most 10080", "messagesPerMinute", "caps messages per minute, connections or both")),
                arguments(rule("4", "", "", "backoff", 10, 0, 1001, null),
                        errors("messagesPerMinute", "must be at least 1", "maxConnections", "must be at most 1000")),
                arguments(rule("4", "", "", "classify", null, null, null, null), errors("category", "a classify rule sets a category")),
                // Saved and then ignored would be worse than refused.
                arguments(rule("4", "", "", "permanent", 5, 10, 1, null), errors("minutes", "a permanent rule takes no minutes",
                        "messagesPerMinute", "only a backoff caps", "maxConnections", "only a backoff caps")),
                arguments(rule("4", "", "", "suspend", 5, null, 2, null), errors("maxConnections", "a suspend rule takes no maxConnections")),
                arguments(rule("4", "", "", "classify", null, null, null, "spammy"), errors("category", "is not a bounce category")),
                arguments(new ResponseRuleInput(" ", "4", "", "x".repeat(1001), "no_domain", "suspend", "everything", 5, null, null, null,
                        "n".repeat(501)),
                        errors("name", "is required", "text", "at most 1000", "domain", "is not a domain name", "scope",
                                "is none of ip+domain, ip+provider, ip", "note", "at most 500")));
    }

    @ParameterizedTest
    @MethodSource("badResponseRules")
    void refusesABadResponseRuleNamingEveryBadField(ResponseRuleInput input, List<FieldError> expected) {
        assertRefused(() -> SettingsValidation.responseRule(input), expected);
    }

    // ---- provider groups

    @Test
    void acceptsAProviderInCanonicalForm() {
        assertThat(SettingsValidation.provider(new ProviderInput("acme-mail", List.of(" *.MX.Acme.test ", "mx1.acme.test", "*.mx.acme.test"))))
                .isEqualTo(new Validated.Provider("acme-mail", "*.mx.acme.test mx1.acme.test"));
    }

    static Stream<Arguments> badProviders() {
        return Stream.of(
                arguments(new ProviderInput(null, List.of("*.x.test")), errors("name", "is required")),
                arguments(new ProviderInput("Acme", List.of("*.x.test")), errors("name", "is not a provider name")),
                arguments(new ProviderInput("acme", List.of()), errors("mxPatterns", "at least one MX host pattern")),
                arguments(new ProviderInput("acme", List.of("*.test", "mx_1.acme.test", "*acme.test")),
                        errors("mxPatterns[0]", "is neither a host name nor", "mxPatterns[1]", "is neither", "mxPatterns[2]", "is neither")));
    }

    @ParameterizedTest
    @MethodSource("badProviders")
    void refusesABadProviderNamingEveryBadField(ProviderInput input, List<FieldError> expected) {
        assertRefused(() -> SettingsValidation.provider(input), expected);
    }

    // ---- back-offs

    @Test
    void acceptsABackOffInCanonicalForm() {
        assertThat(SettingsValidation.backOff(new BackOffInput(" 192.0.2.0/24 ", "Yahoo.com", "2030-01-02T00:00:00Z", 30, null, " slow "), NOW))
                .isEqualTo(new Validated.BackOff("192.0.2.0/24", "yahoo.com", Instant.parse("2030-01-02T00:00:00Z"), 30, null, "slow"));
    }

    static Stream<Arguments> badBackOffs() {
        return Stream.of(
                arguments(new BackOffInput(null, null, null, 30, null, null), errors("localIp", "is required", "until", "is required")),
                arguments(new BackOffInput("192.0.2.1", null, "2029-01-01T00:00:00Z", null, null, null),
                        errors("until", "is not in the future", "messagesPerMinute", "caps messages per minute, connections or both")),
                arguments(new BackOffInput("192.0.2.1/33", "x", "2031-01-01T00:00:00Z", 0, 0, "r".repeat(501)),
                        errors("localIp", "is not an IP address", "domain", "is not a domain name", "messagesPerMinute", "at least 1",
                                "maxConnections", "at least 1", "reason", "at most 500")));
    }

    @ParameterizedTest
    @MethodSource("badBackOffs")
    void refusesABadBackOffNamingEveryBadField(BackOffInput input, List<FieldError> expected) {
        assertRefused(() -> SettingsValidation.backOff(input, NOW), expected);
    }

    // ---- helpers

    private static ThrottleInput throttle(String localIp, String domain, Integer maxConnections) {
        return new ThrottleInput(localIp, domain, maxConnections, null, null, null);
    }

    /** Pairs of field and a part of its message: {@code errors("localIp", "not an IP", ...)}. */
    static List<FieldError> errors(String... fieldsAndMessages) {
        var errors = new ArrayList<FieldError>();
        for (int i = 0; i < fieldsAndMessages.length; i += 2) {
            errors.add(new FieldError(fieldsAndMessages[i], fieldsAndMessages[i + 1]));
        }
        return errors;
    }

    /** The fields match in order, and each message contains the expected part. */
    static void assertRefused(ThrowingCallable call, List<FieldError> expected) {
        var actual = refusal(call).errors();
        assertThat(actual).extracting(FieldError::field).containsExactlyElementsOf(expected.stream().map(FieldError::field).toList());
        for (int i = 0; i < expected.size(); i++) {
            assertThat(actual.get(i).message()).as(actual.get(i).field()).contains(expected.get(i).message());
        }
    }

    static InvalidSettingsException refusal(ThrowingCallable call) {
        var refused = catchThrowableOfType(InvalidSettingsException.class, call);
        assertThat(refused).as("refused with InvalidSettingsException").isNotNull();
        return refused;
    }
}
