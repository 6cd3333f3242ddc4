package dev.ferrymta.db.write;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferrymta.testing.db.TestDatabase;
import java.net.InetAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Automatic pauses and back-offs of response rules in the real database: one per scope, extended, never duplicated. */
class AutomaticActionWriterIT {

    @RegisterExtension
    static final TestDatabase database = new TestDatabase();

    static SettingsDatabase db;
    static AutomaticActionWriter pauses;

    @BeforeAll
    static void migrate() {
        db = SettingsDatabase.migrated(database);
        pauses = new AutomaticActionWriter(db.dataSource());
    }

    @AfterAll
    static void close() {
        db.close();
    }

    private static long count(String ip, String domain) throws Exception {
        try (var connection = db.dataSource().getConnection();
                var statement = connection.prepareStatement("SELECT count(*) FROM pauses WHERE local_ip = ?::cidr"
                        + " AND domain IS NOT DISTINCT FROM ?::dns_name AND reason LIKE 'automatic:%'")) {
            statement.setString(1, ip);
            statement.setString(2, domain);
            try (var rows = statement.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        }
    }

    @Test
    void manyInstancesHittingTheSameReplyAtOnceGiveOnePauseExtendedToTheLatestEnd() throws Exception {
        var ip = InetAddress.getByName("192.0.2.10");
        var base = Instant.parse("2030-01-01T12:00:00Z");
        var calls = new ArrayList<Callable<Optional<WriteResult>>>();
        for (int i = 0; i < 8; i++) {
            var until = base.plusSeconds(i * 10L);
            calls.add(() -> pauses.pause(ip, Optional.of("gmail.com"), until, "automatic: rule 'google-rate-limit' on ferry-" + until));
        }
        var pool = Executors.newFixedThreadPool(8);
        try {
            for (var future : pool.invokeAll(calls)) {
                future.get();
            }
        } finally {
            pool.shutdown();
            assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
        }

        assertThat(count("192.0.2.10/32", "gmail.com")).isEqualTo(1);
        try (var connection = db.dataSource().getConnection();
                var rows = connection.createStatement().executeQuery(
                        "SELECT until FROM pauses WHERE local_ip = '192.0.2.10/32'::cidr AND reason LIKE 'automatic:%'")) {
            rows.next();
            assertThat(rows.getTimestamp(1).toInstant()).isEqualTo(base.plusSeconds(70));
        }
    }

    @Test
    void aShorterOrEqualPauseChangesNothingAndMakesNoNewVersion() throws Exception {
        var ip = InetAddress.getByName("192.0.2.11");
        var until = Instant.parse("2030-01-01T12:00:00Z");
        assertThat(pauses.pause(ip, Optional.empty(), until, "automatic: rule 'x' on a")).isPresent();
        long version = db.version();

        assertThat(pauses.pause(ip, Optional.empty(), until, "automatic: rule 'x' on b")).isEmpty();
        assertThat(pauses.pause(ip, Optional.empty(), until.minusSeconds(60), "automatic: rule 'x' on c")).isEmpty();
        assertThat(pauses.pause(ip, Optional.empty(), until.plusMillis(9_999), "automatic: rule 'x' on c")).as("not 10 s longer").isEmpty();
        assertThat(db.version()).isEqualTo(version);
        assertThat(count("192.0.2.11/32", null)).isEqualTo(1);

        assertThat(pauses.pause(ip, Optional.empty(), until.plusSeconds(60), "automatic: rule 'x' on d")).isPresent();
        assertThat(db.version()).isEqualTo(version + 1);
        assertThat(count("192.0.2.11/32", null)).isEqualTo(1);
    }

    @Test
    void anOperatorsOwnPauseOfTheScopeIsLeftAsItIs() throws Exception {
        var ip = InetAddress.getByName("192.0.2.12");
        try (var connection = db.dataSource().getConnection()) {
            connection.createStatement().execute("INSERT INTO pauses (local_ip, domain, reason) VALUES ('192.0.2.12/32', 'yahoo.com', 'maintenance')");
        }
        assertThat(pauses.pause(ip, Optional.of("yahoo.com"), Instant.parse("2030-01-01T12:00:00Z"), "automatic: rule 'yahoo-deferred' on a"))
                .isPresent();
        assertThat(count("192.0.2.12/32", "yahoo.com")).isEqualTo(1);
        try (var connection = db.dataSource().getConnection();
                var rows = connection.createStatement().executeQuery("SELECT count(*) FROM pauses WHERE local_ip = '192.0.2.12/32'")) {
            rows.next();
            assertThat(rows.getLong(1)).as("the operator's pause and the automatic one").isEqualTo(2);
        }
    }

    @Test
    void aBackOffIsOnePerScopeExtendedWithTheNewCapsAndLeftAloneWhenItLastsLonger() throws Exception {
        var ip = InetAddress.getByName("192.0.2.13");
        var until = Instant.parse("2030-01-01T12:00:00Z");
        var first = pauses.backOff(ip, Optional.of("yahoo.com"), until, OptionalInt.of(30), OptionalInt.of(1),
                "automatic: rule 'yahoo-deferred' on a").orElseThrow();
        long version = db.version();
        assertThat(first.version()).isEqualTo(version);

        assertThat(pauses.backOff(ip, Optional.of("yahoo.com"), until.minusSeconds(1), OptionalInt.of(10),
                OptionalInt.empty(), "automatic: rule 'yahoo-deferred' on b")).isEmpty();
        assertThat(db.version()).isEqualTo(version);

        var extended = pauses.backOff(ip, Optional.of("yahoo.com"), until.plusSeconds(600), OptionalInt.of(10),
                OptionalInt.empty(), "automatic: rule 'yahoo-deferred' on c").orElseThrow();
        assertThat(extended.id()).isEqualTo(first.id());
        try (var connection = db.dataSource().getConnection();
                var rows = connection.createStatement().executeQuery("SELECT count(*), max(messages_per_minute), max(max_connections),"
                        + " max(until), max(reason) FROM back_offs WHERE local_ip = '192.0.2.13/32'")) {
            rows.next();
            assertThat(rows.getLong(1)).isEqualTo(1);
            assertThat(rows.getInt(2)).isEqualTo(10);
            assertThat(rows.getObject(3)).as("the new caps replace the old").isNull();
            assertThat(rows.getTimestamp(4).toInstant()).isEqualTo(until.plusSeconds(600));
            assertThat(rows.getString(5)).endsWith("on c");
        }
        // A pause of the same scope is another row, in another table.
        assertThat(count("192.0.2.13/32", "yahoo.com")).isZero();
    }

    @Test
    void aBackOffThatCapsNothingOrAReasonNotMarkedAutomaticIsRefused() throws Exception {
        var ip = InetAddress.getByName("192.0.2.14");
        var until = Instant.parse("2030-01-01T12:00:00Z");
        assertThatThrownBy(() -> pauses.backOff(ip, Optional.empty(), until,
                OptionalInt.empty(), OptionalInt.empty(), "automatic: x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> pauses.backOff(ip, Optional.empty(), until,
                OptionalInt.of(5), OptionalInt.empty(), "by hand")).isInstanceOf(IllegalArgumentException.class);
    }
}
