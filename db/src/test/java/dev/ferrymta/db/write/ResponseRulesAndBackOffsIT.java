package dev.ferrymta.db.write;

import static dev.ferrymta.db.write.SettingsValidationTest.assertRefused;
import static dev.ferrymta.db.write.SettingsValidationTest.errors;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferrymta.db.JdbcSettingsSource;
import dev.ferrymta.relay.attempt.Attempt;
import dev.ferrymta.relay.attempt.AttemptResult;
import dev.ferrymta.relay.attempt.AttemptState;
import dev.ferrymta.relay.bounce.BounceCategory;
import dev.ferrymta.relay.bounce.ResponseRule;
import dev.ferrymta.relay.mail.Domain;
import dev.ferrymta.testing.db.TestDatabase;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import dev.ferrymta.relay.settings.ProviderLimits;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Response rules and back-offs through the writer into the real database and back through the
 * settings loader: the operator's rules come before the shipped ones, back-offs lower the limits,
 * and what cannot be a rule is refused on write naming the field (or, put there by hand, left out
 * at load instead of failing it).
 */
class ResponseRulesAndBackOffsIT {

    static final Instant NOW = Instant.parse("2030-01-01T00:00:00Z");

    @RegisterExtension
    static final TestDatabase database = new TestDatabase();

    static SettingsDatabase db;
    static SettingsWriter writer;
    static JdbcSettingsSource source;

    @BeforeAll
    static void migrate() {
        db = SettingsDatabase.migrated(database);
        writer = new SettingsWriter(db.dataSource(), Clock.fixed(NOW, ZoneOffset.UTC));
        source = new JdbcSettingsSource(db.dataSource(), "test");
    }

    @AfterAll
    static void close() {
        db.close();
    }

    private static Attempt reply(int code, String status, String text) {
        return new Attempt(AttemptState.RCPTTO, AttemptResult.ERROR, NOW, Optional.empty(), Optional.empty(), Optional.empty(),
                OptionalInt.of(code), Optional.of(status), text);
    }

    @Test
    void aRuleWrittenIsLoadedAheadOfTheShippedOnesAndAnUpdateReplacesIt() {
        var name = db.unique("rule");
        var created = writer.createResponseRule(new ResponseRuleInput(name, "421", "4.7.28", "unusual rate", "gmail.com", "backoff",
                "ip", 20, 50, 2, "rate-limit", "Google's text"));

        var settings = source.load();
        var limited = reply(421, "4.7.28", "Our system has detected an unusual rate of unsolicited mail");
        var fired = settings.responseRules().match(limited, Domain.parse("gmail.com")).orElseThrow();
        assertThat(fired.name()).isEqualTo(name);
        assertThat(fired.describe()).isEqualTo("backoff ip 20 min to 50/min, 2 connections, category rate-limit");
        assertThat(settings.responseRules().match(limited, Domain.parse("example.org")).orElseThrow().name())
                .as("another domain: the shipped rule").isEqualTo("google-rate-limit");
        assertThat(settings.responseRuleSettings()).singleElement().satisfies(row -> {
            assertThat(row.id()).isEqualTo(created.id());
            assertThat(row.note()).isEqualTo("Google's text");
        });

        writer.updateResponseRule(created.id(), 1, new ResponseRuleInput(name, "", "", "mailbox (is )?disabled", null, "permanent",
                null, null, null, null, "inactive-mailbox", null));
        var updated = source.load().responseRules().match(reply(450, "4.2.1", "Mailbox is disabled"), Domain.parse("a.example"))
                .orElseThrow();
        assertThat(updated.action()).isEqualTo(ResponseRule.Action.PERMANENT);
        assertThat(updated.category()).contains(BounceCategory.INACTIVE_MAILBOX);

        writer.deleteResponseRule(created.id(), 2);
        assertThat(source.load().responseRuleSettings()).isEmpty();
    }

    @Test
    void aBadRegularExpressionOrADuplicateNameIsRefusedNamingTheFieldAndChangesNothing() {
        var name = db.unique("rule");
        writer.createResponseRule(new ResponseRuleInput(name, "5", "", "", null, "suspend", "ip", 5, null, null, null, null));
        long version = db.version();

        assertRefused(() -> writer.createResponseRule(new ResponseRuleInput(db.unique("rule"), "", "", "(a+)+(", null, "suspend", null,
                5, null, null, null, null)), errors("text", "not a valid regular expression"));
        assertRefused(() -> writer.createResponseRule(new ResponseRuleInput(name, "4", "", "", null, "suspend", null, 5, null, null,
                null, null)), errors("name", "a response rule named " + name + " exists"));
        assertThat(db.version()).isEqualTo(version);
    }

