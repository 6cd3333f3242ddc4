package dev.ferrymta.db.write;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferrymta.testing.db.TestDatabase;
import java.net.InetAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Automatic pauses of response rules in the real database: one per scope, extended, never duplicated. */
class AutomaticPausesIT {

    @RegisterExtension
    static final TestDatabase database = new TestDatabase();

    static SettingsDatabase db;
    static AutomaticPauses pauses;

    @BeforeAll
    static void migrate() {
        db = SettingsDatabase.migrated(database);
        pauses = new AutomaticPauses(db.dataSource());
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
}