    @Test
    void aRowPutThereByHandThatIsNoRuleIsLeftOutAndTheRestLoads() throws Exception {
        var good = db.unique("rule");
        try (var connection = db.dataSource().getConnection(); var statement = connection.createStatement()) {
            statement.execute("INSERT INTO response_rules (name, pattern, action, minutes) VALUES ('" + db.unique("bad")
                    + "', '(unclosed', 'suspend', 5)");
            statement.execute("INSERT INTO response_rules (name, code, action, category) VALUES ('" + good + "', '4', 'classify', 'policy')");
        }
        var settings = source.load();
        assertThat(settings.responseRuleSettings()).extracting(row -> row.rule().name()).contains(good)
                .noneMatch(n -> n.startsWith("bad"));
        try (var connection = db.dataSource().getConnection(); var statement = connection.createStatement()) {
            statement.execute("DELETE FROM response_rules");
        }
    }

    @Test
    void aBackOffWrittenLowersTheLimitsOfItsScopeUntilItsEnd() throws Exception {
        var created = writer.createBackOff(new BackOffInput("192.0.2.0/24", "yahoo.com", "2030-01-01T01:00:00Z", 30, 1, "by hand"));

        var settings = source.load();
        var ip = InetAddress.getByName("192.0.2.7");
        var yahoo = Domain.parse("yahoo.com");
        var limits = settings.limitsFor(ip, yahoo, NOW.plusSeconds(60));
        assertThat(limits.maxConnections()).isEqualTo(1);
        assertThat(limits.messagesPerMinute()).hasValue(30);
        assertThat(settings.limitsFor(ip, Domain.parse("gmail.com"), NOW.plusSeconds(60)).maxConnections()).isEqualTo(5);
        assertThat(settings.limitsFor(ip, yahoo, NOW.plus(Duration.ofHours(1))).maxConnections()).as("ended").isEqualTo(5);

        writer.deleteBackOff(created.id(), 1);
        assertThat(source.load().limitsFor(ip, yahoo, NOW.plusSeconds(60)).maxConnections()).as("lifted").isEqualTo(5);
    }

    @Test
    void aProviderWrittenJoinsTheShippedOnesAndScopesThrottlesPausesAndBackOffsToEveryDomainItHosts() throws Exception {
        var unique = "acme-" + db.unique("p").toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9]", "");
        var name = unique.substring(0, Math.min(unique.length(), 60));
        var created = writer.createProvider(new ProviderInput(name, List.of("*.mx.acme.test")));
        writer.createThrottle(new ThrottleInput(null, null, 3, 120, null, null, name));
        writer.createBackOff(new BackOffInput("192.0.2.0/24", null, "2030-01-01T01:00:00Z", 60, null, "by hand", name));
        writer.createPause(new PauseInput("192.0.2.9", null, null, "held", null, name));

        var settings = source.load();
        assertThat(settings.providers().providerOf(List.of("in1.mx.acme.test"))).contains(name);
        assertThat(settings.providers().providerOf(List.of("aspmx.l.google.com"))).as("the shipped ones stay").contains("google");
        var ip = InetAddress.getByName("192.0.2.7");
        assertThat(settings.providerLimitsFor(ip, name, NOW)).contains(new ProviderLimits(OptionalInt.of(3), OptionalInt.of(60)));
        assertThat(settings.pauseFor(InetAddress.getByName("192.0.2.9"), Domain.parse("customer.example"), Optional.of(name), List.of(), NOW))
                .isPresent();
        assertThat(settings.pauseFor(InetAddress.getByName("192.0.2.9"), Domain.parse("customer.example"), Optional.empty(), List.of(), NOW))
                .isEmpty();

        // A provider nobody knows is refused on the field, so a typo cannot save a throttle that holds nothing.
        assertRefused(() -> writer.createThrottle(new ThrottleInput(null, null, 3, null, null, null, "gogle")),
                errors("provider", "'gogle' is no provider group"));
        assertRefused(() -> writer.createProvider(new ProviderInput(name, List.of("*.other.test"))),
                errors("name", "a provider named " + name + " exists"));
        writer.deleteProvider(created.id(), 1);
        assertThat(source.load().providers().providerOf(List.of("in1.mx.acme.test"))).isEmpty();
    }
}
